"""The shared pipeline of sources made of many separate pictures (emoji, clip-art, user folders).

The split is decided on the item list alone (labels are known before any decoding), so `limit` and
the split never change which side of the split an item is on, and only the requested split's items
are decoded. Identical prepared images are kept once (within the split).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

from genimg_desktop.engine.training.data.dataset import ImageDataset, split_indices, spread
from genimg_desktop.engine.training.data.imaging import Skip

T = TypeVar("T")
Progress = Callable[[int, int], None]  # (items done, items in all)


def prepare_items(
    items: Sequence[T],
    labels: np.ndarray,
    split: str,
    limit: int | None,
    prepare: Callable[[T], np.ndarray],
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray, Counter[str]]:
    """Images, labels and skip counts of `split`, at most `limit` of them (spread over the list)."""
    chosen = split_indices(labels, split)
    chosen = chosen[spread(len(chosen), limit)]
    kept_images: list[np.ndarray] = []
    kept_labels: list[int] = []
    skipped: Counter[str] = Counter()
    seen: set[bytes] = set()
    for done, index in enumerate(chosen, 1):
        try:
            image = prepare(items[index])
        except Skip as skip:
            skipped[skip.reason] += 1
        else:
            digest = hashlib.blake2b(image.tobytes(), digest_size=16).digest()
            if digest in seen:
                skipped["duplicate"] += 1
            else:
                seen.add(digest)
                kept_images.append(image)
                kept_labels.append(int(labels[index]))
        if progress:
            progress(done, len(chosen))
    return _stack(kept_images), np.array(kept_labels, dtype=np.int64), skipped


def _stack(images: list[np.ndarray]) -> np.ndarray:
    return np.stack(images) if images else np.zeros((0, 1, 1, 3), dtype=np.uint8)


def make_dataset(
    images: np.ndarray, labels: np.ndarray, size: int, skipped: Counter[str], **info: object
) -> ImageDataset:
    if not len(images):
        images = np.zeros((0, size, size, 3), dtype=np.uint8)
    return ImageDataset(images=images, labels=labels, skipped=dict(sorted(skipped.items())), **info)  # type: ignore[arg-type]
