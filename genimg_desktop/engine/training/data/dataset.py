"""The prepared-images container every loader returns, and the helpers shared by the loaders."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

SPLITS = ("train", "test")
TEST_FRACTION = 0.1  # held out where a source ships no split of its own
SPLIT_SEED = 20240601  # fixed forever: changing it would mix old test images into training

# Human words for the `skipped` reasons, in the order they are reported.
SKIP_REASONS = {
    "not_image": "not an image file",
    "empty": "empty (0 bytes)",
    "unreadable": "unreadable or damaged",
    "tiny": "too small",
    "huge": "too large",
    "blank": "blank (nothing drawn)",
    "duplicate": "duplicate of another image",
    "unsupported": "not drawable with this font",
}


@dataclass(frozen=True)
class ImageDataset:
    """Prepared images of one split: square, all the same size, ready to train on.

    `skipped` counts the items of this split left out, by reason (keys of SKIP_REASONS); for a folder
    it also counts the folder's non-image files ("not_image"), which belong to no split."""

    images: np.ndarray  # (N, H, W, C) uint8, C = 1 (gray) or 3 (RGB)
    labels: np.ndarray  # (N,) int64 indices into class_names
    class_names: tuple[str, ...]
    name: str  # what was asked for: a built-in name or the folder's absolute path
    source: str  # where the pictures came from, for model cards
    split: str = "train"
    skipped: dict[str, int] = field(default_factory=dict)
    # Pictures of the same source kept in the other split (a folder's test pictures, held out to
    # measure the model): said beside the count, so 44 images from a folder of 48 is not a surprise.
    held_out: int = 0

    def __post_init__(self) -> None:
        im, lab = self.images, self.labels
        if im.ndim != 4 or im.dtype != np.uint8 or im.shape[1] != im.shape[2] or im.shape[3] not in (1, 3):
            raise ValueError(f"images must be (N, S, S, 1|3) uint8, got {im.shape} {im.dtype}")
        if lab.shape != (len(im),) or lab.dtype != np.int64:
            raise ValueError(f"labels must be ({len(im)},) int64, got {lab.shape} {lab.dtype}")
        if len(lab) and not (lab.min() >= 0 and lab.max() < len(self.class_names)):
            raise ValueError("a label is outside class_names")

    def __len__(self) -> int:
        return int(self.images.shape[0])

    @property
    def size(self) -> int:
        return int(self.images.shape[1])

    @property
    def channels(self) -> int:
        return int(self.images.shape[3])

    def class_counts(self) -> dict[str, int]:
        counts = np.bincount(self.labels, minlength=len(self.class_names))
        return dict(zip(self.class_names, counts.tolist(), strict=True))

    def subset(self, index: np.ndarray | slice) -> ImageDataset:
        return replace(self, images=self.images[index], labels=self.labels[index])

    def with_channels(self, channels: int | None) -> ImageDataset:
        """The same images as gray (1) or RGB (3); None keeps the source's own channels."""
        if channels is None or channels == self.channels:
            return self
        if channels not in (1, 3):
            raise ValueError(f"channels must be 1 or 3, not {channels}")
        return replace(self, images=convert_channels(self.images, channels))

    def skipped_summary(self) -> str:
        return describe_skipped(self.skipped)


def convert_channels(images: np.ndarray, channels: int) -> np.ndarray:
    """(N, H, W, C) uint8 to `channels` (1 or 3): gray is repeated, RGB uses Pillow's luma weights."""
    if images.shape[3] == channels:
        return images
    if channels == 3:
        return np.repeat(images, 3, axis=3)
    weights = np.array([299, 587, 114], dtype=np.uint32)  # ITU-R 601-2, as Image.convert("L")
    luma = (images.astype(np.uint32) @ weights + 500) // 1000
    return luma.astype(np.uint8)[..., None]


def describe_skipped(skipped: dict[str, int]) -> str:
    """'skipped 3: 2 unreadable or damaged, 1 too small', or '' when nothing was skipped."""
    parts = [f"{n} {SKIP_REASONS.get(k, k)}" for k, n in _ordered(skipped) if n]
    return f"skipped {sum(skipped.values())}: " + ", ".join(parts) if parts else ""


def _ordered(skipped: dict[str, int]) -> list[tuple[str, int]]:
    order = list(SKIP_REASONS)
    return sorted(skipped.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))


def split_indices(labels: np.ndarray, split: str, fraction: float = TEST_FRACTION) -> np.ndarray:
    """Sorted indices of `split`, stratified by class, the same on every run and machine.

    Each class keeps round(fraction * n) images for test, at least one when it has two or more, so a
    folder of a few dozen images still gets a test set with every class in it."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    chosen: list[np.ndarray] = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        n_test = max(1, round(fraction * len(members))) if len(members) >= 2 else 0
        order = np.random.default_rng([SPLIT_SEED, int(label)]).permutation(len(members))
        part = order[:n_test] if split == "test" else order[n_test:]
        chosen.append(members[part])
    return np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)


def other_split_count(labels: np.ndarray, split: str) -> int:
    """How many of the items with `labels` belong to the other split than `split`."""
    return len(labels) - len(split_indices(labels, split))


def spread(count: int, limit: int | None) -> np.ndarray:
    """At most `limit` indices of range(count), evenly spaced so a small subset still spans the
    source (its sorted order groups classes together)."""
    if limit is None or limit >= count:
        return np.arange(count)
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    return np.unique(np.linspace(0, count - 1, limit).round().astype(np.int64))


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """(N, H, W, C) uint8 to a float32 (N, C, H, W) tensor in [-1, 1]."""
    import torch  # imported here: preparing data needs no torch

    nchw = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2)))
    return nchw.float().div_(127.5).sub_(1.0)
