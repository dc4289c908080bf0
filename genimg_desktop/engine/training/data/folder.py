"""Any folder of the user's pictures, searched recursively.

Labels: the first-level subfolders when pictures sit in two or more of them (pictures directly in
the folder then form a class named after it); otherwise one class named after the folder. Hidden
files and folders (".thumbnails", ".DS_Store") are ignored. Files are skipped, and counted by reason,
when they are not images by extension, empty, unreadable, under 16 px a side, over 64 MP (checked in
the header before decoding) or duplicates. Photos are centre-cropped to a square by default.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

from genimg_desktop.engine.training.data.dataset import ImageDataset, other_split_count
from genimg_desktop.engine.training.data.errors import DatasetError
from genimg_desktop.engine.training.data.imaging import decode_on_white, open_checked, resize_array, square
from genimg_desktop.engine.training.data.items import Progress, make_dataset, prepare_items

VERSION = 1
MAX_PIXELS = 64_000_000  # above any camera photo people train on; a bigger file is likely a bomb


def image_extensions() -> frozenset[str]:
    Image.init()
    return frozenset(ext.lower() for ext in Image.registered_extensions())


def scan(root: Path) -> tuple[list[Path], Counter[str]]:
    """Sorted candidate image files under `root`, and the count of other (non-image) files."""
    exts, files, skipped = image_extensions(), [], Counter()
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            if name.startswith("."):
                continue
            path = Path(folder) / name
            if path.suffix.lower() in exts:
                files.append(path)
            else:
                skipped["not_image"] += 1
    return sorted(files), skipped


def class_of(path: Path, root: Path) -> str:
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else root.name


def fingerprint(files: list[Path], root: Path) -> str:
    """Changes whenever a file is added, removed, renamed or rewritten: part of the cache key."""
    digest = hashlib.sha256()
    for path in files:
        st = path.stat()
        digest.update(f"{path.relative_to(root)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def label_files(files: list[Path], root: Path) -> tuple[tuple[str, ...], np.ndarray]:
    names = [class_of(p, root) for p in files]
    subfolders = {n for p, n in zip(files, names, strict=True) if len(p.relative_to(root).parts) > 1}
    if len(subfolders) < 2:
        names = [root.name] * len(files)  # one subfolder, or none: a single class
    class_names = tuple(sorted(set(names)))
    return class_names, np.array([class_names.index(n) for n in names], dtype=np.int64)


def build(
    root: Path, split: str, size: int, limit: int | None, fit: str, progress: Progress | None = None
) -> ImageDataset:
    files, skipped = scan(root)
    if not files:
        raise DatasetError(f"no image files in {root} (or its subfolders)")
    class_names, labels = label_files(files, root)
    images, kept, more = prepare_items(files, labels, split, limit, lambda p: prepare(p, size, fit), progress)
    return make_dataset(
        images,
        kept,
        size,
        skipped + more,
        class_names=class_names,
        name=str(root),
        split=split,
        source=f"the user's folder {root}",
        held_out=other_split_count(labels, split),
    )


def prepare(path: Path, size: int, fit: str) -> np.ndarray:
    with open_checked(path, MAX_PIXELS) as im:
        rgb = decode_on_white(im, draft_size=2 * size)
    return resize_array(square(rgb, fit), size)
