"""Put a generated result into the image through the mask, touching only the masked pixels.

Guarantee: every pixel whose blend weight is 0 is bit-exactly the base pixel (colour and alpha), so
applying an inpainting result never degrades the rest of the picture (no re-encoding, no rounding).

Feathering choice: the ramp lies INSIDE the painted mask. An inpainting model returns the input
unchanged outside its mask, so only pixels the artist painted can change; feathering makes the
result fade in over about feather_px pixels inside the mask's edge (about half weight at the edge
itself), so the seam is soft and the pixels outside the mask stay bit-exact.
"""

from __future__ import annotations

import numpy as np

from genimg_desktop.core.mask import feather, mask_bbox
from genimg_desktop.core.rect import Rect

_ROWS_PER_CHUNK = 512  # bounds the float temporaries to ~ 512 x W x 4 x 4 bytes


def blend_weights(mask: np.ndarray, feather_px: float = 0.0) -> np.ndarray:
    """The (H, W) uint8 weights `composite_masked` uses: the mask, softened inward if feathered.

    Never above the mask, so a weight is 0 wherever the mask is 0.
    """
    if feather_px <= 0:
        return mask
    return np.minimum(mask, feather(mask, feather_px / 2.0))


def composite_masked(
    base_rgba: np.ndarray, result_rgb: np.ndarray, mask: np.ndarray, feather_px: float = 0.0
) -> np.ndarray:
    """New RGBA: base where the weight is 0, result where it is 255, a linear blend in between.

    result_rgb is (H, W, 3) or (H, W, 4) (its alpha is ignored: generated pixels are opaque). The blend
    is done with premultiplied alpha, so a transparent base pixel takes the result's colour rather
    than a mix with the invisible colour under it; alpha becomes 255 where the result fully applies.
    """
    _check_shapes(base_rgba, result_rgb, mask)
    weights = blend_weights(mask, feather_px)
    out = base_rgba.copy()
    box = mask_bbox(weights)
    if box is None:
        return out
    x, y, w, h = box
    for top in range(y, y + h, _ROWS_PER_CHUNK):
        chunk: Rect = (x, top, w, min(_ROWS_PER_CHUNK, y + h - top))
        _blend_into(out, base_rgba, result_rgb, weights, chunk)
    return out


def _check_shapes(base: np.ndarray, result: np.ndarray, mask: np.ndarray) -> None:
    if base.dtype != np.uint8 or base.ndim != 3 or base.shape[2] != 4:
        raise ValueError(f"base must be (H, W, 4) uint8, got {base.dtype} {base.shape}")
    if result.dtype != np.uint8 or result.shape[:2] != base.shape[:2] or result.shape[2:] not in ((3,), (4,)):
        raise ValueError(f"result must be (H, W, 3) uint8 like the base {base.shape}, got {result.shape}")
    if mask.dtype != np.uint8 or mask.shape != base.shape[:2]:
        raise ValueError(f"mask must be (H, W) uint8 like the base {base.shape}, got {mask.shape}")


def _blend_into(
    out: np.ndarray, base: np.ndarray, result: np.ndarray, weights: np.ndarray, box: Rect
) -> None:
    x, y, w, h = box
    rows, cols = slice(y, y + h), slice(x, x + w)
    wts = weights[rows, cols]
    target = out[rows, cols]  # a view: writes go into `out`
    full = wts == 255  # the bulk of a mask: a plain copy, no float maths
    np.copyto(target[..., :3], result[rows, cols, :3], where=full[..., None])
    np.copyto(target[..., 3], np.uint8(255), where=full)
    soft = (wts > 0) & ~full  # only the feathered edge is blended
    if soft.any():
        target[soft] = _blend_pixels(base[rows, cols][soft], result[rows, cols, :3][soft], wts[soft])


def _blend_pixels(base: np.ndarray, result: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(N, 4) base, (N, 3) result, (N,) weights -> (N, 4) "result over base" with premultiplied alpha."""
    wt = weights.astype(np.float32)[:, None] / np.float32(255)
    src = base.astype(np.float32)
    base_alpha = src[:, 3:4] / np.float32(255)
    alpha = base_alpha * (1 - wt) + wt  # the weight acts as the result's coverage
    premul = src[:, :3] * (base_alpha * (1 - wt)) + result.astype(np.float32) * wt
    color = np.divide(premul, alpha, out=np.zeros_like(premul), where=alpha > 0)
    blended = np.concatenate([color, alpha * np.float32(255)], axis=-1)
    return np.clip(np.rint(blended), 0, 255).astype(np.uint8)
