"""The inpainting crop at the right scale: native resolution when it fits, else coarse-to-fine.

A crop (hole + context margin) longer than `max_side` is filled on a downscaled copy first, which
keeps the time and memory of a huge hole bounded and gives the fill the whole hole's structure in one
view; the coarse fill is scaled back up. A model that can refine then restores detail at full
resolution, starting from the upscaled fill, in overlapping tiles no longer than `max_side` (only
tiles that touch the hole run), blended with linear ramps across the overlaps so no seam shows.
Used by `base.inpaint_crop`, so every inpainting model gets the same strategy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import cv2
import numpy as np

from genimg_desktop.core.progress import JobControl

CropFill = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (crop, hole) -> filled crop
# (crop, hole, first guess of the filled crop) -> filled crop: a model refining a fill at full size
CropRefine = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]

TILE_OVERLAP = 64  # pixels two neighbouring refine tiles share (and blend across)


def fill_at_scale(
    crop: np.ndarray, hole: np.ndarray, fill: CropFill, max_side: int | None, refine: CropRefine | None
) -> np.ndarray:
    """The filled crop (H, W, C) uint8: `fill` at native size when the crop fits `max_side` (None: any
    size fits), else the coarse-to-fine path described in the module docstring."""
    height, width = hole.shape
    if max_side is None or max(height, width) <= max_side:
        return fill(crop, hole)
    scale = max_side / max(height, width)
    size = (max(round(width * scale), 1), max(round(height * scale), 1))
    small_hole = cv2.resize(hole, size, interpolation=cv2.INTER_AREA)  # partly covered pixels stay holes
    small = fill(cv2.resize(crop, size, interpolation=cv2.INTER_AREA), small_hole)
    coarse = _restore_shape(cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC), crop)
    if refine is None:
        return coarse
    return refine_in_tiles(crop, hole, coarse, refine, max_side)


def checked(refine: CropRefine, control: JobControl) -> CropRefine:
    """`refine` that first checks `control` for a cancel: a huge hole's tiles are the steps a cancel
    lands between (each a network pass of at most max_side a side)."""

    def run(crop: np.ndarray, hole: np.ndarray, guess: np.ndarray) -> np.ndarray:
        control.check()
        return refine(crop, hole, guess)

    return run


def refine_in_tiles(
    crop: np.ndarray, hole: np.ndarray, guess: np.ndarray, refine: CropRefine, tile: int
) -> np.ndarray:
    """`refine` over tiles of at most `tile` pixels a side that touch the hole, blended in the overlaps;
    pixels no tile covered keep `guess`."""
    height, width = hole.shape
    # At most half a tile: tiles of 64 px with 64 px of overlap would start at every pixel.
    overlap = min(TILE_OVERLAP, tile // 2)
    total = np.zeros(crop.shape, np.float32)
    weights = np.zeros((height, width, 1), np.float32)
    for rows, cols in _tiles(height, width, tile, overlap):
        if not hole[rows, cols].any():
            continue
        part = refine(crop[rows, cols], hole[rows, cols], guess[rows, cols])
        ramp = _ramp(rows, height, overlap)[:, None] * _ramp(cols, width, overlap)[None, :]
        total[rows, cols] += _restore_shape(part, crop[rows, cols]).astype(np.float32) * ramp[..., None]
        weights[rows, cols] += ramp[..., None]
    covered = weights[..., 0] > 0
    out = guess.copy()
    out[covered] = np.clip(np.rint(total[covered] / weights[covered]), 0, 255).astype(np.uint8)
    return out


def _tiles(height: int, width: int, tile: int, overlap: int) -> Iterator[tuple[slice, slice]]:
    for top in _starts(height, tile, overlap):
        for left in _starts(width, tile, overlap):
            yield slice(top, min(top + tile, height)), slice(left, min(left + tile, width))


def _starts(length: int, tile: int, overlap: int) -> list[int]:
    """Tile origins covering 0..length with at least `overlap` shared pixels between neighbours."""
    if length <= tile:
        return [0]
    step = max(tile - overlap, 1)
    return [*range(0, length - tile, step), length - tile]


def _ramp(span: slice, length: int, overlap: int) -> np.ndarray:
    """Blend weights along one axis of a tile: rising over `overlap` pixels from an inner edge, flat 1
    at the crop's own border (nothing there to blend with)."""
    size = span.stop - span.start
    ramp = np.ones(size, np.float32)
    rise = np.arange(1, overlap + 1, dtype=np.float32) / (overlap + 1)
    edge = min(overlap, size)
    if span.start > 0:
        ramp[:edge] = np.minimum(ramp[:edge], rise[:edge])
    if span.stop < length:
        ramp[size - edge :] = np.minimum(ramp[size - edge :], rise[:edge][::-1])
    return ramp


def _restore_shape(image: np.ndarray, like: np.ndarray) -> np.ndarray:
    """cv2 drops a trailing channel axis of size 1: put it back so shapes match the crop's."""
    return image.reshape(like.shape) if image.ndim != like.ndim else image
