"""Hooks for tests that drive a real app process (tests/ui/test_autosave_crash.py kills one with
SIGKILL mid-session). Each is inert unless its environment variable is set."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from genimg_desktop.core.rect import clip_rect

if TYPE_CHECKING:
    from genimg_desktop.ui.main_window import MainWindow

MASK_RECT = "GENIMG_TEST_MASK_RECT"  # "x,y,w,h": paint this rectangle into the mask once started


def apply_test_hooks(window: MainWindow) -> None:
    spec = os.environ.get(MASK_RECT)
    if not spec:
        return
    doc = window.document
    x, y, w, h = (int(part) for part in spec.split(","))
    rect = clip_rect((x, y, w, h), *doc.size)
    if rect is not None:
        doc.mask[rect[1] : rect[1] + rect[3], rect[0] : rect[0] + rect[2]] = 255
        doc.notify("mask", rect)  # as a brush stroke would: the canvas repaints, autosave sees a change
