"""Patch-based style transfer (core/patch_style.py) on real photos: scikit-image's cat re-drawn from
the patches of the coffee photo."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from genimg_desktop.core.colour_transfer import match_colours
from genimg_desktop.core.patch_style import PATCH, style_with_patches
from tests.core.test_colour_transfer import edges, stats


@pytest.fixture(scope="module")
def styled() -> np.ndarray:
    return style_with_patches(data.chelsea(), data.coffee(), 1.0)


def patches(rgb: np.ndarray, count: int, seed: int) -> np.ndarray:
    """`count` random PATCH x PATCH patches of `rgb`, flattened, as float32."""
    rng = np.random.default_rng(seed)
    ys = rng.integers(0, rgb.shape[0] - PATCH, count)
    xs = rng.integers(0, rgb.shape[1] - PATCH, count)
    offsets = np.arange(PATCH)
    picked = rgb[ys[:, None, None] + offsets[None, :, None], xs[:, None, None] + offsets[None, None, :]]
    return picked.reshape(count, -1).astype(np.float32)


def distance_to_reference(rgb: np.ndarray, reference: np.ndarray) -> float:
    """Median distance of the picture's patches to their nearest patch of the reference (sampled)."""
    ours, theirs = patches(rgb, 400, 1), patches(reference, 20_000, 2)
    d2 = (ours**2).sum(1)[:, None] - 2 * ours @ theirs.T + (theirs**2).sum(1)[None, :]
    return float(np.median(np.sqrt(np.maximum(d2.min(axis=1), 0))))


def test_the_picture_is_redrawn_from_the_references_patches_and_keeps_its_structure(styled):
    cat, coffee = data.chelsea(), data.coffee()
    assert styled.shape == cat.shape and styled.dtype == np.uint8
    # Made of the reference's patches: much nearer to them than the same picture only recoloured.
    recoloured = match_colours(cat, coffee)
    assert distance_to_reference(styled, coffee) < 0.7 * distance_to_reference(recoloured, coffee)
    assert np.abs(stats(styled)[0] - stats(coffee)[0]).max() < 8.0  # the reference's colours
    assert np.corrcoef(edges(styled), edges(cat))[0, 1] > 0.4  # the cat's edges (another photo: ~0)


def test_strength_and_mask(styled):
    cat, coffee = data.chelsea(), data.coffee()
    assert np.array_equal(style_with_patches(cat, coffee, 0.0), cat)
    mask = np.zeros(cat.shape[:2], np.uint8)
    mask[100:200, 150:300] = 255
    rgba = np.dstack([cat, np.full(cat.shape[:2], 90, np.uint8)])
    out = style_with_patches(rgba, coffee, 0.5, mask)
    np.testing.assert_array_equal(out[mask == 0], rgba[mask == 0])  # bit-exact outside, alpha kept
    assert (out[..., 3] == 90).all()
    inside = out[mask > 0][:, :3].astype(int)
    assert np.abs(inside - cat[mask > 0]).mean() > 5  # it changed, about half way
    assert np.abs(inside - styled[mask > 0]).mean() > 5


def test_too_small_a_reference_is_refused():
    with pytest.raises(ValueError, match="too small"):
        style_with_patches(data.chelsea(), np.zeros((4, 40, 3), np.uint8))


def test_a_picture_over_the_working_size_is_styled_scaled_down_and_keeps_its_structure(monkeypatch):
    import genimg_desktop.core.patch_style as patch_style

    monkeypatch.setattr(patch_style, "MAX_WORK_PIXELS", 40_000)  # chelsea is 135,300 px
    cat, coffee = data.chelsea(), data.coffee()
    out = style_with_patches(cat, coffee, 1.0)
    assert out.shape == cat.shape
    assert np.abs(stats(out)[0] - stats(coffee)[0]).max() < 8.0
    assert np.corrcoef(edges(out), edges(cat))[0, 1] > 0.4  # its structure, as at full size
