"""Sample grids written during training: one row per class, the same latent seed every time, so
successive grids show the same samples improving."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from genimg_desktop.core.imageio import save_image
from genimg_desktop.engine.training.batches import to_uint8
from genimg_desktop.engine.training.family_trainer import FamilyTrainer

PER_CLASS = 8
MAX_ROWS = 16
_PAD = 2


def grid_layout(num_classes: int) -> tuple[int, int]:
    """(sample count, columns): a row of PER_CLASS per class, or an 8x8 grid without (or with too
    many) classes."""
    if 1 < num_classes <= MAX_ROWS:
        return num_classes * PER_CLASS, PER_CLASS
    return 64, 8


def grid_image(samples: torch.Tensor, columns: int) -> np.ndarray:
    """(N, C, H, W) in [-1, 1] -> one uint8 image (gray (h, w) or RGB (h, w, 3)) with a dark gap."""
    pixels = to_uint8(samples).cpu().numpy().transpose(0, 2, 3, 1)  # (N, H, W, C)
    count, height, width, channels = pixels.shape
    rows = -(-count // columns)
    canvas = np.full(
        (rows * (height + _PAD) + _PAD, columns * (width + _PAD) + _PAD, channels), 32, dtype=np.uint8
    )
    for i, tile in enumerate(pixels):
        y = _PAD + (i // columns) * (height + _PAD)
        x = _PAD + (i % columns) * (width + _PAD)
        canvas[y : y + height, x : x + width] = tile
    return canvas[..., 0] if channels == 1 else canvas[..., :3]


def write_sample_grid(trainer: FamilyTrainer, path: Path, seed: int) -> Path:
    count, columns = grid_layout(trainer.data.num_classes)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        samples = trainer.sample_grid(count, generator)
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_image(path, grid_image(samples, columns))
