"""Select subject (core/subject.py) on a real photo: scikit-image's coffee cup against a hand-made mask."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from genimg_desktop.core.subject import select_subject

BOX = (60, 10, 440, 380)  # around the cup and saucer


def hand_mask() -> np.ndarray:
    """Drawn by eye over the photo: the saucer and the cup as two ellipses."""
    mask = np.zeros((400, 600), np.uint8)
    cv2.ellipse(mask, (278, 228), (202, 158), 0, 0, 360, 255, -1)
    cv2.ellipse(mask, (291, 112), (118, 95), 0, 0, 360, 255, -1)
    return mask > 0


def test_grabcut_covers_the_cup_and_little_of_the_table():
    found = select_subject(data.coffee(), BOX, grow_px=0) > 0
    hand = hand_mask()
    iou = (found & hand).sum() / (found | hand).sum()
    assert iou > 0.85
    assert (found & hand).sum() / hand.sum() > 0.9  # most of the object
    assert (found & ~hand).sum() / (~hand).sum() < 0.08  # little of the background
    assert not found[:, : BOX[0]].any()  # nothing left of the rectangle (outside is background)


def test_the_mask_is_grown_by_default_so_the_outline_goes_too():
    rgb = data.coffee()
    tight = select_subject(rgb, BOX, grow_px=0)
    grown = select_subject(rgb, BOX)
    assert grown.shape == (400, 600) and grown.dtype == np.uint8
    assert (grown >= tight).all() and (grown > 0).sum() > (tight > 0).sum() * 1.02


@pytest.mark.parametrize(
    ("rect", "words"),
    [((10, 10, 4, 40), "at least"), ((700, 10, 50, 50), "at least"), ((0, 0, 600, 400), "background")],
)
def test_bad_rectangles_say_why(rect, words):
    with pytest.raises(ValueError, match=words):
        select_subject(data.coffee(), rect)


def test_no_specks_or_pinholes_are_left():
    """GrabCut leaves stray islands on the table's highlights and holes in the spoon's: both go."""
    found = select_subject(data.coffee(), BOX, grow_px=0)
    parts, _ = cv2.connectedComponents(found, connectivity=8)
    holes, _ = cv2.connectedComponents((found == 0).astype(np.uint8), connectivity=8)
    assert parts == 2 and holes == 2  # the background and one object; the background in one piece
