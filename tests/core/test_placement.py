"""Scaling a sample into the mask's bounding box."""

from __future__ import annotations

import numpy as np
import pytest

from genimg_desktop.core.placement import place_in_mask


def test_the_sample_covers_the_mask_box_and_nothing_else_changes():
    image = np.zeros((60, 80, 3), np.uint8)
    mask = np.zeros((60, 80), np.uint8)
    mask[10:30, 20:60] = 255  # a 40x20 box: a square sample is scaled to 40x40 and centred
    sample = np.zeros((8, 8, 3), np.uint8)
    sample[:4] = 200  # top half bright, bottom half dark
    out = place_in_mask(image, sample, mask)
    assert out.shape == (60, 80, 3) and out.dtype == np.uint8
    outside = np.ones((60, 80), bool)
    outside[10:30, 20:60] = False
    assert not out[outside].any()
    # the middle 20 rows of the 40x40 enlargement: the bright half above, the dark half below
    assert out[12, 40].mean() > 150 and out[28, 40].mean() < 50


def test_an_empty_mask_is_refused():
    with pytest.raises(ValueError, match="mask is empty"):
        place_in_mask(
            np.zeros((4, 4, 3), np.uint8), np.zeros((2, 2, 3), np.uint8), np.zeros((4, 4), np.uint8)
        )
