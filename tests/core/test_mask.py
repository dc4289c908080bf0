"""Mask editing: brush, shapes, whole-mask operations (pure numpy/OpenCV, no Qt)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from genimg_desktop.core import mask as M

coords = st.floats(-20, 80, allow_nan=False)
points = st.tuples(coords, coords)
binary_masks = arrays(
    np.uint8, st.tuples(st.integers(1, 40), st.integers(1, 40)), elements=st.sampled_from([0, 255])
)
soft_masks = arrays(np.uint8, st.tuples(st.integers(1, 40), st.integers(1, 40)))


def _changed_inside(before: np.ndarray, after: np.ndarray, rect) -> bool:
    changed = before != after
    if rect is None:
        return not changed.any()
    x, y, w, h = rect
    inside = np.zeros_like(changed)
    inside[y : y + h, x : x + w] = True
    return not (changed & ~inside).any()


# ---------------------------------------------------------------- stamp_segment


@settings(max_examples=150, deadline=None)
@given(
    start=soft_masks,
    p0=points,
    p1=points,
    radius=st.floats(0, 25),
    hardness=st.floats(0, 1),
    value=st.sampled_from([0, 255]),
)
def test_stamp_dirty_rect_holds_every_changed_pixel(start, p0, p1, radius, hardness, value):
    mask = start.copy()
    rect = M.stamp_segment(mask, p0, p1, radius, hardness, value)
    assert _changed_inside(start, mask, rect)
    assert rect == M.segment_rect(mask, p0, p1, radius)
    if rect is not None:
        x, y, w, h = rect
        assert min(x, y) >= 0 and min(w, h) > 0
        assert x + w <= mask.shape[1] and y + h <= mask.shape[0]
    # painting only raises values, erasing only lowers them
    assert (mask >= start).all() if value else (mask <= start).all()


def test_hard_stamp_paints_capsule_exactly():
    mask = np.zeros((64, 64), np.uint8)
    rect = M.stamp_segment(mask, (10.5, 20.5), (40.5, 20.5), 5, 1.0, 255)
    assert set(np.unique(mask)) == {0, 255}
    assert mask[20, 10] == mask[20, 40] == mask[15, 25] == mask[25, 25] == 255
    assert mask[14, 25] == 0 and mask[20, 46] == 0 and mask[20, 4] == 0
    assert rect is not None and M.mask_bbox(mask) == (5, 15, 41, 11)


def test_soft_stamp_fades_outwards_and_is_symmetric():
    mask = np.zeros((41, 41), np.uint8)
    M.stamp_segment(mask, (20.5, 20.5), (20.5, 20.5), 15, 0.0, 255)
    row = mask[20, 20:].astype(int)
    assert row[0] == 255 and row[-1] == 0
    assert (np.diff(row) <= 0).all() and len(set(row.tolist())) > 8
    np.testing.assert_array_equal(mask, mask.T)
    np.testing.assert_array_equal(mask, mask[::-1, ::-1])


def test_soft_eraser_lowers_but_keeps_maximum_combination():
    mask = np.full((41, 41), 255, np.uint8)
    M.stamp_segment(mask, (20.5, 20.5), (20.5, 20.5), 15, 0.0, 0)
    assert mask[20, 20] == 0 and mask[0, 0] == 255 and 0 < mask[20, 30] < 255
    again = mask.copy()
    M.stamp_segment(again, (20.5, 20.5), (20.5, 20.5), 15, 0.0, 0)
    np.testing.assert_array_equal(again, mask)  # same dab twice does not accumulate


@pytest.mark.parametrize("where", [(3.0, 3.0), (3.5, 3.5), (3.99, 3.01)])
def test_tiny_brush_always_paints_the_pixel_under_it(where):
    mask = np.zeros((8, 8), np.uint8)
    M.stamp_segment(mask, where, where, 0.1, 1.0, 255)
    assert mask[int(where[1]), int(where[0])] == 255
    assert mask.sum() // 255 <= 4


def test_stamp_outside_returns_none_and_keeps_mask():
    mask = np.zeros((10, 10), np.uint8)
    assert M.stamp_segment(mask, (-50, -50), (-30, -40), 5, 1, 255) is None
    assert M.stamp_segment(mask, (20, 5), (40, 5), 3, 1, 255) is None
    assert not mask.any()


def test_stamp_on_huge_mask_touches_only_its_box():
    mask = np.zeros((8192, 8192), np.uint8)
    start = time.perf_counter()
    for i in range(50):
        rect = M.stamp_segment(mask, (4000 + 4 * i, 4000), (4004 + 4 * i, 4003), 60, 0.5, 255)
    assert time.perf_counter() - start < 2.0  # ~ms each on any machine; generous for shared CI
    assert rect is not None and rect[2] < 200 and rect[3] < 200
    assert M.mask_bbox(mask) is not None and M.mask_bbox(mask)[2] < 400


def test_stamp_rejects_wrong_dtype():
    with pytest.raises(ValueError):
        M.stamp_segment(np.zeros((4, 4), np.float32), (1, 1), (2, 2), 1, 1, 255)


# ---------------------------------------------------------------- shapes


def test_fill_rect_clips_and_reports():
    mask = np.zeros((10, 20), np.uint8)
    assert M.fill_rect(mask, (15, -5, 10, 8), 255) == (15, 0, 5, 3)
    assert mask.sum() // 255 == 15 and mask[:3, 15:].all()
    assert M.fill_rect(mask, (16, 0, 2, 2), 0) == (16, 0, 2, 2)
    assert mask.sum() // 255 == 11
    assert M.fill_rect(mask, (30, 0, 5, 5), 255) is None


def test_fill_polygon_fills_inside_only():
    mask = np.zeros((50, 50), np.uint8)
    square = [(10, 10), (40, 10), (40, 40), (10, 40)]
    rect = M.fill_polygon(mask, square, 255)
    assert rect == M.polygon_rect(mask, square)
    assert rect is not None and _changed_inside(np.zeros_like(mask), mask, rect)
    assert mask[11:39, 11:39].all() and not mask[:9].any() and not mask[:, 42:].any()
    # a triangle covers about half of its box
    tri = np.zeros((100, 100), np.uint8)
    M.fill_polygon(tri, [(0, 0), (100, 0), (0, 100)], 255)
    assert abs(tri.sum() / 255 - 5000) < 150
    assert tri[5, 5] == 255 and tri[95, 95] == 0


def test_fill_polygon_degenerate_and_outside():
    mask = np.zeros((10, 10), np.uint8)
    assert M.fill_polygon(mask, [(1, 1), (5, 5)], 255) is None
    assert M.fill_polygon(mask, [(20, 20), (30, 20), (30, 30)], 255) is None
    assert not mask.any()


def test_fill_polygon_erases():
    mask = np.full((20, 20), 255, np.uint8)
    M.fill_polygon(mask, [(5, 5), (15, 5), (15, 15), (5, 15)], 0)
    assert mask[10, 10] == 0 and mask[1, 1] == 255


# ---------------------------------------------------------------- whole-mask operations


@given(soft_masks)
def test_invert_twice_is_identity_and_pure(mask):
    before = mask.copy()
    once = M.invert(mask)
    np.testing.assert_array_equal(once.astype(int), 255 - before.astype(int))
    np.testing.assert_array_equal(M.invert(once), before)
    np.testing.assert_array_equal(mask, before)


def test_clear_is_pure():
    mask = np.full((5, 6), 7, np.uint8)
    out = M.clear(mask)
    assert out.shape == mask.shape and out.dtype == np.uint8 and not out.any() and mask.all()


def test_mask_bbox():
    mask = np.zeros((30, 40), np.uint8)
    assert M.mask_bbox(mask) is None
    mask[5:7, 10:20] = 100
    mask[20, 30] = 255
    assert M.mask_bbox(mask) == (10, 5, 21, 16)
    assert M.mask_bbox(mask, threshold=100) == (30, 20, 1, 1)
    assert M.mask_bbox(mask, threshold=255) is None


@pytest.mark.parametrize("px", [3, 8, 20])
@settings(max_examples=40, deadline=None)
@given(mask=binary_masks)
def test_closing_contains_and_opening_inside_binary(mask, px):
    closed = M.shrink(M.grow(mask, px), px)
    opened = M.grow(M.shrink(mask, px), px)
    assert (closed >= mask).all()
    assert (opened <= mask).all()


@pytest.mark.parametrize("px", [4, 20])
@settings(max_examples=30, deadline=None)
@given(mask=soft_masks)
def test_grow_shrink_bounds_soft(mask, px):
    before = mask.copy()
    grown, shrunk = M.grow(mask, px), M.shrink(mask, px)
    assert (grown >= mask).all() and (shrunk <= mask).all()
    assert (M.shrink(grown, px) >= mask).all()
    assert grown is not mask and shrunk is not mask
    np.testing.assert_array_equal(mask, before)


@pytest.mark.parametrize("px", [5, 8, 30, 100])
def test_grow_single_pixel_is_a_disk(px):
    mask = np.zeros((301, 301), np.uint8)
    mask[150, 150] = 255
    before = mask.copy()
    grown = M.grow(mask, px)
    np.testing.assert_array_equal(mask, before)
    assert M.mask_bbox(grown) == (150 - px, 150 - px, 2 * px + 1, 2 * px + 1)
    yy, xx = np.mgrid[-150:151, -150:151]
    dist = np.hypot(xx, yy)
    assert grown[dist <= px].all() and not grown[dist > px + 0.01].any()
    assert (M.shrink(grown, px) == before).all()


def test_soft_grow_keeps_ramp_and_reaches_radius():
    mask = np.zeros((200, 200), np.uint8)
    mask[90:110, 90:110] = 255
    soft = M.feather(mask, 6)
    grown = M.grow(soft, 40)
    # the ramp moved outwards by 40 px, still soft
    np.testing.assert_array_equal(grown[100, 45:56], soft[100, 85:96])
    assert 0 < grown[100, 50] < 255
    assert grown[100, 62] == 255 and grown[100, 137] == 255
    assert not grown[0].any()


def test_shrink_does_not_erode_from_the_image_border():
    mask = np.full((50, 60), 255, np.uint8)
    np.testing.assert_array_equal(M.shrink(mask, 5), mask)
    np.testing.assert_array_equal(M.shrink(mask, 30), mask)
    mask[25, 30] = 0
    eroded = M.shrink(mask, 20)
    assert eroded[0, 0] == 255 and eroded[25, 30] == 0 and eroded[25, 45] == 0 and eroded[25, 55] == 255


def test_grow_zero_and_empty_are_copies():
    mask = np.zeros((10, 10), np.uint8)
    out = M.grow(mask, 5)
    assert out is not mask and not out.any()
    mask[3, 3] = 9
    out = M.grow(mask, 0)
    assert out is not mask and (out == mask).all()


def test_feather_softens_and_stays_local():
    mask = np.zeros((200, 200), np.uint8)
    mask[80:120, 80:120] = 255
    out = M.feather(mask, 10)  # sigma 5
    assert out[100, 100] == 255 and 100 < out[100, 80] < 160
    assert out[100, 60] == 0 and not out[:50].any()
    assert abs(int(out.astype(int).sum()) - int(mask.astype(int).sum())) < mask.sum() * 0.01
    np.testing.assert_array_equal(M.feather(mask, 0), mask)


def test_feather_large_sigma_matches_gaussian_closely():
    import cv2

    mask = np.zeros((600, 600), np.uint8)
    mask[200:400, 250:350] = 255
    out = M.feather(mask, 60)  # box-blur path
    ref = cv2.GaussianBlur(mask, (181, 181), 30)
    assert np.abs(out.astype(int) - ref.astype(int)).max() <= 12
    np.testing.assert_array_equal(out, out[::-1, ::-1])  # symmetric: no half-pixel shift


def test_feather_keeps_mask_solid_at_image_border():
    mask = np.zeros((100, 100), np.uint8)
    mask[:, :30] = 255
    out = M.feather(mask, 10)
    assert out[50, 0] == 255 and out[0, 0] == 255


def test_whole_mask_ops_are_fast_on_8192():
    import cv2

    mask = np.zeros((8192, 8192), np.uint8)
    cv2.circle(mask, (4096, 4096), 300, 255, -1)
    start = time.perf_counter()
    grown = M.grow(mask, 150)
    shrunk = M.shrink(grown, 150)
    soft = M.feather(shrunk, 40)
    inverted = M.invert(soft)
    assert time.perf_counter() - start < 8.0  # ~0.5 s typical; generous for a loaded machine
    assert inverted[0, 0] == 255 and inverted[4096, 4096] == 0
