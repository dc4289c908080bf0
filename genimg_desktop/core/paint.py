"""The colour brush: strokes painted straight onto the RGBA picture, with the mask brush's own dab.

A stroke keeps a `coverage` array (H, W) uint8, zero when the stroke starts: how much of the stroke
each pixel has had so far. Each segment raises it with `mask.stamp_segment` (the same soft round dab
the mask brush paints, so both brushes feel the same) and moves each pixel towards the colour only by
that rise. So a soft stroke lays its colour once, as one sweep of the brush, without darker beads
where its segments overlap; a second stroke builds up over the first. Only the segment's box is
touched, which keeps a stroke fast on a large picture.
"""

from __future__ import annotations

import numpy as np

from genimg_desktop.core import mask as maskops
from genimg_desktop.core.rect import Rect, rect_slices

Colour = tuple[int, int, int]


def paint_segment(
    image: np.ndarray,
    coverage: np.ndarray,
    p0: maskops.Point,
    p1: maskops.Point,
    radius: float,
    hardness: float,
    colour: Colour,
) -> Rect | None:
    """Paint the segment p0 -> p1 of a stroke in `colour` onto `image`, in place; the dirty rect or None.

    `maskops.segment_rect(coverage, p0, p1, radius)` is the rect it may touch (for `TileRecorder.touch`).
    """
    box = maskops.segment_rect(coverage, p0, p1, radius)
    if box is None:
        return None
    index = rect_slices(box)
    before = coverage[index].astype(np.float32)
    maskops.stamp_segment(coverage, p0, p1, radius, hardness, 255)
    after = coverage[index].astype(np.float32)
    rise = after > before
    if not rise.any():
        return None
    # The share of what is left to reach the colour: coverage c paints c/255 of the colour over the
    # pixel as it was before the stroke, whatever steps took it there.
    t = (after - before) / np.maximum(255.0 - before, 1.0)
    region = image[index]
    painted = _over(region, np.asarray(colour, np.float32), t)
    region[rise] = painted[rise]
    return box


def _over(region: np.ndarray, colour: np.ndarray, t: np.ndarray) -> np.ndarray:
    """An opaque `colour` with coverage `t` over the straight-alpha RGBA `region` (Porter-Duff over)."""
    below = region[..., 3].astype(np.float32) / 255.0 * (1.0 - t)
    alpha = t + below
    rgb = (colour * t[..., None] + region[..., :3].astype(np.float32) * below[..., None]) / np.maximum(
        alpha, 1e-6
    )[..., None]
    out = np.empty_like(region)
    out[..., :3] = np.clip(np.rint(rgb), 0, 255)
    out[..., 3] = np.clip(np.rint(alpha * 255.0), 0, 255)
    return out
