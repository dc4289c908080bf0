"""Fidelity scores of a picture against its original: PSNR over RGB and over luma (Y), the one
place they are computed (the benches and the trainers' held-out scores use these).

Pictures are uint8 (H, W, 3) RGB or float arrays in [0, 1]; the peak is 1 after scaling.
"""

from __future__ import annotations

import math

import numpy as np

PSNR_CAP = 100.0  # identical pictures: a large finite number, so means and tables stay numbers

# ITU-R BT.601 luma as the super-resolution literature scores it (Y of YCbCr, 16..235 range).
_Y_WEIGHTS = np.array([65.481, 128.553, 24.966]) / 255.0


def as_unit(image: np.ndarray) -> np.ndarray:
    """float64 in [0, 1]: uint8 is divided by 255, floats are taken as they are."""
    if image.dtype == np.uint8:
        return image.astype(np.float64) / 255.0
    return image.astype(np.float64)


def psnr_from_mse(mse: float) -> float:
    return PSNR_CAP if mse <= 0 else min(PSNR_CAP, 10.0 * math.log10(1.0 / mse))


def psnr(original: np.ndarray, result: np.ndarray, border: int = 0) -> float:
    """PSNR in dB over every channel, leaving `border` pixels out on each side."""
    a, b = _trim(as_unit(original), border), _trim(as_unit(result), border)
    if a.shape != b.shape:
        raise ValueError(f"pictures differ in size: {a.shape} vs {b.shape}")
    return psnr_from_mse(float(np.mean((a - b) ** 2)))


def luma(image: np.ndarray) -> np.ndarray:
    """Y (in [0, 1] scale, 16/255..235/255) of an RGB picture (H, W, 3)."""
    return as_unit(image) @ _Y_WEIGHTS + 16.0 / 255.0


def psnr_y(original: np.ndarray, result: np.ndarray, border: int = 0) -> float:
    """PSNR in dB of the luma channel, leaving `border` pixels out on each side (for x`s` upscaling
    the literature leaves `s` out: the edge pixels depend on the padding, not on the method)."""
    a, b = _trim(luma(original), border), _trim(luma(result), border)
    if a.shape != b.shape:
        raise ValueError(f"pictures differ in size: {a.shape} vs {b.shape}")
    return psnr_from_mse(float(np.mean((a - b) ** 2)))


def _trim(image: np.ndarray, border: int) -> np.ndarray:
    return image[border : image.shape[0] - border, border : image.shape[1] - border] if border else image
