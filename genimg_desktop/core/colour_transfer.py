"""Match colours to a picture: the target takes the reference's colour and tone (Reinhard et al. 2001).

Each CIELAB channel of the target is shifted and scaled so that its mean and standard deviation become
the reference's: lightness (tone and contrast) and the two opponent colour axes are moved apart, so a
warm painting's palette lands on a cool photo without its edges or shading moving. CIELAB is close to
perceptually uniform, so the same shift looks like the same change in dark and light parts. `strength`
moves each pixel that share of the way in Lab (0 is the picture as it was, 1 the reference's
statistics); through a mask, only the masked pixels change (a soft mask blends its edge) and the
statistics are the masked area's. Milliseconds per megapixel: two OpenCV colour conversions and one
affine map per channel.
"""

from __future__ import annotations

import cv2
import numpy as np

from genimg_desktop.core.rect import rect_slices

STAT_SAMPLES = 1 << 18  # statistics from at most ~262k evenly spread pixels
BAND_PIXELS = 1 << 20  # pixels converted at a time
# A flat target (a near-uniform sky) would have its noise blown up by a huge std ratio: cap it.
MAX_SCALE = 8.0
MIN_STD = 1e-3


def match_colours(
    image: np.ndarray, reference: np.ndarray, strength: float = 1.0, mask: np.ndarray | None = None
) -> np.ndarray:
    """`image` (H, W, 3 or 4) uint8 with the colour statistics of `reference` (h, w, 3 or 4) uint8.

    The result has the image's shape; alpha is kept. With `mask` ((H, W) uint8, 255 = change) only
    the masked pixels change and every other pixel is bit-exact. ValueError for bad input.
    """
    check_inputs(image, reference, strength, mask)
    out = image.copy()
    region = mask_region(mask, image.shape[:2])
    if strength == 0 or region is None:
        return out
    box = rect_slices(region)
    rgb = image[box][..., :3]
    weight = None if mask is None else mask[box]
    src_mean, src_std = colour_stats(rgb, None if weight is None else weight > 0)
    ref_mean, ref_std = colour_stats(reference[..., :3], _opaque(reference))
    scale = np.clip(ref_std / np.maximum(src_std, MIN_STD), 0.0, MAX_SCALE)
    # Moved = (lab - src_mean) * scale + ref_mean; the pixel goes `share` of the way there. As one
    # affine map in float32 (float64 statistics would double the time of the whole).
    gain, offset = (scale - 1).astype(np.float32), (ref_mean - src_mean * scale).astype(np.float32)
    target = out[box]
    rows = max(1, BAND_PIXELS // rgb.shape[1])
    for top in range(0, rgb.shape[0], rows):  # a band at a time: memory stays bounded at any size
        band = slice(top, top + rows)
        target[band, :, :3] = _shift(rgb[band], gain * strength, offset * strength, weight, band)
    return out


def _shift(
    rgb: np.ndarray, gain: np.ndarray, offset: np.ndarray, mask: np.ndarray | None, band: slice
) -> np.ndarray:
    """`rgb` with each Lab channel mapped to lab + lab * gain + offset, by the mask's share of it."""
    lab = to_lab(rgb)
    if mask is None:
        return from_lab(lab * (1 + gain) + offset)
    share = mask[band].astype(np.float32) * (1.0 / 255.0)
    styled = from_lab(lab + (lab * gain + offset) * share[..., None])
    # the Lab round trip moves unmasked pixels by a level: keep them bit-exact
    return np.where((share > 0)[..., None], styled, rgb)


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 sRGB to float32 CIELAB (L 0..100, a and b about -128..127), D65."""
    return cv2.cvtColor(rgb.astype(np.float32) * (1.0 / 255.0), cv2.COLOR_RGB2Lab)


def from_lab(lab: np.ndarray) -> np.ndarray:
    """float32 CIELAB back to uint8 sRGB; colours outside sRGB are clipped."""
    rgb = cv2.cvtColor(lab.astype(np.float32, copy=False), cv2.COLOR_Lab2RGB)
    rgb *= 255.0
    rgb += 0.5
    return np.clip(rgb, 0, 255, out=rgb).astype(np.uint8)


def colour_stats(rgb: np.ndarray, where: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel CIELAB mean and standard deviation of (H, W, 3) uint8 `rgb` (over `where`), from
    an even grid of at most about STAT_SAMPLES pixels: exact enough, and fast at any size."""
    step = max(1, int(np.ceil(np.sqrt(rgb.shape[0] * rgb.shape[1] / STAT_SAMPLES))))
    grid = rgb[::step, ::step]
    inside = None if where is None else where[::step, ::step]
    if inside is not None and not inside.any():  # a mask thinner than the grid: take all of it
        grid, inside = rgb[where][None], None
    return lab_stats(to_lab(grid), inside)


def lab_stats(lab: np.ndarray, where: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and standard deviation of (H, W, 3) `lab`, over `where` (bool) if given."""
    pixels = (lab.reshape(-1, 3) if where is None else lab[where]).astype(np.float64)
    return pixels.mean(axis=0), pixels.std(axis=0)


def _opaque(reference: np.ndarray) -> np.ndarray | None:
    """The reference's visible pixels: a transparent border is not part of its palette."""
    if reference.shape[2] != 4:
        return None
    return reference[..., 3] > 0


def mask_region(
    mask: np.ndarray | None, size: tuple[int, int], margin: int = 0
) -> tuple[int, int, int, int] | None:
    """The box to work on: the whole picture, or the mask's bounds grown by `margin` px and clipped
    to the picture (None when the mask is empty)."""
    if mask is None:
        return 0, 0, size[1], size[0]
    if not mask.any():
        return None
    x, y, w, h = cv2.boundingRect((mask > 0).astype(np.uint8))
    x0, y0 = max(0, x - margin), max(0, y - margin)
    x1, y1 = min(size[1], x + w + margin), min(size[0], y + h + margin)
    return x0, y0, x1 - x0, y1 - y0


def check_inputs(image: np.ndarray, reference: np.ndarray, strength: float, mask: np.ndarray | None) -> None:
    for name, array in (("picture", image), ("reference", reference)):
        if array.dtype != np.uint8 or array.ndim != 3 or array.shape[2] not in (3, 4) or array.size == 0:
            raise ValueError(
                f"the {name} must be an RGB or RGBA 8-bit image, not {array.dtype} {array.shape}"
            )
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"strength must be between 0 and 1, got {strength}")
    if mask is not None and mask.shape != image.shape[:2]:
        raise ValueError(f"the mask is {mask.shape[::-1]} px, the picture {image.shape[1::-1]}")
    opaque = _opaque(reference)
    if opaque is not None and not opaque.any():
        raise ValueError("the reference picture is fully transparent: it has no colours to match")
