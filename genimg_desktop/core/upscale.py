"""Upscaling policy and alpha, without torch: what the engine, the CLI and the window share.

A network enlarges by its native scale only (x2, x4). Another factor runs the network as many times
as it takes to reach at least that factor (an x2 network twice for x4 or x3) and then shrinks the
result with Lanczos to the exact size: shrinking a larger result keeps more detail than enlarging a
smaller one. The networks see RGB only; alpha is enlarged on its own (Lanczos) and put back.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

MAX_FACTOR = 8.0


def passes(native: int, factor: float) -> int:
    """How many times a network of scale `native` runs to enlarge by at least `factor`."""
    if native < 2:
        raise ValueError(f"an upscaling network enlarges by 2 or more, not {native}")
    if not 1.0 <= factor <= MAX_FACTOR:
        raise ValueError(f"the factor must be between 1 and {MAX_FACTOR:g}, got {factor:g}")
    return max(1, math.ceil(math.log(factor, native) - 1e-9))


def target_size(size: tuple[int, int], factor: float) -> tuple[int, int]:
    """(width, height) of a picture of `size` enlarged by `factor`."""
    return max(1, round(size[0] * factor)), max(1, round(size[1] * factor))


def factor_for(size: tuple[int, int], wanted: tuple[int, int]) -> float:
    """The factor that enlarges `size` to cover `wanted` (the larger of the two sides' ratios)."""
    return max(wanted[0] / size[0], wanted[1] / size[1])


def resample(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """(H, W, C) uint8 (C = 1, 3 or 4; alpha premultiplied by Pillow) resized to `size` with Lanczos."""
    if image.shape[1::-1] == tuple(size):
        return image
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[image.shape[2]]
    resized = Image.fromarray(np.ascontiguousarray(image.squeeze(2) if mode == "L" else image), mode)
    out = np.asarray(resized.resize(tuple(size), Image.Resampling.LANCZOS), dtype=np.uint8)
    return out[..., None] if mode == "L" else out


def opaque_alpha(rgba: np.ndarray) -> np.ndarray | None:
    """The (H, W, 1) alpha of a picture to enlarge beside its colour, or None when it is opaque."""
    alpha = rgba[..., 3:4]
    return None if (alpha == 255).all() else np.array(alpha)


def attach_alpha(rgb: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """(H, W, 4): `rgb` (a network's output) with `alpha` ((h, w, 1), see `opaque_alpha`; None:
    opaque) enlarged with Lanczos to its size."""
    height, width = rgb.shape[:2]
    opaque = np.full((height, width, 1), 255, np.uint8)
    return np.concatenate([rgb, opaque if alpha is None else resample(alpha, (width, height))], axis=2)


def resize_mask(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """An (H, W) uint8 mask scaled to `size` bilinearly (Lanczos' ripples would select stray pixels)."""
    if mask.shape[::-1] == tuple(size):
        return mask
    grey = Image.fromarray(np.ascontiguousarray(mask), "L").resize(tuple(size), Image.Resampling.BILINEAR)
    return np.asarray(grey, dtype=np.uint8)
