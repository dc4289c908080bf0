"""The colour brush: strokes painted straight onto the RGBA picture, with the mask brush's own dab.

A stroke keeps a `coverage` array (H, W) uint8, zero when the stroke starts: how much of the stroke
each pixel has had so far. Each segment raises it with `mask.stamp_segment` (the same soft round dab
the mask brush paints, so both brushes feel the same) and moves each pixel towards the colour only by
that rise. So a soft stroke lays its colour once, as one sweep of the brush, without darker beads
where its segments overlap; a second stroke builds up over the first. Only the segment's box is
touched, which keeps a stroke fast on a large picture.
"""

from __future__ import annotations

import cv2
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
    before = coverage[index].copy()
    maskops.stamp_segment(coverage, p0, p1, radius, hardness, 255)
    rise = coverage[index] > before
    # Along a stroke most of a big dab is covered already: blend only the box of what rose.
    part = maskops.mask_bbox(rise.view(np.uint8))
    if part is None:
        return None
    inner = rect_slices(part)
    old = before[inner].astype(np.float32)
    # The share of what is left to reach the colour: coverage c paints c/255 of the colour over the
    # pixel as it was before the stroke, whatever steps took it there.
    t = (coverage[index][inner].astype(np.float32) - old) / np.maximum(255.0 - old, 1.0)
    region = image[index][inner]
    np.copyto(region, _over(region, colour, t), where=rise[inner][..., None])
    return (box[0] + part[0], box[1] + part[1], part[2], part[3])


def _over(region: np.ndarray, colour: Colour, t: np.ndarray) -> np.ndarray:
    """An opaque `colour` with coverage `t` over the straight-alpha RGBA `region` (Porter-Duff over).

    The colour's weight is t, the pixel's a * (1 - t) (its alpha a): a transparent pixel's hidden RGB
    gives nothing, so a soft edge on transparency keeps the pure colour. OpenCV blends with per-pixel
    weights in one pass, several times faster than the same in numpy on a big soft dab.
    """
    below = region[..., 3].astype(np.float32) * np.float32(1.0 / 255.0)
    below *= 1.0 - t
    fill = np.empty_like(region)
    fill[:] = (*colour, 255)
    out = cv2.blendLinear(region, fill, below, t)
    alpha = (t + below) * np.float32(255.0)
    out[..., 3] = np.clip(np.rint(alpha), 0, 255)
    return out
