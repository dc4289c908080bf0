"""The coarse-to-fine crop strategy every inpainting model shares (engine/crop_scale.py): native size
when the crop fits, a downscaled fill otherwise, and tiled refinement blended without seams."""

from __future__ import annotations

import numpy as np

from genimg_desktop.engine.crop_scale import TILE_OVERLAP, _ramp, _starts, fill_at_scale, refine_in_tiles


def picture(height: int, width: int) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)


def grey_fill(calls: list[tuple[int, int]]):
    def fill(crop: np.ndarray, hole: np.ndarray) -> np.ndarray:
        calls.append(hole.shape)
        return np.full_like(crop, 100)

    return fill


def test_a_crop_that_fits_is_filled_at_native_size():
    calls: list[tuple[int, int]] = []
    crop, hole = picture(300, 200), np.ones((300, 200), np.uint8)
    out = fill_at_scale(crop, hole, grey_fill(calls), 300, None)
    assert calls == [(300, 200)] and (out == 100).all()
    assert fill_at_scale(crop, hole, grey_fill(calls), None, None).shape == crop.shape  # no limit


def test_a_large_crop_is_filled_small_and_scaled_up():
    calls: list[tuple[int, int]] = []
    crop, hole = picture(1000, 500), np.ones((1000, 500), np.uint8)
    out = fill_at_scale(crop, hole, grey_fill(calls), 250, None)
    assert calls == [(250, 125)] and out.shape == crop.shape and (out == 100).all()


def test_refinement_covers_every_hole_tile_and_blends_to_the_exact_value():
    crop = picture(700, 400)
    hole = np.zeros((700, 400), np.uint8)
    hole[50:650, 300:350] = 255  # a tall stroke: tiles left of column 300 - overlap have nothing to do
    seen: list[tuple[tuple[int, int], bool]] = []

    def refine(part: np.ndarray, part_hole: np.ndarray, guess: np.ndarray) -> np.ndarray:
        seen.append((part_hole.shape, bool((guess == 7).all())))
        return np.full_like(part, 200)

    guess = np.full_like(crop, 7)
    out = refine_in_tiles(crop, hole, guess, refine, 256)
    assert all(shape[0] <= 256 and shape[1] <= 256 for shape, _ in seen)
    assert all(given for _, given in seen)  # each tile starts from its part of the guess
    assert len(seen) == 4  # rows start at 0, 192, 384, 444; columns 0 and 144: the hole is in the right ones
    assert (out[hole > 0] == 200).all()  # normalised blend weights: a constant stays exact
    assert (out[:, :100] == 7).all()  # no tile ran there: the guess stands


def test_tiles_overlap_and_ramps_fall_only_towards_neighbours():
    assert _starts(200, 256, 64) == [0]
    assert _starts(700, 256, 64) == [0, 192, 384, 444]
    inner = _ramp(slice(192, 448), 700, TILE_OVERLAP)
    assert inner[0] < 0.05 and inner[-1] < 0.05 and inner[128] == 1.0
    border = _ramp(slice(0, 256), 700, TILE_OVERLAP)
    assert border[0] == 1.0 and border[-1] < 0.05  # the crop's own edge has nothing to blend with


def test_small_tiles_overlap_by_half_a_tile_not_start_at_every_pixel():
    """max_side 64 (its smallest) with the 64 px overlap would refine a 96 px crop in 33 x 33 tiles."""
    crop, hole = picture(96, 96), np.full((96, 96), 255, np.uint8)
    seen: list[tuple[int, int]] = []

    def refine(part: np.ndarray, part_hole: np.ndarray, guess: np.ndarray) -> np.ndarray:
        seen.append(part_hole.shape)
        return np.full_like(part, 50)

    out = refine_in_tiles(crop, hole, np.full_like(crop, 7), refine, 64)
    assert seen == [(64, 64)] * 4  # starts 0 and 32 on each axis: 32 px shared
    assert (out == 50).all()
