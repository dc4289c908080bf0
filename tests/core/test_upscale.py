"""core/upscale.py: how many passes a factor takes, sizes, alpha enlarged apart and put back."""

from __future__ import annotations

import numpy as np
import pytest

from genimg_desktop.core import upscale


@pytest.mark.parametrize(
    ("native", "factor", "runs"),
    [(2, 2, 1), (2, 1.5, 1), (2, 3, 2), (2, 4, 2), (2, 5, 3), (4, 2, 1), (4, 8, 2)],
)
def test_passes_reach_at_least_the_factor(native: int, factor: float, runs: int) -> None:
    assert upscale.passes(native, factor) == runs


def test_impossible_factors_are_refused() -> None:
    with pytest.raises(ValueError, match="between 1 and 8"):
        upscale.passes(2, 9)
    with pytest.raises(ValueError, match="2 or more"):
        upscale.passes(1, 2)


def test_sizes_and_the_factor_for_a_size() -> None:
    assert upscale.target_size((250, 150), 3) == (750, 450)
    assert upscale.factor_for((250, 150), (1000, 600)) == 4
    assert upscale.factor_for((100, 50), (300, 100)) == 3  # covers both sides


def test_alpha_is_enlarged_apart_and_an_opaque_picture_stays_opaque() -> None:
    rgba = np.full((10, 20, 4), 255, np.uint8)
    assert upscale.opaque_alpha(rgba) is None
    rgba[:, :10, 3] = 0
    alpha = upscale.opaque_alpha(rgba)
    rgb = np.zeros((30, 60, 3), np.uint8)
    out = upscale.attach_alpha(rgb, alpha)
    assert out.shape == (30, 60, 4) and (out[:, :22, 3] == 0).all() and (out[:, 40:, 3] == 255).all()
    assert (upscale.attach_alpha(rgb, None)[..., 3] == 255).all()


def test_masks_scale_bilinearly_within_their_values() -> None:
    mask = np.zeros((10, 10), np.uint8)
    mask[2:8, 2:8] = 255
    scaled = upscale.resize_mask(mask, (40, 40))
    assert scaled.shape == (40, 40) and scaled[20, 20] == 255 and scaled[0, 0] == 0
