"""The inpainting bench's held-out images and masks: the same on every run and machine."""

from __future__ import annotations

import numpy as np

from genimg_desktop.core.random_masks import random_mask

MASK_KINDS = ("thin", "medium", "thick")
MASK_SEED = 4242
SIZE, QUICK_SIZE = 256, 96
CLIPART_COUNT, QUICK_CLIPART = 12, 1
QUICK_PHOTOS = 2


def bench_images(quick: bool) -> list[tuple[str, str, np.ndarray]]:
    """(name, source, RGB uint8 square) of the held-out images."""
    from genimg_desktop.engine.training.data import DatasetError, load_dataset

    size = QUICK_SIZE if quick else SIZE
    photos = load_dataset("photos", size, "test", channels=3)
    images = [(f"photo{i}", "photo", photos.images[i]) for i in range(len(photos))]
    images = images[:QUICK_PHOTOS] if quick else images
    try:
        clipart = load_dataset(
            "openclipart", size, "test", channels=3, limit=QUICK_CLIPART if quick else CLIPART_COUNT
        )
    except DatasetError:  # not installed: photos only (the result says so)
        return images
    return images + [(f"clipart{i}", "clipart", clipart.images[i]) for i in range(len(clipart))]


def bench_mask(height: int, width: int, kind: str, index: int) -> np.ndarray:
    """The mask of image `index` and `kind`: the same on every run and machine."""
    return random_mask(height, width, kind, np.random.default_rng([MASK_SEED, index, MASK_KINDS.index(kind)]))
