"""Mask editing on uint8 (H, W) arrays, 255 = regenerate. Built to stay fast on 8192 x 8192 masks.

Two kinds of functions:
- brush/shape tools (`stamp_segment`, `fill_rect`, `fill_polygon`) change the mask IN PLACE and only
  touch the bounding box of the shape; they return that dirty rect (x, y, w, h) for the canvas, or None
  when the shape lies outside the mask. `segment_rect` / `polygon_rect` give the same rect BEFORE
  painting, for `TileRecorder.touch` (undo must save tiles before they change);
- whole-mask operations (`invert`, `clear`, `grow`, `shrink`, `feather`) are pure: they return a new
  array and leave their input alone, so an undo step is just "old array, new array".

Coordinates are image coordinates as floats; pixel (i, j) covers [j, j + 1) x [i, i + 1), so its
centre is (j + 0.5, i + 0.5).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from genimg_desktop.core.rect import Rect, clip_rect, expand_rect, rect_from_bounds, rect_slices

Point = tuple[float, float]

# A dab at least this large always covers the centre of the pixel under the cursor (sqrt(0.5)).
MIN_RADIUS = 0.71
# Up to this radius a direct elliptic kernel is cheap; beyond it the cost grows with radius squared.
_DIRECT_MORPH_RADIUS = 8
# Above this sigma a Gaussian kernel gets long; three box blurs look the same at constant cost.
_DIRECT_BLUR_SIGMA = 8.0


def _check(mask: np.ndarray) -> None:
    if mask.dtype != np.uint8 or mask.ndim != 2:
        raise ValueError(f"a mask must be a uint8 (H, W) array, got {mask.dtype} {mask.shape}")


def _size(mask: np.ndarray) -> tuple[int, int]:
    return int(mask.shape[1]), int(mask.shape[0])


# ---------------------------------------------------------------- brush and shapes (in place)


def stamp_segment(
    mask: np.ndarray, p0: Point, p1: Point, radius: float, hardness: float, value: int
) -> Rect | None:
    """Paint the segment p0 -> p1 with a round brush, in place; return the dirty rect or None.

    The stroke is the continuous sweep of round dabs along the segment (a capsule), so consecutive
    segments join without beads. `hardness` 1 gives a hard binary edge; lower values fade the outer
    (1 - hardness) part of the radius with a smoothstep. Painting (value > 0) keeps the maximum of old
    and new so a stroke never darkens what is already selected; erasing (value == 0) keeps the minimum,
    so a soft eraser only lowers values.
    """
    _check(mask)
    box = segment_rect(mask, p0, p1, radius)
    if box is None:
        return None
    alpha = _brush_alpha(_segment_distance(box, p0, p1), max(float(radius), MIN_RADIUS), hardness)
    region = mask[rect_slices(box)]
    if value > 0:
        np.maximum(region, np.rint(alpha * min(int(value), 255)).astype(np.uint8), out=region)
    else:
        np.minimum(region, np.rint((1.0 - alpha) * 255.0).astype(np.uint8), out=region)
    return box


def segment_rect(mask: np.ndarray, p0: Point, p1: Point, radius: float) -> Rect | None:
    """The rect `stamp_segment` would touch, without painting: give it to `TileRecorder.touch` first."""
    r = max(float(radius), MIN_RADIUS)
    (x0, y0), (x1, y1) = p0, p1
    box = rect_from_bounds(min(x0, x1) - r, min(y0, y1) - r, max(x0, x1) + r, max(y0, y1) + r)
    return clip_rect(box, *_size(mask))


def _segment_distance(box: Rect, p0: Point, p1: Point) -> np.ndarray:
    """Distance from each pixel centre in `box` to the segment p0-p1, float32 (h, w)."""
    bx, by, bw, bh = box
    xs = np.arange(bx, bx + bw, dtype=np.float32)[None, :] + np.float32(0.5 - p0[0])
    ys = np.arange(by, by + bh, dtype=np.float32)[:, None] + np.float32(0.5 - p0[1])
    dx, dy = np.float32(p1[0] - p0[0]), np.float32(p1[1] - p0[1])
    length2 = float(dx * dx + dy * dy)
    if length2 < 1e-12:
        return np.sqrt(xs * xs + ys * ys)
    t = np.clip((xs * dx + ys * dy) / np.float32(length2), 0.0, 1.0)
    ex, ey = xs - t * dx, ys - t * dy
    return np.sqrt(ex * ex + ey * ey)


def _brush_alpha(dist: np.ndarray, radius: float, hardness: float) -> np.ndarray:
    """Brush coverage 0..1 from the distance to the stroke centre line."""
    hardness = min(max(float(hardness), 0.0), 1.0)
    if hardness >= 1.0:
        return (dist <= radius).astype(np.float32)
    inner = radius * hardness
    t = np.clip((radius - dist) / np.float32(radius - inner), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def fill_rect(mask: np.ndarray, rect: Rect, value: int) -> Rect | None:
    """Set every pixel of `rect` (clipped) to `value`, in place; return the clipped rect or None."""
    _check(mask)
    box = clip_rect(rect, *_size(mask))
    if box is not None:
        mask[rect_slices(box)] = value
    return box


def fill_polygon(mask: np.ndarray, points: Sequence[Point], value: int) -> Rect | None:
    """Fill the polygon (a lasso) with `value`, in place, without antialiasing; return the dirty rect.

    A pixel is filled when its centre lies inside the polygon (OpenCV's rule, sub-pixel vertices).
    """
    _check(mask)
    box = polygon_rect(mask, points)
    if box is None:
        return None
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    shift = 4  # 1/16 pixel precision for the vertices
    local = np.rint((pts - (box[0] + 0.5, box[1] + 0.5)) * (1 << shift)).astype(np.int32)
    cv2.fillPoly(mask[rect_slices(box)], [local], int(value), lineType=cv2.LINE_8, shift=shift)
    return box


def polygon_rect(mask: np.ndarray, points: Sequence[Point]) -> Rect | None:
    """The rect `fill_polygon` would touch (None for fewer than 3 points or outside the mask)."""
    if len(points) < 3:
        return None
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    return clip_rect(rect_from_bounds(lo[0], lo[1], hi[0], hi[1]), *_size(mask))


# ---------------------------------------------------------------- whole-mask operations (pure)


def invert(mask: np.ndarray) -> np.ndarray:
    """New mask 255 - mask."""
    _check(mask)
    return cv2.bitwise_not(mask)


def clear(mask: np.ndarray) -> np.ndarray:
    """New all-zero mask of the same size."""
    _check(mask)
    return np.zeros_like(mask)


def mask_bbox(mask: np.ndarray, threshold: int = 0) -> Rect | None:
    """Bounding rect of pixels whose value is > threshold, or None if there are none."""
    _check(mask)
    src = mask if threshold <= 0 else (mask > threshold).view(np.uint8)
    x, y, w, h = cv2.boundingRect(src)
    return (int(x), int(y), int(w), int(h)) if w and h else None


def grow(mask: np.ndarray, px: float) -> np.ndarray:
    """New mask dilated by a disk of radius `px` (grey-level dilation: soft edges keep their ramp)."""
    return _morph(mask, px, dilate=True)


def shrink(mask: np.ndarray, px: float) -> np.ndarray:
    """New mask eroded by a disk of radius `px`. The image border does not eat into the mask."""
    return _morph(mask, px, dilate=False)


def _morph(mask: np.ndarray, px: float, dilate: bool) -> np.ndarray:
    _check(mask)
    out = mask.copy()
    radius = int(round(px))
    bbox = mask_bbox(mask)
    if radius <= 0 or bbox is None:
        return out
    # Only pixels within `radius` of a non-zero pixel can change (grow) or be non-zero (shrink).
    work = clip_rect(expand_rect(bbox, radius + 1), *_size(mask))
    assert work is not None
    region = mask[rect_slices(work)]
    if radius <= _DIRECT_MORPH_RADIUS:
        result = _disk_morph(region, radius, dilate)
    elif _is_binary(region):
        result = _distance_morph(region, radius, dilate)
    else:
        result = _chained_morph(region, radius, dilate)
    out[rect_slices(work)] = result
    return out


def _disk(radius: int) -> np.ndarray:
    """Structuring element: the pixels at distance <= radius from the centre."""
    r = np.arange(-radius, radius + 1)
    return ((r[:, None] ** 2 + r[None, :] ** 2) <= radius * radius).astype(np.uint8)


def _disk_morph(region: np.ndarray, radius: int, dilate: bool) -> np.ndarray:
    op = cv2.dilate if dilate else cv2.erode
    # Default border value: neutral for the operation, so the image edge neither grows nor erodes.
    return op(region, _disk(radius))


def _chained_morph(region: np.ndarray, radius: int, dilate: bool) -> np.ndarray:
    """Soft masks, large radius: a disk of radius a+b equals a disk of a then one of b (Minkowski sum).

    Digital disks make the result slightly polygonal: along diagonals it may fall short of the radius
    by up to ~5 %, which is not visible on a soft edge; binary masks take the exact path instead.
    """
    steps = math.ceil(radius / _DIRECT_MORPH_RADIUS)
    out = region
    done = 0
    for i in range(steps):
        step = (radius * (i + 1)) // steps - done
        out = _disk_morph(out, step, dilate)
        done += step
    return out


def _is_binary(region: np.ndarray) -> bool:
    return not np.any((region > 0) & (region < 255))


def _distance_morph(region: np.ndarray, radius: int, dilate: bool) -> np.ndarray:
    """Binary masks, large radius: exact Euclidean distance transform, cost independent of radius."""
    if dilate:
        # Distance of every unselected pixel to the nearest selected one.
        dist = cv2.distanceTransform(cv2.bitwise_not(region), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
        return np.where(dist <= radius, np.uint8(255), np.uint8(0))
    # Distance of every selected pixel to the nearest unselected one (outside the image counts as
    # selected, so the border does not erode the mask).
    dist = cv2.distanceTransform(region, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    return np.where(dist > radius, np.uint8(255), np.uint8(0))


def feather(mask: np.ndarray, px: float) -> np.ndarray:
    """New mask blurred with a Gaussian of sigma px / 2 (the edge ramp is about 3 px wide); 0 = copy.

    The blur spreads both inwards and outwards. Pixels farther than ~1.5 px from any non-zero pixel
    stay exactly 0. At the image border the mask is mirrored, so a mask touching the edge stays solid.
    """
    _check(mask)
    out = mask.copy()
    sigma = float(px) / 2.0
    bbox = mask_bbox(mask)
    if sigma <= 0 or bbox is None:
        return out
    reach = _blur_reach(sigma)
    work = clip_rect(expand_rect(bbox, 2 * reach + 2), *_size(mask))
    assert work is not None
    out[rect_slices(work)] = _blur(mask[rect_slices(work)], sigma)
    return out


def _blur_reach(sigma: float) -> int:
    """How far (px) the blur kernel reaches from its centre."""
    if sigma <= _DIRECT_BLUR_SIGMA:
        return math.ceil(3.0 * sigma)
    return 3 * (_box_width(sigma) // 2)


def _box_width(sigma: float) -> int:
    # A box of odd width w has variance (w^2 - 1) / 12; three passes add up to sigma^2.
    w = round(math.sqrt(4.0 * sigma * sigma + 1.0))
    return w if w % 2 else w + 1


def _blur(region: np.ndarray, sigma: float) -> np.ndarray:
    if sigma <= _DIRECT_BLUR_SIGMA:
        k = 2 * math.ceil(3.0 * sigma) + 1
        return cv2.GaussianBlur(region, (k, k), sigma, borderType=cv2.BORDER_REFLECT_101)
    # Three box blurs (cost independent of sigma) are within ~4 % of a Gaussian: invisible on a mask.
    w = _box_width(sigma)
    out = region
    for _ in range(3):
        out = cv2.blur(out, (w, w), borderType=cv2.BORDER_REFLECT_101)
    return out
