"""Keyboard focus in the real window (issue 23): after Run and after Accept the canvas has it, so the
single-key shortcuts work and never type into the gallery's search box."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from genimg_desktop.ui.main_window import MainWindow
from tests.ui.mouse import drag
from tests.ui.shipped_window import TIMEOUT_MS, open_picture, shipped_window


@pytest.fixture
def window(qtbot):
    yield from shipped_window(qtbot)


def type_key(qtbot, key: Qt.Key) -> None:
    """A key press as the keyboard sends it: to whichever widget has the focus."""
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, key)


def run_with_the_mouse(qtbot, win: MainWindow) -> None:
    qtbot.mouseClick(win.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.canvas.staged and not win.model.busy, timeout=TIMEOUT_MS)


def test_single_keys_reach_the_canvas_after_run_and_accept(qtbot, window, tmp_path, photo_rgb, messages):
    win = window
    open_picture(qtbot, win, tmp_path / "astronaut.png", photo_rgb)
    win.picker.select("opencv-telea", "inpaint")
    drag(win.canvas, [(200, 150), (260, 170)])
    run_with_the_mouse(qtbot, win)
    assert QApplication.focusWidget() is win.canvas  # not the gallery's search box

    type_key(qtbot, Qt.Key.Key_R)
    assert win.canvas.tool == "rect" and win.gallery.search.text() == ""
    size = win.canvas.brush_size
    type_key(qtbot, Qt.Key.Key_BracketRight)
    assert win.canvas.brush_size > size
    type_key(qtbot, Qt.Key.Key_M)
    assert not win.acts["show_mask"].isChecked()
    type_key(qtbot, Qt.Key.Key_M)

    qtbot.mouseClick(win.staging.accept_button, Qt.MouseButton.LeftButton)
    assert not win.canvas.staged and QApplication.focusWidget() is win.canvas
    win.canvas.clear_mask()
    drag(win.canvas, [(50, 60), (120, 90), (150, 100)])  # a rectangle, not a stroke along the path
    ys, xs = np.nonzero(win.document.mask)
    assert (xs.min(), ys.min(), xs.max(), ys.max()) == (50, 60, 149, 99)
    assert (win.document.mask[60:100, 50:150] == 255).all()
    type_key(qtbot, Qt.Key.Key_B)
    assert win.canvas.tool == "brush" and win.gallery.search.text() == ""


def test_a_click_into_the_search_box_still_types_there(qtbot, window):
    qtbot.mouseClick(window.gallery.search, Qt.MouseButton.LeftButton)
    assert QApplication.focusWidget() is window.gallery.search
    qtbot.keyClicks(window.gallery.search, "seed")
    assert window.gallery.search.text() == "seed"
