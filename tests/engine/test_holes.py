"""Scattered holes (engine/holes.py): one crop per group of nearby holes, each the crop its holes would
get alone, so eight raindrops cost eight small passes instead of a pass over the whole photo."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from genimg_desktop.core.progress import JobCancelled, JobControl
from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.engine.base import inpaint_crop, mask_bbox
from genimg_desktop.engine.holes import MAX_CROPS, MIN_RELATIVE_MARGIN, hole_boxes, inpaint_holes
from genimg_desktop.engine.registry import ModelRegistry

DROPS = [(150, 200), (600, 150), (1100, 300), (1700, 180), (300, 900), (800, 700), (1300, 1000), (1800, 850)]
MARGIN = 64  # the context margin's default


def drops_mask(centres: list[tuple[int, int]], radius: int = 14) -> np.ndarray:
    mask = np.zeros((1200, 1920), np.uint8)
    for x, y in centres:
        cv2.circle(mask, (x, y), radius, 255, -1)
    return mask


@pytest.fixture
def photo(photo_rgb) -> np.ndarray:
    """The 1920x1200 desktop-background size the drops were met on."""
    return cv2.resize(photo_rgb, (1920, 1200), interpolation=cv2.INTER_CUBIC)


def overlap(a, b) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def test_eight_raindrops_take_eight_small_passes_that_match_each_drop_filled_alone(photo):
    model = ModelRegistry().load("inpaint-fill", "cpu")
    crops: list[tuple[int, int]] = []
    network = model.fill

    def counted(crop, hole, guess=None, **seed):
        crops.append(hole.shape)
        return network(crop, hole, guess, **seed)

    model.fill = counted  # the app's own path (run -> _run -> fill), counted
    mask = drops_mask(DROPS)
    out = model.run(GenerationRequest("inpaint-fill", "inpaint", {}, 0, photo, mask), JobControl()).images[0]

    assert len(crops) == len(DROPS)  # one pass per drop, none over the whole photo
    assert all(max(shape) <= 28 + 2 * MARGIN + 1 for shape in crops)
    expected = photo.copy()
    with torch.inference_mode():
        for centre in DROPS:
            alone = drops_mask([centre])
            expected[alone > 0] = inpaint_crop(photo, alone, MARGIN, network, 1024, network)[alone > 0]
    assert np.array_equal(out, expected)


def test_nearby_holes_share_one_crop_far_ones_do_not():
    near = [(400, 400), (470, 420), (430, 500)]  # within the margin of each other
    mask = drops_mask([*near, (1500, 900)])
    boxes = hole_boxes(mask, MARGIN)
    assert boxes == [mask_bbox(drops_mask(near), MARGIN), mask_bbox(drops_mask([(1500, 900)]), MARGIN)]


def test_one_hole_keeps_the_crop_it_always_had(photo_rgb, hole_mask):
    assert hole_boxes(hole_mask, 16) == [mask_bbox(hole_mask, 16)]
    ring = np.zeros((300, 300), np.uint8)
    cv2.circle(ring, (150, 150), 100, 255, 3)
    assert hole_boxes(ring, 0) == [mask_bbox(ring, 0)]


def test_crops_whose_boxes_overlap_merge_even_when_their_pixels_are_far():
    mask = np.zeros((1000, 1000), np.uint8)
    mask[100:110, 100:900] = 255  # an L: a long bar ...
    mask[100:900, 100:110] = 255  # ... and its leg
    mask[800:805, 800:805] = 255  # a speck far from both strokes, inside the L's bounding box
    assert hole_boxes(mask, 8) == [mask_bbox(mask, 8)]


def test_a_spray_of_specks_stays_within_the_pass_limit_and_every_speck_is_filled(photo):
    rng = np.random.default_rng(5)
    mask = np.zeros(photo.shape[:2], np.uint8)
    for y, x in [(100, 100), (100, 1500), (600, 800), (1000, 200), (1000, 1600)]:  # five sprayed patches
        mask[rng.integers(y, y + 150, 600), rng.integers(x, x + 150, 600)] = 255
    boxes = hole_boxes(mask, 8)
    assert 1 < len(boxes) <= MAX_CROPS
    assert not any(overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    covered = np.zeros(mask.shape, bool)
    for y0, y1, x0, x1 in boxes:
        covered[y0:y1, x0:x1] = True
    assert covered[mask > 0].all()
    out = inpaint_holes(photo, mask, 8, lambda crop, hole: np.full_like(crop, 7))
    assert (out[mask > 0] == 7).all() and np.array_equal(out[mask == 0], photo[mask == 0])


def test_classical_fill_reports_each_group_and_cancels_between_groups(photo):
    model = ModelRegistry().load("opencv-telea", "cpu")
    request = GenerationRequest("opencv-telea", "inpaint", {}, 0, photo, drops_mask(DROPS))
    events = []
    model.run(request, JobControl(on_progress=events.append))
    assert "hole 8 of 8" in events[-2].message and events[-1].fraction == 1.0

    control = JobControl(on_progress=lambda event: "hole 2" in event.message and control.cancel())
    with pytest.raises(JobCancelled):
        model.run(request, control)


def test_relative_margins_follow_each_holes_size_so_eight_drops_cost_about_one_hole_of_their_area():
    drops = drops_mask(DROPS)  # 29 px drops, far apart
    boxes = hole_boxes(drops, 128, relative=True)
    assert len(boxes) == len(DROPS)
    assert all(max(y1 - y0, x1 - x0) <= 29 + 2 * MIN_RELATIVE_MARGIN for y0, y1, x0, x1 in boxes)
    one = np.zeros_like(drops)
    one[500:582, 900:982] = 255  # one hole of about the eight drops' area
    (box,) = hole_boxes(one, 128, relative=True)
    assert box == mask_bbox(one, 82)  # its own size as margin, under the 128 asked for
    big = np.zeros_like(drops)
    big[300:700, 600:1000] = 255
    assert hole_boxes(big, 128, relative=True) == [mask_bbox(big, 128)]  # never more than asked
    area = sum((y1 - y0) * (x1 - x0) for y0, y1, x0, x1 in boxes)
    assert area < 2 * (box[1] - box[0]) * (box[3] - box[2])
