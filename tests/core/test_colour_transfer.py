"""Match colours to a picture (core/colour_transfer.py) on real photos: scikit-image's cat given the
colours of the coffee photo."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from genimg_desktop.core.colour_transfer import lab_stats, match_colours, to_lab


def stats(rgb: np.ndarray, where: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    return lab_stats(to_lab(rgb[..., :3]), where)


def edges(rgb: np.ndarray) -> np.ndarray:
    """Gradient magnitude of the lightness: where the picture's structure is."""
    light = to_lab(rgb[..., :3])[..., 0]
    return np.hypot(cv2.Sobel(light, cv2.CV_32F, 1, 0), cv2.Sobel(light, cv2.CV_32F, 0, 1)).ravel()


def test_full_strength_moves_the_statistics_to_the_reference_and_keeps_the_structure():
    cat, coffee = data.chelsea(), data.coffee()
    out = match_colours(cat, coffee, 1.0)
    assert out.shape == cat.shape and out.dtype == np.uint8
    (mean, std), (ref_mean, ref_std), (cat_mean, _) = stats(out), stats(coffee), stats(cat)
    # Within a few Lab units of the reference (sRGB clipping of the reddest pixels takes a little off),
    # from a cat about 15 units less red.
    assert np.abs(mean - ref_mean).max() < 4.0
    assert np.abs(cat_mean - ref_mean).max() > 10.0
    assert np.all(np.abs(std / ref_std - 1) < 0.2)
    assert np.corrcoef(edges(out), edges(cat))[0, 1] > 0.9


def test_strength_zero_is_the_picture_and_half_is_half_way():
    cat, coffee = data.chelsea(), data.coffee()
    assert np.array_equal(match_colours(cat, coffee, 0.0), cat)
    half_mean = stats(match_colours(cat, coffee, 0.5))[0]
    cat_mean, ref_mean = stats(cat)[0], stats(coffee)[0]
    assert np.abs(half_mean - (cat_mean + ref_mean) / 2).max() < 2.5


def test_through_the_mask_only_the_masked_pixels_change():
    cat, coffee = data.chelsea(), data.coffee()
    mask = np.zeros(cat.shape[:2], np.uint8)
    mask[60:240, 100:300] = 255
    rgba = np.dstack([cat, np.full(cat.shape[:2], 200, np.uint8)])
    out = match_colours(rgba, coffee, 1.0, mask)
    inside = mask > 0
    assert np.array_equal(out[~inside], rgba[~inside])  # bit-exact outside, alpha kept
    assert np.array_equal(out[..., 3], rgba[..., 3])
    # The masked area takes the reference's statistics, measured on that area alone.
    assert np.abs(stats(out, inside)[0] - stats(coffee)[0]).max() < 4.0


def test_a_soft_mask_edge_blends():
    cat, coffee = data.chelsea(), data.coffee()
    mask = np.zeros(cat.shape[:2], np.uint8)
    mask[:, 200:] = 255
    mask[:, 150:200] = 128
    full, soft = match_colours(cat, coffee, 1.0), match_colours(cat, coffee, 1.0, mask)
    band = (slice(None), slice(150, 200))
    moved = np.abs(soft[band].astype(int) - cat[band]).mean()
    assert 0.25 < moved / np.abs(full[band].astype(int) - cat[band]).mean() < 0.75


def test_an_empty_mask_changes_nothing():
    cat = data.chelsea()
    assert np.array_equal(match_colours(cat, data.coffee(), 1.0, np.zeros(cat.shape[:2], np.uint8)), cat)


@pytest.mark.parametrize(
    "args, message",
    [
        ((np.zeros((4, 4), np.uint8), data.coffee()), "RGB or RGBA"),
        ((data.chelsea(), data.coffee().astype(np.float32)), "reference must be"),
        ((data.chelsea(), data.coffee(), 1.5), "between 0 and 1"),
        ((data.chelsea(), data.coffee(), 1.0, np.zeros((3, 3), np.uint8)), "the mask is"),
        ((data.chelsea(), np.zeros((5, 5, 4), np.uint8)), "fully transparent"),
    ],
)
def test_bad_input_says_what_is_wrong(args, message):
    with pytest.raises(ValueError, match=message):
        match_colours(*args)
