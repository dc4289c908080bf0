"""openclipart (CC0) from Debian's openclipart-png: clip-art labelled by its top-level category.

6,900 real files in 22 category folders (the 1,221 symlinks repeat files filed in two places and are
not read). Filtered: pictures over 20 MP (17 posters up to 623 MP; refused from the header, before
decoding), tiny ones (< 16 px a side), blank ones (fully transparent: failed renderings) and
duplicates. Each drawing is cropped to its outline (many sit small on an A4 page) and padded white.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from genimg_desktop.engine.training.data.dataset import ImageDataset
from genimg_desktop.engine.training.data.errors import DatasetError, require
from genimg_desktop.engine.training.data.imaging import decode_on_white, open_checked, resize_array, square
from genimg_desktop.engine.training.data.items import Progress, make_dataset, prepare_items

NAME = "openclipart"
VERSION = 1
ROOT = Path("/usr/share/openclipart/png")
MAX_PIXELS = 20_000_000
PACKAGE = "openclipart-png"


def available() -> bool:
    return ROOT.is_dir()


def list_files(root: Path) -> tuple[list[Path], list[str]]:
    """(PNG files, their category = first folder below root), sorted, symlinks left out."""
    files = sorted(p for p in root.rglob("*.png") if not p.is_symlink() and p.parent != root)
    return files, [p.relative_to(root).parts[0] for p in files]


def build(
    split: str, size: int, limit: int | None, fit: str, progress: Progress | None = None
) -> ImageDataset:
    root = require(ROOT, "openclipart", f"apt-get install {PACKAGE}")
    files, categories = list_files(root)
    if not files:
        raise DatasetError(f"no PNG files in {root}; reinstall: apt-get install --reinstall {PACKAGE}")
    class_names = tuple(sorted(set(categories)))
    labels = np.array([class_names.index(c) for c in categories], dtype=np.int64)
    images, kept, skipped = prepare_items(
        files, labels, split, limit, lambda p: prepare(p, size, fit), progress
    )
    return make_dataset(
        images,
        kept,
        size,
        skipped,
        class_names=class_names,
        name=NAME,
        split=split,
        source="openclipart (public domain, CC0) from Debian openclipart-png",
    )


def prepare(path: Path, size: int, fit: str) -> np.ndarray:
    with open_checked(path, MAX_PIXELS) as im:
        rgb = decode_on_white(im)
    return resize_array(square(rgb, fit), size)
