"""Fashion-MNIST from Debian's dataset-fashion-mnist (MIT): 60k train + 10k test, 28x28 gray."""

from __future__ import annotations

from pathlib import Path

from genimg_desktop.engine.training.data.dataset import ImageDataset
from genimg_desktop.engine.training.data.errors import require
from genimg_desktop.engine.training.data.grayscale import gray_dataset
from genimg_desktop.engine.training.data.idx import read_idx

NAME = "fashion-mnist"
VERSION = 1
ROOT = Path("/usr/share/datasets/fashion-mnist")
PACKAGE = "dataset-fashion-mnist"
CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
_PREFIX = {"train": "train", "test": "t10k"}


def available() -> bool:
    return ROOT.is_dir()


def build(split: str, size: int, limit: int | None, fit: str) -> ImageDataset:
    folder = require(ROOT, "Fashion-MNIST", f"apt-get install {PACKAGE}")
    prefix = _PREFIX[split]
    images = read_idx(require(folder / f"{prefix}-images-idx3-ubyte.gz", "Fashion-MNIST", _reinstall()))
    labels = read_idx(require(folder / f"{prefix}-labels-idx1-ubyte.gz", "Fashion-MNIST", _reinstall()))
    source = f"Fashion-MNIST (Zalando, MIT) from Debian {PACKAGE}"
    return gray_dataset(
        images, labels, size, limit, class_names=CLASS_NAMES, name=NAME, source=source, split=split
    )


def _reinstall() -> str:
    return f"apt-get install --reinstall {PACKAGE}"
