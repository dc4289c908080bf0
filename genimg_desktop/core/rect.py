"""Integer pixel rectangles as plain tuples (x, y, w, h): cheap to pass around, hash and compare.

An empty rectangle is represented by None, never by w == 0 or h == 0, so `if rect:` is enough.
"""

from __future__ import annotations

import math

Rect = tuple[int, int, int, int]


def clip_rect(rect: Rect | None, width: int, height: int) -> Rect | None:
    """`rect` intersected with the image area (0, 0, width, height); None if nothing is left."""
    if rect is None:
        return None
    x, y, w, h = rect
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + w, width), min(y + h, height)
    if x1 <= x0 or y1 <= y0:
        return None
    return (x0, y0, x1 - x0, y1 - y0)


def union_rect(a: Rect | None, b: Rect | None) -> Rect | None:
    """Smallest rectangle holding both; None only when both are None."""
    if a is None:
        return b
    if b is None:
        return a
    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
    x1, y1 = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return (x0, y0, x1 - x0, y1 - y0)


def expand_rect(rect: Rect, margin: int) -> Rect:
    """`rect` grown by `margin` pixels on every side (not clipped)."""
    x, y, w, h = rect
    return (x - margin, y - margin, w + 2 * margin, h + 2 * margin)


def rect_from_bounds(x0: float, y0: float, x1: float, y1: float) -> Rect:
    """The pixels touched by the continuous box [x0, x1] x [y0, y1] (pixel i covers [i, i + 1))."""
    ix0, iy0 = math.floor(x0), math.floor(y0)
    ix1, iy1 = math.floor(x1) + 1, math.floor(y1) + 1
    return (ix0, iy0, ix1 - ix0, iy1 - iy0)


def rect_slices(rect: Rect) -> tuple[slice, slice]:
    """numpy index (rows, cols) of a rectangle: `array[rect_slices(r)]`."""
    x, y, w, h = rect
    return slice(y, y + h), slice(x, x + w)
