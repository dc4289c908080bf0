"""Placing a generated sample into the masked part of an image (the studio's "into the mask")."""

from __future__ import annotations

import numpy as np
from PIL import Image

from genimg_desktop.core.mask import mask_bbox


def place_in_mask(image_rgb: np.ndarray, sample_rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A full-size (H, W, 3) uint8 copy of `image_rgb` with `sample_rgb` scaled to cover the mask's
    bounding box (keeping its aspect: scaled to cover, centred, the overhang cropped). Only the
    masked pixels are meant to be used from it (the caller composites through the mask).

    Raises ValueError for an empty mask."""
    box = mask_bbox(mask)
    if box is None:
        raise ValueError("the mask is empty: paint where the sample should go")
    left, top, width, height = box
    right, bottom = left + width, top + height
    src_h, src_w = sample_rgb.shape[:2]
    scale = max(width / src_w, height / src_h)
    size = (max(width, round(src_w * scale)), max(height, round(src_h * scale)))
    # Small samples (28 px) scaled up a lot look better smooth than blocky inside a photo.
    scaled = np.asarray(
        Image.fromarray(np.ascontiguousarray(sample_rgb[..., :3])).resize(size, Image.BICUBIC)
    )
    x0, y0 = (size[0] - width) // 2, (size[1] - height) // 2
    out = np.array(image_rgb[..., :3], copy=True)
    out[top:bottom, left:right] = scaled[y0 : y0 + height, x0 : x0 + width]
    return out


def repeat_in_mask(image_rgb: np.ndarray, texture_rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A full-size (H, W, 3) uint8 copy of `image_rgb` whose mask's bounding box holds `texture_rgb`
    at 1:1, repeated from the box's top-left corner as far as the box reaches (a texture is drawn at
    the picture's pixel scale, so it is laid like tiles, never stretched; a tileable one meets itself
    without a seam). Only the masked pixels are meant to be used; ValueError for an empty mask."""
    box = mask_bbox(mask)
    if box is None:
        raise ValueError("the mask is empty: paint where the texture should go")
    left, top, width, height = box
    src_h, src_w = texture_rgb.shape[:2]
    reps = (-(-height // src_h), -(-width // src_w), 1)
    out = np.array(image_rgb[..., :3], copy=True)
    out[top : top + height, left : left + width] = np.tile(texture_rgb[..., :3], reps)[:height, :width]
    return out
