"""debian-photos: ~450 real photographs that install from Debian packages, for patch-based training
(upscaling, denoising, fill networks).

Which files are photos: debian_photo_files.py. Each photo is decoded once, DOWNSCALED (JPEG draft,
then area pre-reduction + Lanczos) by at least MIN_REDUCTION and to at most SHORT_SIDE pixels on its
short side, so the clean targets carry no JPEG/WebP artefacts, and cached in the user cache
(`pictures`). The split is by picture, fixed by a hash of its stable name (~10% held out), so a crop
of a test photo is never trained on, on any machine, whatever else is installed.

`load_dataset("debian-photos", size, split)` serves each picture of the split cut into
non-overlapping `size` x `size` tiles at the picture's own scale (no resizing); trainers take random
crops (and flips) of those tiles. Labels are the package a photo came from.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

from genimg_desktop.core.atomic import write_atomic
from genimg_desktop.engine.training.data.cache import cache_path
from genimg_desktop.engine.training.data.dataset import SPLITS, ImageDataset, spread
from genimg_desktop.engine.training.data.debian_photo_files import (
    PACKAGES,
    PhotoFile,
    find_photos,
    installed,
)
from genimg_desktop.engine.training.data.errors import DatasetError
from genimg_desktop.engine.training.data.imaging import DECODE_ERRORS, Skip, decode_on_white, open_checked
from genimg_desktop.engine.training.data.items import Progress

NAME = "debian-photos"
VERSION = 1
ROOT = Path("/")  # tests point it at a folder laid out like the packages
SHORT_SIDE = 512  # a decoded photo's short side at most (the high-resolution wallpapers)
MIN_REDUCTION = 1.5  # every photo is shrunk at least this much: its compression artefacts vanish
MIN_SOURCE_SIDE = 300  # smaller files are thumbnails or icons
MAX_PIXELS = 64_000_000
HELD_OUT_PERCENT = 10
INSTALL = "apt-get install " + " ".join(p.name for p in PACKAGES)


def available() -> bool:
    return bool(installed(ROOT))


def is_held_out(name: str) -> bool:
    """True for the ~10% of photos kept for testing, by their stable name (same on every machine)."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HELD_OUT_PERCENT


def source_text(packages: set[str] | None = None) -> str:
    """Where the photos came from and their licences, for model cards."""
    parts = [f"{p.name} ({p.licence})" for p in PACKAGES if packages is None or p.name in packages]
    return "photos from the Debian packages " + "; ".join(parts)


def decode(photo: PhotoFile) -> np.ndarray:
    """The photo as RGB uint8, reduced by at least MIN_REDUCTION and to <= SHORT_SIDE on its short side."""
    try:
        source = photo.open()
    except (OSError, ValueError) as exc:
        raise Skip("unreadable") from exc
    with _open(source) as im:
        if min(im.size) < MIN_SOURCE_SIDE:
            raise Skip("tiny")
        target = reduced_size(im.size)
        if im.format == "JPEG":  # decode at the smallest DCT scale still >= 2x the target: fast
            im.draft("RGB", (2 * target[0], 2 * target[1]))
        rgb = decode_on_white(im)
    resized = rgb.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    return np.asarray(resized, dtype=np.uint8)


def reduced_size(size: tuple[int, int]) -> tuple[int, int]:
    """(width, height) a photo of `size` is decoded to."""
    factor = min(1 / MIN_REDUCTION, SHORT_SIDE / min(size))
    return max(1, round(size[0] * factor)), max(1, round(size[1] * factor))


def _open(source: Path | io.BytesIO) -> Image.Image:
    """Open lazily (header only); a file is refused before decoding when empty or huge."""
    if isinstance(source, Path):
        return open_checked(source, MAX_PIXELS)
    try:
        return Image.open(source)
    except DECODE_ERRORS as exc:
        raise Skip("unreadable") from exc


Pictures = tuple[list[str], list[np.ndarray], Counter[str]]  # names, RGB uint8 arrays, skip counts


def pictures(split: str, progress: Progress | None = None) -> Pictures:
    """(names, RGB uint8 pictures of different sizes, skip counts) of `split`; cached after the
    first call. Trainers wanting whole pictures (evaluation, crops of any size) use this."""
    if split not in SPLITS:
        raise DatasetError(f"split must be 'train' or 'test', not {split!r}")
    photos = [p for p in _photos() if is_held_out(p.name) == (split == "test")]
    path = cache_path(f"{NAME}_pictures_{split}_v{VERSION}_{_fingerprint(photos)}")
    cached = _load_pictures(path)
    if cached is not None:
        return cached
    names, images, skipped = [], [], Counter()
    for done, photo in enumerate(photos, 1):
        try:
            images.append(decode(photo))
            names.append(photo.name)
        except Skip as skip:
            skipped[skip.reason] += 1
        if progress:
            progress(done, len(photos))
    _save_pictures(path, names, images, skipped)
    return names, images, skipped


def _photos() -> list[PhotoFile]:
    photos = find_photos(ROOT)
    if not photos:
        raise DatasetError(
            f"no Debian photo package is installed (looked under {ROOT}); install them with: {INSTALL}"
        )
    return photos


def fingerprint() -> str:
    """ "_<hash>" of the installed photo files, or "" when there are none (then build explains)."""
    photos = find_photos(ROOT)
    return f"_{_fingerprint(photos)}" if photos else ""


def _fingerprint(photos: list[PhotoFile]) -> str:
    """Changes when a package is installed, removed or updated: part of the cache key."""
    digest = hashlib.sha256()
    for photo in photos:
        st = photo.path.stat()
        digest.update(f"{photo.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def _save_pictures(path: Path, names: list[str], images: list[np.ndarray], skipped: Counter[str]) -> None:
    arrays = {
        "pixels": np.concatenate([im.reshape(-1) for im in images]) if images else np.zeros(0, np.uint8),
        "shapes": np.array([im.shape[:2] for im in images], dtype=np.int64).reshape(-1, 2),
        "names": np.array(names, dtype=str),
        "skipped": np.array(json.dumps(dict(skipped))),
    }
    with contextlib.suppress(OSError):  # a full or read-only cache costs time next call, nothing more
        write_atomic(path, lambda fp: np.savez(fp, **arrays))


def _load_pictures(path: Path) -> Pictures | None:
    try:
        with np.load(path, allow_pickle=False) as npz:
            pixels, shapes = npz["pixels"], npz["shapes"]
            names = [str(n) for n in npz["names"]]
            skipped = Counter({str(k): int(v) for k, v in json.loads(str(npz["skipped"])).items()})
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, json.JSONDecodeError):
        return None  # absent or damaged: decoded again
    ends = np.cumsum([h * w * 3 for h, w in shapes])
    images = [part.reshape(h, w, 3) for part, (h, w) in zip(np.split(pixels, ends[:-1]), shapes, strict=True)]
    return names, images, skipped


def tiles(picture: np.ndarray, size: int) -> list[np.ndarray]:
    """Non-overlapping `size` squares covering the picture (centred; the leftover margins dropped)."""
    height, width = picture.shape[:2]
    rows, cols = height // size, width // size
    top, left = (height - rows * size) // 2, (width - cols * size) // 2
    return [
        picture[top + r * size : top + (r + 1) * size, left + c * size : left + (c + 1) * size]
        for r in range(rows)
        for c in range(cols)
    ]


def build(
    split: str, size: int, limit: int | None, fit: str, progress: Progress | None = None
) -> ImageDataset:
    names, images, skipped = pictures(split, progress)
    packages = tuple(p.name for p in PACKAGES)
    out, labels = [], []
    for name, picture in zip(names, images, strict=True):
        pieces = tiles(picture, size)
        if not pieces:
            skipped["tiny"] += 1  # smaller than one tile at this size
        out += pieces
        labels += [packages.index(name.split("/", 1)[0])] * len(pieces)
    if not out:
        raise DatasetError(f"no {split} photo of {NAME} holds a {size}x{size} tile: try a smaller --size")
    pick = spread(len(out), limit)
    return ImageDataset(
        images=np.stack(out)[pick],
        labels=np.array(labels, dtype=np.int64)[pick],
        class_names=packages,
        name=NAME,
        source=source_text({n.split("/", 1)[0] for n in names}),
        split=split,
        skipped=dict(sorted(skipped.items())),
        held_out=sum(1 for p in _photos() if is_held_out(p.name) != (split == "test")),
    )
