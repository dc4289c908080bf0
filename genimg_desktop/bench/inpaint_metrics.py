"""Scores of an inpainted image against the original, inside the hole only (the rest is copied).

L1: mean absolute error in [0, 1] units. PSNR: over the hole pixels' mean squared error, peak 1.
SSIM: scikit-image's SSIM map (7x7 window, per channel) averaged over the hole pixels, so the
structure around each filled pixel counts, including how it meets the kept pixels at the seam.
Texture: the fill's mean |Laplacian| (grey levels) over the original's in the hole, each plus one
level: 1.0 = as detailed, a smooth fill scores far below, seams and noise push it above. PSNR alone
rewards blur.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import cv2
import numpy as np

from genimg_desktop.bench.inpaint_methods import Method
from genimg_desktop.core.image_quality import psnr_from_mse


def fill_and_score(method: Method, image: np.ndarray, mask: np.ndarray) -> dict[str, float]:
    """{"seconds", **hole_scores} of `method` filling `mask` of `image`. A method that changed kept
    pixels is refused: a bench of one that does is meaningless."""
    start = time.perf_counter()
    filled = method.fill(image, mask)
    seconds = time.perf_counter() - start
    keep = mask == 0
    if filled.shape != image.shape or not np.array_equal(filled[keep], image[keep]):
        raise RuntimeError(f"{method.name} changed pixels outside the mask")
    return {"seconds": seconds, **hole_scores(image, filled, mask)}


def hole_scores(original: np.ndarray, filled: np.ndarray, mask: np.ndarray) -> dict[str, float]:
    """{"l1", "psnr", "ssim", "texture"} of `filled` vs `original` ((H, W, 3) uint8) where `mask` > 0."""
    from skimage.metrics import structural_similarity

    hole = mask > 0
    if not hole.any():
        raise ValueError("empty mask: nothing to score")
    a = original.astype(np.float64) / 255.0
    b = filled.astype(np.float64) / 255.0
    diff = (a - b)[hole]  # (n, 3)
    mse = float(np.mean(diff**2))
    psnr = psnr_from_mse(mse)  # capped: identical is not infinite
    _, ssim_map = structural_similarity(a, b, channel_axis=2, data_range=1.0, full=True)
    # One grey level added to both: a flat original (clip-art) neither divides by zero nor explodes.
    texture = (detail(filled, hole) + 1.0) / (detail(original, hole) + 1.0)
    return {
        "l1": float(np.mean(np.abs(diff))),
        "psnr": psnr,
        "ssim": float(ssim_map[hole].mean()),
        "texture": float(texture),
    }


def detail(image: np.ndarray, where: np.ndarray) -> float:
    """Mean |Laplacian| of the grey picture (0..255 levels) at the pixels where `where` is true."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return float(np.abs(cv2.Laplacian(grey, cv2.CV_32F, ksize=1))[where].mean())


def aggregate(records: list[dict[str, Any]], kinds: tuple[str, ...], names: list[str]) -> dict[str, Any]:
    """{mask kind: {method: mean l1, psnr, ssim, texture, seconds, n}}."""
    table: dict[str, Any] = {}
    for kind in kinds:
        table[kind] = {}
        for name in names:
            rows = [r for r in records if r["mask"] == kind and r["method"] == name]
            if rows:
                table[kind][name] = {
                    key: statistics.fmean(r[key] for r in rows)
                    for key in ("l1", "psnr", "ssim", "texture", "seconds")
                }
                table[kind][name]["n"] = len(rows)
    return table
