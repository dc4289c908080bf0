"""The colour brush paints the mask brush's dab in colour onto the picture."""

from __future__ import annotations

import numpy as np

from genimg_desktop.core import mask as maskops
from genimg_desktop.core.paint import paint_segment


def _canvas(alpha: int = 255) -> tuple[np.ndarray, np.ndarray]:
    image = np.zeros((100, 120, 4), np.uint8)
    image[..., :3] = 200
    image[..., 3] = alpha
    return image, np.zeros((100, 120), np.uint8)


def test_hard_stroke_sets_the_colour_inside_the_mask_brush_shape():
    image, coverage = _canvas()
    before = image.copy()
    box = paint_segment(image, coverage, (20, 50), (80, 50), 10, 1.0, (255, 0, 0))
    shape = np.zeros((100, 120), np.uint8)
    maskops.stamp_segment(shape, (20, 50), (80, 50), 10, 1.0, 255)
    painted = np.any(image != before, axis=-1)
    np.testing.assert_array_equal(painted, shape > 0)  # exactly the mask brush's dab
    assert (image[shape > 0] == (255, 0, 0, 255)).all()
    assert box == maskops.mask_bbox(shape)  # the dirty rect: what changed


def test_soft_stroke_has_no_beads_where_segments_overlap():
    one, cov_one = _canvas()
    paint_segment(one, cov_one, (20, 50), (80, 50), 12, 0.2, (0, 0, 0))
    many, cov_many = _canvas()
    for x in range(20, 80, 3):  # the same line in short overlapping segments, as a mouse sends it
        paint_segment(many, cov_many, (x, 50), (min(x + 3, 80), 50), 12, 0.2, (0, 0, 0))
    assert np.abs(one.astype(int) - many.astype(int)).max() <= 2
    again = one.copy()
    paint_segment(again, np.zeros_like(cov_one), (20, 50), (80, 50), 12, 0.2, (0, 0, 0))
    assert again[45, 50, 0] < one[45, 50, 0]  # a second stroke builds up over the first


def test_paint_on_transparent_pixels_keeps_the_colour_and_raises_alpha():
    image, coverage = _canvas(alpha=0)
    paint_segment(image, coverage, (50, 50), (50, 50), 20, 0.0, (0, 255, 0))
    edge = image[50, 62]  # in the soft edge: partly covered
    assert 0 < edge[3] < 255 and tuple(edge[:3]) == (0, 255, 0)  # no grey from the invisible pixel
    assert paint_segment(image, coverage, (500, 500), (510, 500), 5, 1.0, (0, 0, 0)) is None
