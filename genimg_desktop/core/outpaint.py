"""Outpainting's pixels: grow the canvas by a border, mask the border, put a fill into it.

Pure functions over an RGBA image (H, W, 4). `extend` places the picture with core/geometry.py's
`canvas_size` (the one canvas-size function) and masks only the new border, so the fill touches no
old pixel; `fill_border` copies a fill's RGB into the masked border and makes it opaque, leaving
every other pixel bit-exact. `border_for_aspect` is the border that reaches an aspect ratio.
"""

from __future__ import annotations

import numpy as np

from genimg_desktop.core import geometry

Border = tuple[int, int, int, int]  # pixels added on the left, top, right, bottom


def parse_border(text: str) -> Border:
    """'L,T,R,B' (e.g. '0,0,256,0') as a Border; ValueError saying what is wrong."""
    parts = [part.strip() for part in text.split(",")]
    try:
        values = [int(part) for part in parts]
    except ValueError:
        raise ValueError(f"'{text}' is not four whole numbers L,T,R,B (e.g. 0,0,256,0)") from None
    if len(values) != 4:
        raise ValueError(f"'{text}' has {len(values)} numbers; give four: L,T,R,B (e.g. 0,0,256,0)")
    return check_border(tuple(values))  # type: ignore[arg-type]


def check_border(border: Border) -> Border:
    """The border itself, or ValueError when a side is negative or all are zero."""
    if any(side < 0 for side in border):
        raise ValueError(f"a border side cannot be negative: {border}")
    if not any(border):
        raise ValueError("the border is 0 px on every side: nothing to extend")
    return border


def border_for_aspect(width: int, height: int, ratio_w: float, ratio_h: float) -> Border:
    """The smallest border that gives a width x height picture the aspect ratio_w:ratio_h, split evenly
    between the two sides it grows (the odd pixel goes right or bottom). Zero when it has it already."""
    if ratio_w <= 0 or ratio_h <= 0:
        raise ValueError(f"the aspect ratio {ratio_w:g}:{ratio_h:g} must be positive")
    target = ratio_w / ratio_h
    if width / height < target:  # too narrow: grow the width
        extra = round(height * target) - width
        return (extra // 2, 0, extra - extra // 2, 0) if extra > 0 else (0, 0, 0, 0)
    extra = round(width / target) - height
    return (0, extra // 2, 0, extra - extra // 2) if extra > 0 else (0, 0, 0, 0)


def extend(
    image: np.ndarray, border: Border, mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The picture on a canvas grown by `border`, the new area transparent and masked (255); inside,
    the mask is `mask` (the CLI's --mask with --extend) or empty, so the fill touches the border alone."""
    left, top, right, bottom = check_border(border)
    h, w = image.shape[:2]
    anchor = (_share(left, right), _share(top, bottom))
    inside = np.zeros((h, w), np.uint8) if mask is None else mask
    return geometry.canvas_size(image, inside, w + left + right, h + top + bottom, anchor, mask_new=True)


def _share(before: int, after: int) -> float:
    """Where the old picture sits along one axis (geometry.Anchor): its offset over the free room."""
    return before / (before + after) if before + after else 0.5


def fill_border(image: np.ndarray, mask: np.ndarray, fill_rgb: np.ndarray) -> np.ndarray:
    """A copy of `image` with the masked pixels taken from `fill_rgb` (same size) and made opaque."""
    if fill_rgb.shape[:2] != image.shape[:2] or mask.shape != image.shape[:2]:
        raise ValueError(f"the fill {fill_rgb.shape} does not match the canvas {image.shape}")
    out = image.copy()
    where = mask > 0
    out[where, :3] = fill_rgb[where, :3]
    out[where, 3] = 255
    return out
