"""Training data: the built-in sources (Fashion-MNIST, MNIST, Noto Color Emoji, openclipart) and
any folder of the user's pictures, prepared as square uint8 arrays and cached in the user cache.

    data = load_dataset("fashion-mnist", 28, "train")   # or a folder path; "test" for held-out
    data.images  # (N, 28, 28, 1) uint8     data.labels  # (N,) int64     data.class_names
"""

from __future__ import annotations

from genimg_desktop.engine.training.data.dataset import (
    SKIP_REASONS,
    ImageDataset,
    convert_channels,
    describe_skipped,
    to_tensor,
)
from genimg_desktop.engine.training.data.errors import DatasetError, SourceMissingError
from genimg_desktop.engine.training.data.loader import SOURCES, load_dataset

__all__ = [
    "SKIP_REASONS",
    "SOURCES",
    "DatasetError",
    "ImageDataset",
    "SourceMissingError",
    "convert_channels",
    "describe_skipped",
    "load_dataset",
    "to_tensor",
]
