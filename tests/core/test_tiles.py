"""Bounded undo memory: TilePatch diffs and the copy-on-first-touch TileRecorder."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from genimg_desktop.core import mask as M
from genimg_desktop.core.tiles import TILE, TilePatch, TileRecorder

shapes = st.one_of(
    st.tuples(st.integers(1, 70), st.integers(1, 70)),
    st.tuples(st.integers(1, 50), st.integers(1, 50), st.sampled_from([3, 4])),
)


@st.composite
def before_after(draw):
    before = draw(arrays(np.uint8, draw(shapes), elements=st.integers(0, 3)))
    after = before.copy()
    h, w = before.shape[:2]
    for _ in range(draw(st.integers(0, 4))):
        y, x = draw(st.integers(0, h - 1)), draw(st.integers(0, w - 1))
        after[y : y + draw(st.integers(1, 20)), x : x + draw(st.integers(1, 20))] = draw(st.integers(0, 255))
    return before, after


@settings(max_examples=150, deadline=None)
@given(arrays_=before_after(), tile=st.sampled_from([1, 7, 16, 64]))
def test_patch_roundtrip_restores_exactly(arrays_, tile):
    before, after = arrays_
    patch = TilePatch.from_arrays(before, after, tile=tile)
    target = after.copy()
    patch.apply_before(target)
    np.testing.assert_array_equal(target, before)
    patch.apply_after(target)
    np.testing.assert_array_equal(target, after)
    assert patch.empty == np.array_equal(before, after)
    # memory is exactly the changed tiles, twice (before + after)
    changed = before != after
    if changed.ndim == 3:
        changed = changed.any(axis=2)
    h, w = changed.shape
    expected = sum(
        2 * before[y : y + tile, x : x + tile].nbytes
        for y in range(0, h, tile)
        for x in range(0, w, tile)
        if changed[y : y + tile, x : x + tile].any()
    )
    assert patch.nbytes == expected


def test_one_pixel_change_on_big_image_stores_one_tile():
    before = np.zeros((2048, 3000, 4), np.uint8)
    after = before.copy()
    after[1000, 2990] = (1, 2, 3, 4)
    patch = TilePatch.from_arrays(before, after)
    assert patch.nbytes == 2 * TILE * (3000 - 11 * TILE) * 4  # last column of tiles is narrower
    assert patch.rect == (11 * TILE, 3 * TILE, 3000 - 11 * TILE, TILE)
    assert patch.nbytes < before.nbytes / 50


def test_identical_arrays_give_empty_patch():
    a = np.arange(100, dtype=np.uint8).reshape(10, 10)
    patch = TilePatch.from_arrays(a, a.copy(), tile=4)
    assert patch.empty and patch.nbytes == 0 and patch.rect is None
    target = a.copy()
    assert patch.apply_before(target) is None
    np.testing.assert_array_equal(target, a)


def test_region_limits_the_comparison():
    before = np.zeros((64, 64), np.uint8)
    after = before.copy()
    after[5, 5] = 1
    after[60, 60] = 1
    patch = TilePatch.from_arrays(before, after, tile=16, region=(0, 0, 20, 20))
    assert patch.rect == (0, 0, 16, 16)
    assert TilePatch.from_arrays(before, after, tile=16, region=(100, 100, 5, 5)).empty


def test_patch_refuses_mismatched_arrays():
    with pytest.raises(ValueError):
        TilePatch.from_arrays(np.zeros((4, 4), np.uint8), np.zeros((4, 5), np.uint8))
    patch = TilePatch.from_arrays(np.zeros((4, 4), np.uint8), np.ones((4, 4), np.uint8))
    with pytest.raises(ValueError):
        patch.apply_before(np.zeros((5, 4), np.uint8))


def test_recorder_keeps_only_tiles_that_really_changed():
    mask = np.zeros((1000, 1000), np.uint8)
    original = mask.copy()
    recorder = TileRecorder(mask, tile=100)
    recorder.touch((0, 0, 1000, 1000))  # touched everything, changes only a little
    rect = M.stamp_segment(mask, (150.5, 150.5), (250.5, 150.5), 10, 1.0, 255)
    assert rect is not None
    patch = recorder.finish()
    assert patch.rect == (100, 100, 200, 100)
    assert patch.nbytes == 2 * 2 * 100 * 100
    after = mask.copy()
    patch.apply_before(mask)
    np.testing.assert_array_equal(mask, original)
    patch.apply_after(mask)
    np.testing.assert_array_equal(mask, after)


def test_recorder_copies_on_first_touch_only():
    image = np.zeros((300, 300, 4), np.uint8)
    recorder = TileRecorder(image, tile=64)
    recorder.touch((10, 10, 5, 5))
    image[10:15, 10:15] = 200
    recorder.touch((0, 0, 20, 20))  # second touch must not overwrite the saved original
    image[0:20, 0:20] = 100
    patch = recorder.finish()
    undo = image.copy()
    patch.apply_before(undo)
    assert not undo.any()


def test_recorder_stroke_roundtrip_with_brush():
    rng = np.random.default_rng(1)
    mask = rng.integers(0, 2, (700, 900), dtype=np.uint8) * 255
    original = mask.copy()
    recorder = TileRecorder(mask)
    last = (100.0, 100.0)
    for _ in range(30):
        nxt = (float(rng.uniform(0, 900)), float(rng.uniform(0, 700)))
        recorder.touch(M.segment_rect(mask, last, nxt, 20))  # save tiles BEFORE painting
        assert M.stamp_segment(mask, last, nxt, 20, 0.3, 0) == M.segment_rect(mask, last, nxt, 20)
        last = nxt
    final = mask.copy()
    patch = recorder.finish()
    patch.apply_before(mask)
    np.testing.assert_array_equal(mask, original)
    patch.apply_after(mask)
    np.testing.assert_array_equal(mask, final)
    assert recorder.nbytes == 0  # finish hands the saved tiles over to the patch


def test_recorder_ignores_none_and_outside_rects():
    a = np.zeros((10, 10), np.uint8)
    recorder = TileRecorder(a, tile=4)
    recorder.touch(None)
    recorder.touch((50, 50, 3, 3))
    assert recorder.nbytes == 0 and recorder.finish().empty
