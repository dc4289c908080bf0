"""Shared path for the 28x28 digit-like sets (Fashion-MNIST, MNIST): pick, resize, wrap."""

from __future__ import annotations

import numpy as np
from PIL import Image

from genimg_desktop.engine.training.data.dataset import ImageDataset, spread
from genimg_desktop.engine.training.data.imaging import resize_array


def gray_dataset(
    images: np.ndarray, labels: np.ndarray, size: int, limit: int | None, **info: object
) -> ImageDataset:
    """(N, 28, 28) uint8 images resized to `size` (the whole frame: these are already square)."""
    pick = spread(len(images), limit)
    images, labels = images[pick], labels[pick].astype(np.int64)
    if size == images.shape[1]:
        out = images[..., None].copy()
    else:
        out = np.stack([resize_array(Image.fromarray(im, "L"), size) for im in images])
    return ImageDataset(images=out, labels=labels, **info)  # type: ignore[arg-type]
