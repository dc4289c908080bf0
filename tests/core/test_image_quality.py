"""core.image_quality: PSNR over RGB and over luma, with borders left out."""

from __future__ import annotations

import math

import numpy as np
import pytest

from genimg_desktop.core.image_quality import PSNR_CAP, luma, psnr, psnr_y


def test_psnr_of_a_known_error_and_of_identical_pictures() -> None:
    image = np.full((8, 8, 3), 100, np.uint8)
    assert psnr(image, image) == PSNR_CAP
    assert psnr(image, image + 1) == pytest.approx(20 * math.log10(255), abs=1e-9)  # one level everywhere
    assert psnr(image, image / 255.0 + 1 / 255.0) == pytest.approx(48.13, abs=0.01)  # floats in 0..1 too


def test_psnr_y_weighs_green_most_and_leaves_the_border_out() -> None:
    image = np.full((10, 10, 3), 128, np.uint8)
    greener, bluer = image.copy(), image.copy()
    greener[..., 1] += 10
    bluer[..., 2] += 10
    assert psnr_y(image, greener) < psnr_y(image, bluer)  # Y is mostly green, little blue
    assert luma(np.zeros((1, 1, 3), np.uint8))[0, 0] == pytest.approx(16 / 255)
    assert luma(np.full((1, 1, 3), 255, np.uint8))[0, 0] == pytest.approx(235 / 255)
    edged = image.copy()
    edged[0, :] = 0  # damage only in the outer row
    assert psnr_y(image, edged, border=1) == PSNR_CAP and psnr_y(image, edged) < 30
    with pytest.raises(ValueError, match="differ in size"):
        psnr(image, image[:5])
