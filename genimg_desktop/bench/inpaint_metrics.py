"""Scores of an inpainted image against the original, inside the hole only (the rest is copied).

L1: mean absolute error in [0, 1] units. PSNR: over the hole pixels' mean squared error, peak 1.
SSIM: scikit-image's SSIM map (7x7 window, per channel) averaged over the hole pixels, so the
structure around each filled pixel counts, including how it meets the kept pixels at the seam.
"""

from __future__ import annotations

import math

import numpy as np


def hole_scores(original: np.ndarray, filled: np.ndarray, mask: np.ndarray) -> dict[str, float]:
    """{"l1", "psnr", "ssim"} of `filled` vs `original` ((H, W, 3) uint8) where `mask` > 0."""
    from skimage.metrics import structural_similarity

    hole = mask > 0
    if not hole.any():
        raise ValueError("empty mask: nothing to score")
    a = original.astype(np.float64) / 255.0
    b = filled.astype(np.float64) / 255.0
    diff = (a - b)[hole]  # (n, 3)
    mse = float(np.mean(diff**2))
    psnr = 100.0 if mse == 0 else 10.0 * math.log10(1.0 / mse)  # capped: identical is not infinite
    _, ssim_map = structural_similarity(a, b, channel_axis=2, data_range=1.0, full=True)
    return {"l1": float(np.mean(np.abs(diff))), "psnr": psnr, "ssim": float(ssim_map[hole].mean())}
