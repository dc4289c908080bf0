"""A painted mask is unsaved work (issue 23): opening another file or a sample as an image asks first,
and Save then keeps the mask in a project."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from skimage import data

from genimg_desktop.core.imageio import save_image
from genimg_desktop.core.ora_read import load_ora
from genimg_desktop.ui import file_ops
from genimg_desktop.ui.main_window import MainWindow
from tests.ui.dialogs import click_when_shown
from tests.ui.mouse import drag
from tests.ui.opening import open_file
from tests.ui.shipped_window import TIMEOUT_MS, open_picture, shipped_window


@pytest.fixture
def window(qtbot):
    yield from shipped_window(qtbot)


def paint_mask(win: MainWindow) -> np.ndarray:
    win.canvas.set_tool("brush")
    drag(win.canvas, [(100, 100), (160, 120), (220, 140)])
    assert win.document.mask.any()
    return win.document.mask.copy()


def test_opening_another_file_or_a_sample_asks_about_the_mask(qtbot, window, tmp_path, photo_rgb):
    win = window
    photo = tmp_path / "astronaut.png"
    open_picture(qtbot, win, photo, photo_rgb)
    mask = paint_mask(win)
    assert win.windowTitle().startswith("astronaut.png*")

    seen: list[str] = []
    click_when_shown("Cancel", seen)
    assert not open_file(win, save_image(tmp_path / "cat.png", data.chelsea()))
    assert "painted mask" in seen[0]
    assert win.document.path == photo and np.array_equal(win.document.mask, mask)

    win.picker.select("gan-emoji-64", "sample")
    qtbot.mouseClick(win.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.samples.result is not None and not win.model.busy, timeout=TIMEOUT_MS)
    click_when_shown("Cancel", seen)
    qtbot.mouseClick(win.samples.open_button, Qt.MouseButton.LeftButton)
    assert len(seen) == 2 and "painted mask" in seen[1]
    assert win.document.path == photo and np.array_equal(win.document.mask, mask)

    click_when_shown("Discard", seen)
    qtbot.mouseClick(win.samples.open_button, Qt.MouseButton.LeftButton)
    assert len(seen) == 3 and win.document.size == (64, 64)
    win.document.modified = False  # the sample: no question when the test closes the window


def test_save_keeps_the_painted_mask_in_a_project(qtbot, window, tmp_path, photo_rgb, monkeypatch):
    win = window
    photo = tmp_path / "astronaut.png"
    open_picture(qtbot, win, photo, photo_rgb)
    mask = paint_mask(win)
    chosen = tmp_path / "astronaut-work.ora"
    monkeypatch.setattr(file_ops.QFileDialog, "getSaveFileName", lambda *a, **k: (str(chosen), ""))
    click_when_shown("Save", [])
    assert open_file(win, save_image(tmp_path / "cat.png", data.chelsea()))
    np.testing.assert_array_equal(load_ora(chosen).mask, mask)
