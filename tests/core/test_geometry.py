"""Crop, resize, canvas size, rotate and flip move the image and its mask together and keep alpha."""

from __future__ import annotations

import numpy as np
import pytest

from genimg_desktop.core import geometry
from genimg_desktop.core.imageio import MAX_SIDE


@pytest.fixture
def picture(photo_rgb):
    """The astronaut, half transparent at the left, with a mask painted on one corner pixel block."""
    image = np.dstack([photo_rgb, np.full(photo_rgb.shape[:2], 255, np.uint8)])[:300, :400].copy()
    image[:, :50, 3] = 128
    mask = np.zeros(image.shape[:2], np.uint8)
    mask[10:20, 30:60] = 255
    return image, mask


def test_crop_cuts_both_and_copies(picture):
    image, mask = picture
    out, out_mask = geometry.crop(image, mask, (20, 5, 100, 50))
    assert out.shape == (50, 100, 4) and out_mask.shape == (50, 100)
    np.testing.assert_array_equal(out, image[5:55, 20:120])
    np.testing.assert_array_equal(out_mask, mask[5:55, 20:120])
    out[:] = 0
    assert image[5:55, 20:120].any()  # a copy, not a view of the old picture
    with pytest.raises(ValueError):
        geometry.crop(image, mask, (500, 500, 10, 10))


def test_crop_to_mask_and_masked_area(picture):
    image, mask = picture
    mask[15, 55] = 100  # a soft pixel inside the box, where the image is opaque
    out, out_mask = geometry.crop_to_mask(image, mask)
    assert out.shape[:2] == (10, 30) and (out_mask > 0).all()
    area = geometry.masked_area(image, mask)
    assert area.shape == (10, 30, 4)
    np.testing.assert_array_equal(area[..., :3], image[10:20, 30:60, :3])
    assert area[0, 0, 3] == 128 and area[0, 24, 3] == 255  # image alpha times mask
    assert area[5, 25, 3] == 100
    empty = np.zeros_like(mask)
    assert geometry.masked_area(image, empty) is None
    with pytest.raises(ValueError):
        geometry.crop_to_mask(image, empty)


def test_resize_scales_both_and_keeps_alpha(picture):
    image, mask = picture
    out, out_mask = geometry.resize(image, mask, 200, 150)
    assert out.shape == (150, 200, 4) and out_mask.shape == (150, 200)
    assert (out[:, :20, 3] == 128).all() and (out[:, 30:, 3] == 255).all()
    assert out_mask[7, 22] == 255 and out_mask[100, 100] == 0
    with pytest.raises(ValueError, match="per side"):
        geometry.resize(image, mask, MAX_SIDE + 1, 10)


def test_resize_does_not_bleed_transparent_colour():
    image = np.zeros((8, 16, 4), np.uint8)
    image[:, :8] = (255, 0, 0, 0)  # invisible red
    image[:, 8:] = (0, 0, 255, 255)
    out, _ = geometry.resize(image, np.zeros((8, 16), np.uint8), 6, 3)
    visible = out[..., 3] > 0
    assert visible.any() and (out[..., 0][visible] == 0).all()


@pytest.mark.parametrize(
    "anchor, offset", [((0.0, 0.0), (0, 0)), ((0.5, 0.5), (50, 20)), ((1.0, 1.0), (100, 40))]
)
def test_canvas_size_grows_at_the_anchor(picture, anchor, offset):
    image, mask = picture
    out, out_mask = geometry.canvas_size(image, mask, 500, 340, anchor, mask_new=True)
    ox, oy = offset
    np.testing.assert_array_equal(out[oy : oy + 300, ox : ox + 400], image)
    np.testing.assert_array_equal(out_mask[oy : oy + 300, ox : ox + 400], mask)
    new = np.ones((340, 500), bool)
    new[oy : oy + 300, ox : ox + 400] = False
    assert (out[new] == 0).all() and (out_mask[new] == 255).all()  # transparent, masked to fill


def test_canvas_size_smaller_crops_at_the_anchor(picture):
    image, mask = picture
    out, out_mask = geometry.canvas_size(image, mask, 100, 100, (1.0, 0.0))
    np.testing.assert_array_equal(out, image[:100, 300:])
    np.testing.assert_array_equal(out_mask, mask[:100, 300:])


def test_rotate_and_flip_are_exact_and_invert(picture):
    image, mask = picture
    right, right_mask = geometry.rotate(image, mask, 1)
    assert right.shape == (400, 300, 4) and right.flags.c_contiguous
    np.testing.assert_array_equal(right[0, -1], image[0, 0])  # top left goes to the top right
    np.testing.assert_array_equal(right_mask[30, -11], mask[10, 30])
    back, back_mask = geometry.rotate(right, right_mask, -1)
    np.testing.assert_array_equal(back, image)
    np.testing.assert_array_equal(back_mask, mask)
    half, _ = geometry.rotate(image, mask, 2)
    np.testing.assert_array_equal(half, image[::-1, ::-1])
    flipped, flipped_mask = geometry.flip(image, mask, horizontal=True)
    np.testing.assert_array_equal(flipped, image[:, ::-1])
    np.testing.assert_array_equal(flipped_mask, mask[:, ::-1])
    np.testing.assert_array_equal(geometry.flip(image, mask, horizontal=False)[0], image[::-1])
