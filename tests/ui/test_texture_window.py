"""Textures in the real window (issue 27): a texture model's Texture task at a chosen width and height,
laid into a painted mask at 1:1 (repeated, never stretched), opened as a picture of that size, and
"Fill mask with texture" staged like any inpainting; mouse events on the real canvas and buttons."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from genimg_desktop.core import paths
from tests.engine.test_texture import install_tiny
from tests.ui.dialogs import click_when_shown
from tests.ui.mouse import drag
from tests.ui.shipped_window import TIMEOUT_MS, open_picture, shipped_window

MODEL = "tiny-texture"
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def window(qtbot, tmp_path):
    install_tiny(paths.user_models_dir(), MODEL)
    yield from shipped_window(qtbot)


def run_task(qtbot, win, task: str, **params) -> None:
    assert win.picker.select(MODEL, task)
    win.params.set_values(params)
    win.params.seed.set_fixed(7)
    qtbot.mouseClick(win.run_button, LEFT)
    qtbot.waitUntil(lambda: not win.model.busy, timeout=TIMEOUT_MS)


def accept(qtbot, win) -> None:
    win.staging.feather.setValue(0)
    qtbot.mouseClick(win.staging.accept_button, LEFT)
    assert not win.canvas.staged


def test_a_texture_at_its_size_into_the_mask_and_as_a_picture(qtbot, window, tmp_path, photo_rgb):
    win = window
    open_picture(qtbot, win, tmp_path / "astronaut.png", photo_rgb)
    run_task(qtbot, win, "sample", width=160, height=96, tile=True)
    texture = win.samples.result.images[0].copy()
    assert texture.shape == (96, 160, 3) and "1 × 160×96 px" in win.samples.caption.text()

    win.canvas.set_tool("rect")
    drag(win.canvas, [(40, 50), (200, 200), (440, 450)])  # a 400x400 box: the texture repeats in it
    win.samples.list.setCurrentRow(0)
    qtbot.mouseClick(win.samples.place_button, LEFT)
    assert win.canvas.staged
    accept(qtbot, win)
    laid = win.document.rgb()[50:450, 40:440]
    assert np.array_equal(laid, np.tile(texture, (5, 3, 1))[:400, :400])  # 1:1, not scaled to the box
    assert np.array_equal(win.document.rgb()[:50], photo_rgb[:50])

    seen: list[str] = []
    click_when_shown("Discard", seen)  # the accepted edit is unsaved work
    qtbot.mouseClick(win.samples.open_button, LEFT)
    assert win.document.size == (160, 96) and np.array_equal(win.document.rgb(), texture)


def test_fill_mask_with_texture_is_staged_like_inpainting(qtbot, window, tmp_path, photo_rgb):
    win = window
    open_picture(qtbot, win, tmp_path / "astronaut.png", photo_rgb)
    win.canvas.set_tool("rect")
    drag(win.canvas, [(100, 120), (300, 330)])
    mask = win.document.mask.copy()
    run_task(qtbot, win, "fill", match_colours=0.5)
    assert win.canvas.staged
    accept(qtbot, win)
    after = win.document.rgb()
    assert np.array_equal(after[mask == 0], photo_rgb[mask == 0])
    assert not np.array_equal(after[mask > 0], photo_rgb[mask > 0])
