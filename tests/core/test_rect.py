"""Rect helpers."""

from __future__ import annotations

from genimg_desktop.core.rect import clip_rect, expand_rect, rect_from_bounds, rect_slices, union_rect


def test_clip_rect():
    assert clip_rect((-5, -5, 10, 10), 20, 20) == (0, 0, 5, 5)
    assert clip_rect((15, 15, 10, 10), 20, 20) == (15, 15, 5, 5)
    assert clip_rect((20, 0, 5, 5), 20, 20) is None
    assert clip_rect(None, 20, 20) is None


def test_union_expand_bounds_slices():
    assert union_rect(None, None) is None
    assert union_rect((0, 0, 2, 2), None) == (0, 0, 2, 2)
    assert union_rect((0, 0, 2, 2), (5, 1, 1, 4)) == (0, 0, 6, 5)
    assert expand_rect((5, 5, 2, 2), 3) == (2, 2, 8, 8)
    assert rect_from_bounds(1.5, 2.0, 3.2, 2.9) == (1, 2, 3, 1)
    assert rect_slices((1, 2, 3, 4)) == (slice(2, 6), slice(1, 4))
