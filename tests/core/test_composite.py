"""Compositing a result through the mask: bit-exact outside, result inside, soft seam."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from genimg_desktop.core import mask as M
from genimg_desktop.core.composite import blend_weights, composite_masked


@st.composite
def scenes(draw):
    h, w = draw(st.integers(1, 24)), draw(st.integers(1, 24))
    base = draw(arrays(np.uint8, (h, w, 4)))
    result = draw(arrays(np.uint8, (h, w, draw(st.sampled_from([3, 4])))))
    mask = draw(arrays(np.uint8, (h, w), elements=st.sampled_from([0, 0, 0, 255, 128, 1, 254])))
    return base, result, mask


@settings(max_examples=150, deadline=None)
@given(scene=scenes(), feather_px=st.sampled_from([0.0, 0.0, 2.0, 5.0]))
def test_bit_exact_outside_and_result_inside(scene, feather_px):
    base, result, mask = scene
    copies = base.copy(), result.copy(), mask.copy()
    out = composite_masked(base, result, mask, feather_px)
    weights = blend_weights(mask, feather_px)
    zero, full = weights == 0, weights == 255
    np.testing.assert_array_equal(out[zero], base[zero])
    np.testing.assert_array_equal(out[full][:, :3], result[full][:, :3])
    assert (out[full][:, 3] == 255).all()
    assert (weights <= mask).all()  # feathering never reaches past what was painted
    for before, now in zip(copies, (base, result, mask), strict=True):
        np.testing.assert_array_equal(before, now)  # inputs untouched


def test_opaque_partial_weight_is_a_linear_blend():
    base = np.zeros((1, 3, 4), np.uint8)
    base[..., 3] = 255
    result = np.full((1, 3, 3), 200, np.uint8)
    mask = np.array([[0, 64, 255]], np.uint8)
    out = composite_masked(base, result, mask)
    assert out[0, :, 0].tolist() == [0, round(200 * 64 / 255), 200]
    assert out[0, :, 3].tolist() == [255, 255, 255]


def test_transparent_base_takes_result_colour():
    base = np.zeros((1, 1, 4), np.uint8)
    base[0, 0] = (255, 0, 0, 0)  # invisible red
    result = np.array([[[0, 0, 255]]], np.uint8)
    out = composite_masked(base, result, np.array([[128]], np.uint8))
    assert out[0, 0].tolist() == [0, 0, 255, 128]


def test_real_photo_with_feathered_brush_stroke(photo_rgb):
    base = np.dstack([photo_rgb, np.full(photo_rgb.shape[:2], 255, np.uint8)])
    result = 255 - photo_rgb
    mask = np.zeros(photo_rgb.shape[:2], np.uint8)
    M.stamp_segment(mask, (100.0, 300.0), (400.0, 320.0), 25, 1.0, 255)
    out = composite_masked(base, result, mask, feather_px=12)
    outside = mask == 0
    np.testing.assert_array_equal(out[outside], base[outside])  # nothing outside the mask changes
    core = M.shrink(mask, 16) == 255  # the ramp lies within ~12 px inside the edge
    np.testing.assert_array_equal(out[core][:, :3], result[core])
    weights = blend_weights(mask, 12)
    ramp = (mask == 255) & (weights > 0) & (weights < 255)
    assert ramp.sum() > 0  # a soft seam exists inside the stroke
    edge = ramp & (M.shrink(mask, 2) == 0)
    assert (weights[edge] < 200).all()  # the outermost painted pixels are only partly replaced


def test_empty_mask_returns_an_equal_copy(photo_rgb):
    base = np.dstack([photo_rgb, np.full(photo_rgb.shape[:2], 255, np.uint8)])
    out = composite_masked(base, photo_rgb[::-1].copy(), np.zeros(photo_rgb.shape[:2], np.uint8), 10)
    assert out is not base
    np.testing.assert_array_equal(out, base)


def test_large_image_small_mask_only_touches_the_box():
    base = np.zeros((4096, 4096, 4), np.uint8)
    result = np.full((4096, 4096, 3), 255, np.uint8)
    mask = np.zeros((4096, 4096), np.uint8)
    mask[2000:2100, 3000:3050] = 255
    out = composite_masked(base, result, mask, feather_px=8)
    assert out[2050, 3025].tolist() == [255, 255, 255, 255]
    assert not out[:2000].any() and not out[2100:].any()
    assert M.mask_bbox(out[..., 3]) is not None and M.mask_bbox(out[..., 3])[2] < 80


def test_shapes_are_checked():
    base = np.zeros((4, 4, 4), np.uint8)
    with pytest.raises(ValueError):
        composite_masked(base[..., :3], np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4), np.uint8))
    with pytest.raises(ValueError):
        composite_masked(base, np.zeros((4, 5, 3), np.uint8), np.zeros((4, 4), np.uint8))
    with pytest.raises(ValueError):
        composite_masked(base, np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4), np.float32))
