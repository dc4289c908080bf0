"""Select subject: a rectangle drawn around an object gives a mask of it (OpenCV's GrabCut).

GrabCut models the colours inside the rectangle and outside it (the background) as Gaussian mixtures
and cuts the graph between them. It runs on the rectangle and a margin of background around it,
scaled down to at most WORK_SIDE px, so its time does not grow with the picture; the mask is scaled
back and grown by `grow_px` (default GROW_PX) so that a fill over it does not keep the object's
outline (its halo of mixed edge pixels).
"""

from __future__ import annotations

import cv2
import numpy as np

from genimg_desktop.core import mask as maskops
from genimg_desktop.core.rect import Rect, clip_rect, rect_slices

GROW_PX = 6  # the default grow: past the anti-aliased edge and a little shadow
WORK_SIDE = 640  # GrabCut's working size (longest side of rectangle + margin)
MIN_SIDE = 8  # a smaller rectangle holds too few pixels to model the object
ITERATIONS = 5
SPECK_SHARE = 0.01  # islands and holes under this share of the largest part are GrabCut's noise


def select_subject(rgb: np.ndarray, rect: Rect, grow_px: float = GROW_PX) -> np.ndarray:
    """The (H, W) uint8 mask (255 = subject) of the object inside `rect` (x, y, w, h) of `rgb` (H, W, 3).

    ValueError with the reason when the rectangle is too small, outside the picture, or leaves no
    background around it to tell the object from.
    """
    h, w = rgb.shape[:2]
    box = clip_rect(rect, w, h)
    if box is None or min(box[2], box[3]) < MIN_SIDE:
        raise ValueError(f"draw a rectangle of at least {MIN_SIDE} x {MIN_SIDE} px around the subject")
    if box == (0, 0, w, h):
        raise ValueError("leave some background outside the rectangle: GrabCut learns it from there")
    region = _with_margin(box, w, h)
    found = _grabcut(rgb[rect_slices(region)], _inside(box, region))
    out = np.zeros((h, w), np.uint8)
    out[rect_slices(region)] = _without_specks(found)
    return maskops.grow(out, grow_px) if grow_px > 0 and out.any() else out


def _with_margin(box: Rect, w: int, h: int) -> Rect:
    """The rectangle with a background margin (a quarter of its size, at least 16 px) around it."""
    x, y, bw, bh = box
    mx, my = max(16, bw // 4), max(16, bh // 4)
    grown = clip_rect((x - mx, y - my, bw + 2 * mx, bh + 2 * my), w, h)
    assert grown is not None  # it holds `box`, which is inside the picture
    return grown


def _inside(box: Rect, region: Rect) -> Rect:
    return box[0] - region[0], box[1] - region[1], box[2], box[3]


def _without_specks(fg: np.ndarray) -> np.ndarray:
    """Drop islands of the mask, and fill holes in it, smaller than SPECK_SHARE of its largest part."""
    for value in (255, 0):  # islands of the object, then holes (islands of the background inside)
        count, labels, stats, _ = cv2.connectedComponentsWithStats((fg == value).astype(np.uint8), 8)
        if count <= 2:
            continue
        areas = stats[1:, cv2.CC_STAT_AREA]
        small = np.flatnonzero(areas < SPECK_SHARE * areas.max()) + 1
        fg[np.isin(labels, small)] = 255 - value
    return fg


def _grabcut(rgb: np.ndarray, rect: Rect) -> np.ndarray:
    """GrabCut on `rgb` (scaled to WORK_SIDE) with `rect` in its coordinates: a 0/255 mask of rgb's size."""
    h, w = rgb.shape[:2]
    scale = min(1.0, WORK_SIDE / max(h, w))
    small = (
        rgb
        if scale == 1.0
        else cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    )
    sh, sw = small.shape[:2]
    x0, y0 = round(rect[0] * scale), round(rect[1] * scale)
    x1, y1 = min(sw, round((rect[0] + rect[2]) * scale)), min(sh, round((rect[1] + rect[3]) * scale))
    if (x0, y0, x1, y1) == (0, 0, sw, sh):
        raise ValueError("leave some background outside the rectangle: GrabCut learns it from there")
    labels = np.zeros((sh, sw), np.uint8)
    models = (np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64))
    bgr = cv2.cvtColor(np.ascontiguousarray(small[..., :3]), cv2.COLOR_RGB2BGR)
    cv2.grabCut(bgr, labels, (x0, y0, x1 - x0, y1 - y0), *models, ITERATIONS, cv2.GC_INIT_WITH_RECT)
    fg = np.where((labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD), 255, 0).astype(np.uint8)
    if scale == 1.0:
        return fg
    return np.where(cv2.resize(fg, (w, h), interpolation=cv2.INTER_LINEAR) >= 128, 255, 0).astype(np.uint8)
