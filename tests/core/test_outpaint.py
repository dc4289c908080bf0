"""Outpainting's pure pixel functions (core/outpaint.py)."""

from __future__ import annotations

import numpy as np
import pytest

from genimg_desktop.core import outpaint


def picture(w: int = 7, h: int = 5) -> np.ndarray:
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, (h, w, 4), dtype=np.uint8)
    image[..., 3] = 255
    return image


def test_extend_places_the_picture_and_masks_only_the_border():
    image = picture()
    out, mask = outpaint.extend(image, (3, 1, 2, 4))
    assert out.shape == (10, 12, 4) and mask.shape == (10, 12)
    assert np.array_equal(out[1:6, 3:10], image)  # the old pixels, bit-exact, where they belong
    assert not mask[1:6, 3:10].any()
    inner = np.zeros_like(mask, bool)
    inner[1:6, 3:10] = True
    assert (mask[~inner] == 255).all() and (out[~inner, 3] == 0).all()


def test_fill_border_takes_the_fill_there_and_nothing_elsewhere():
    out, mask = outpaint.extend(picture(), (2, 0, 2, 0))
    fill = np.full(out.shape[:2] + (3,), 77, np.uint8)
    filled = outpaint.fill_border(out, mask, fill)
    assert (filled[mask > 0] == (77, 77, 77, 255)).all()
    assert np.array_equal(filled[mask == 0], out[mask == 0])
    with pytest.raises(ValueError, match="does not match"):
        outpaint.fill_border(out, mask, fill[1:])


@pytest.mark.parametrize(
    ("size", "ratio", "border"),
    [
        ((1920, 1200), (1, 1), (0, 360, 0, 360)),
        ((1200, 1000), (16, 9), (289, 0, 289, 0)),
        ((1201, 1000), (16, 9), (288, 0, 289, 0)),
        ((1600, 900), (16, 9), (0, 0, 0, 0)),
        ((300, 400), (3, 5), (0, 50, 0, 50)),
    ],
)
def test_border_for_aspect(size, ratio, border):
    assert outpaint.border_for_aspect(*size, *ratio) == border
    w, h = size
    left, top, right, bottom = border
    assert abs((w + left + right) / (h + top + bottom) - ratio[0] / ratio[1]) < 2 / min(size)


@pytest.mark.parametrize(
    ("text", "words"),
    [("1,2,3", "four"), ("a,b,c,d", "whole numbers"), ("0,0,0,0", "nothing"), ("0,-4,0,0", "negative")],
)
def test_bad_borders_say_why(text, words):
    with pytest.raises(ValueError, match=words):
        outpaint.parse_border(text)
    assert outpaint.parse_border(" 0, 0,256,0") == (0, 0, 256, 0)
