"""The generation history on disk: every result of every session, for the gallery.

One folder per result under `<user data>/history/`: its images as PNG (with their parameters
embedded, so any of them can be opened elsewhere), a thumbnail, and `entry.json` written last (a
folder without it is an interrupted write and is ignored). A result that edited the canvas through a
mask keeps only the mask's bounding box (the pixels outside it are the canvas's own), so a small
inpaint on a huge image costs a small file.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from genimg_desktop.core import paths
from genimg_desktop.core.atomic import write_atomic
from genimg_desktop.core.imageio import ImageLoadError, load_image, save_image
from genimg_desktop.core.mask import mask_bbox
from genimg_desktop.core.metadata import clean_metadata
from genimg_desktop.core.request import GenerationRequest, GenerationResult

MAX_ENTRIES = 500  # the oldest are deleted beyond this
THUMB_SIDE = 128
ENTRY_FILE = "entry.json"
# Keys of entry.json that are not the result's own info (the request's fields, the store's notes).
_NOT_INFO = {"model", "task", "params", "seed", "image_size", "elapsed_s", "images", "saved_at", "box"}


@dataclass(frozen=True)
class HistoryEntry:
    folder: Path
    meta: dict[str, Any]  # the result's metadata, plus "images", "saved_at" and for edits "box"

    @property
    def entry_id(self) -> str:
        return self.folder.name

    @property
    def thumb(self) -> Path:
        return self.folder / "thumb.png"

    def matches(self, query: str) -> bool:
        return matches(self.meta, query)


def search_text(meta: dict[str, Any]) -> str:
    """What a search matches: model, task, seed and every parameter as name=value, lower case."""
    params = " ".join(f"{k}={v}" for k, v in (meta.get("params") or {}).items())
    return f"{meta.get('model', '')} {meta.get('task', '')} seed={meta.get('seed', '')} {params}".lower()


def matches(meta: dict[str, Any], query: str) -> bool:
    """Every word of `query` occurs in the result's search text (case-insensitive); "" matches all."""
    text = search_text(meta)
    return all(word in text for word in query.lower().split())


class History:
    def __init__(self, root: Path | None = None, max_entries: int = MAX_ENTRIES) -> None:
        self.root = Path(root) if root is not None else paths.user_data_dir() / "history"
        self.max_entries = max_entries

    def entries(self) -> list[HistoryEntry]:
        """Complete entries, oldest first (unreadable ones are skipped, never fatal)."""
        found = []
        for folder in sorted(self.root.glob("*")) if self.root.is_dir() else []:
            try:
                meta = _checked(json.loads((folder / ENTRY_FILE).read_text(encoding="utf-8")))
            except (OSError, ValueError, RecursionError):
                continue
            if meta is not None:
                found.append(HistoryEntry(folder, meta))
        return found

    def add(self, result: GenerationResult) -> HistoryEntry:
        """Write `result` as a new entry (and drop the oldest beyond max_entries)."""
        folder = self._new_folder()
        meta = result.metadata()
        images, box = _kept_pixels(result)
        for index, image in enumerate(images):
            save_image(folder / f"image_{index:03d}.png", image, metadata={**meta, "index": index})
        if box is not None:
            x, y, w, h = box
            save_image(folder / "mask.png", np.ascontiguousarray(result.request.mask[y : y + h, x : x + w]))
            meta["box"] = list(box)
        save_image(folder / "thumb.png", _thumbnail(images[0]))
        meta.update(images=len(images), saved_at=time.time())
        write_atomic(folder / ENTRY_FILE, lambda f: f.write(json.dumps(meta, default=str).encode("utf-8")))
        self._prune()
        return HistoryEntry(folder, meta)

    def load(self, entry: HistoryEntry, canvas_rgb: np.ndarray | None = None) -> GenerationResult:
        """The entry as a result again. An edit of the canvas (it has a "box") is rebuilt over
        `canvas_rgb` when that has the original size; otherwise its kept pixels come back as they are.
        Raises ImageLoadError when its files are gone or damaged."""
        meta = entry.meta
        images = [
            load_image(entry.folder / f"image_{i:03d}.png").rgba[..., :3] for i in range(meta["images"])
        ]
        request = GenerationRequest(
            str(meta.get("model", "")),
            str(meta.get("task", "")),
            dict(meta.get("params") or {}),
            int(meta.get("seed", 0)),
        )
        size = meta.get("image_size")
        box = meta.get("box")
        if box is not None and canvas_rgb is not None and [canvas_rgb.shape[1], canvas_rgb.shape[0]] == size:
            images, mask = _rebuild(entry, images, box, canvas_rgb)
            request = GenerationRequest(
                request.model_id, request.task, request.params, request.seed, canvas_rgb, mask
            )
        info = {k: v for k, v in meta.items() if k not in _NOT_INFO}
        return GenerationResult(request, images, info, float(meta.get("elapsed_s", 0.0)))

    def remove(self, entry: HistoryEntry) -> None:
        (entry.folder / ENTRY_FILE).unlink(missing_ok=True)  # first: a half-deleted entry is not listed
        shutil.rmtree(entry.folder, ignore_errors=True)

    def _new_folder(self) -> Path:
        """A fresh folder whose name sorts after every earlier one (date, time, nanoseconds)."""
        self.root.mkdir(parents=True, exist_ok=True)
        for _attempt in range(1000):
            now = time.time_ns()
            stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now / 1e9))
            folder = self.root / f"{stamp}-{now % 10**9:09d}"
            try:
                folder.mkdir()
                return folder
            except FileExistsError:
                continue
        raise OSError(f"cannot make a new history folder in {self.root}")

    def _prune(self) -> None:
        entries = self.entries()
        for entry in entries[: max(0, len(entries) - self.max_entries)]:
            self.remove(entry)


def _kept_pixels(result: GenerationResult) -> tuple[list[np.ndarray], tuple[int, int, int, int] | None]:
    """The images to store: cropped to the mask's box for an edit of a same-size canvas."""
    mask = result.request.mask
    images = [np.ascontiguousarray(image[..., :3]) for image in result.images]
    if mask is None or any(image.shape[:2] != mask.shape for image in images):
        return images, None
    box = mask_bbox(mask)
    if box is None:
        return images, None
    x, y, w, h = box
    return [np.ascontiguousarray(image[y : y + h, x : x + w]) for image in images], box


def _checked(meta: Any) -> dict[str, Any] | None:
    """entry.json's content with only values the gallery can use (core.metadata.clean_metadata), or
    None when what `load` needs is unusable: a damaged or hand-edited entry is skipped like an
    unreadable one instead of raising when the gallery shows or reuses it."""
    if not isinstance(meta, dict):
        return None
    clean, _notes = clean_metadata(meta)
    if not _whole_numbers(clean.get("images"), 1, 1, 10_000):
        return None
    if "box" in clean and not _whole_numbers(clean["box"], 4, 0, 1 << 20):
        return None
    if "image_size" in clean and not _whole_numbers(clean["image_size"], 2, 1, 1 << 20):
        clean.pop("image_size")
    if isinstance(clean.get("elapsed_s"), (bool, str)):
        clean.pop("elapsed_s")
    return clean


def _whole_numbers(value: Any, count: int, low: int, high: int) -> bool:
    """`value` is one whole number (count 1) or a list of `count` of them, each in low..high."""
    values = [value] if count == 1 else value
    return (
        isinstance(values, list)
        and len(values) == count
        and all(isinstance(v, int) and not isinstance(v, bool) and low <= v <= high for v in values)
    )


def _rebuild(
    entry: HistoryEntry, crops: list[np.ndarray], box: list[int], canvas_rgb: np.ndarray
) -> tuple[list[np.ndarray], np.ndarray]:
    x, y, w, h = box
    try:
        mask_crop = load_image(entry.folder / "mask.png").rgba[..., 0]
    except ImageLoadError:
        mask_crop = np.full((h, w), 255, np.uint8)
    mask = np.zeros(canvas_rgb.shape[:2], np.uint8)
    mask[y : y + h, x : x + w] = mask_crop
    images = []
    for crop in crops:
        full = np.array(canvas_rgb[..., :3], copy=True)
        full[y : y + h, x : x + w] = crop
        images.append(full)
    return images, mask


def _thumbnail(image: np.ndarray) -> np.ndarray:
    pil = Image.fromarray(image)
    pil.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.LANCZOS if max(pil.size) > THUMB_SIDE else Image.NEAREST)
    return np.asarray(pil)
