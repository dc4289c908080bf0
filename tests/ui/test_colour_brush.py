"""The colour brush through the real window: P paints the brush colour straight onto the picture as one
undo step, the colour button opens a colour dialog, Alt+click and the I picker take a colour from the
picture; a stroke on a 1920 x 1200 picture keeps only the tiles it touched."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QColorDialog, QDialogButtonBox

from tests.ui.mouse import drag
from tests.ui.photo_window import key, photo_window

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def win(qtbot, photo_rgb):
    yield from photo_window(qtbot, np.dstack([photo_rgb, np.full(photo_rgb.shape[:2], 255, np.uint8)]))


def choose_colour(qtbot, win, colour: QColor, ok: bool = True) -> None:
    """Click the brush controls' colour button and pick `colour` in the dialog (OK or Cancel)."""
    win.tool_controls.colour_button.click()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QColorDialog))
    dialog = QApplication.activeModalWidget()
    dialog.setCurrentColor(colour)
    button = QDialogButtonBox.StandardButton.Ok if ok else QDialogButtonBox.StandardButton.Cancel
    dialog.findChild(QDialogButtonBox).button(button).click()


def test_p_paints_the_chosen_colour_as_one_undo_step(qtbot, win):
    choose_colour(qtbot, win, QColor(255, 0, 0))
    assert win.canvas.paint_colour == QColor(255, 0, 0)
    choose_colour(qtbot, win, QColor(0, 0, 255), ok=False)  # Cancel keeps the colour
    assert win.canvas.paint_colour == QColor(255, 0, 0)
    win.tool_controls.size_spin.setValue(20)
    win.tool_controls.hardness_slider.setValue(100)
    key(qtbot, win, Qt.Key.Key_P)
    assert win.canvas.tool == "paint" and win.acts["tool_paint"].isChecked()
    before = win.document.image.copy()
    drag(win.canvas, [(100, 100), (150, 102), (200, 100)])
    image = win.document.image
    assert tuple(image[100, 150]) == (255, 0, 0, 255) and tuple(image[101, 100]) == (255, 0, 0, 255)
    changed = np.any(image != before, axis=-1)
    assert not changed[85, 150] and not changed[100, 215]  # the brush is 20 px across
    assert not win.document.mask.any()  # the picture, not the mask
    assert win.undo_stack.count() == 1 and win.undo_stack.text(0) == "Paint"
    painted = image.copy()
    key(qtbot, win, Qt.Key.Key_Z, CTRL)
    np.testing.assert_array_equal(win.document.image, before)
    key(qtbot, win, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    np.testing.assert_array_equal(win.document.image, painted)


def test_soft_brush_blends_its_edge(qtbot, win):
    win.canvas.set_paint_colour(QColor(0, 0, 0))
    win.tool_controls.size_spin.setValue(40)
    win.tool_controls.hardness_slider.setValue(0)
    win.acts["tool_paint"].trigger()
    before = win.document.image.astype(int)
    drag(win.canvas, [(300.5, 300.5)])
    after = win.document.image.astype(int)
    assert (after[300, 300, :3] == 0).all()  # the centre takes the colour
    edge = after[300, 315, :3]
    assert (edge > 0).any() and (edge < before[300, 315, :3]).all()  # the edge only part of it


def test_alt_click_and_the_picker_take_the_colour_from_the_picture(qtbot, win):
    image = win.document.image
    key(qtbot, win, Qt.Key.Key_P)
    drag(win.canvas, [(50.5, 60.5)], mods=ALT)
    assert win.canvas.paint_colour == QColor(*(int(v) for v in image[60, 50, :3]))
    assert win.tool_controls.colour == win.canvas.paint_colour  # the colour button shows it
    assert win.undo_stack.count() == 0  # picking changes no pixel
    key(qtbot, win, Qt.Key.Key_I)
    assert win.canvas.tool == "picker"
    drag(win.canvas, [(300.5, 200.5), (400.5, 450.5)])
    assert win.canvas.paint_colour == QColor(*(int(v) for v in image[450, 400, :3]))
    assert win.undo_stack.count() == 0 and win.canvas.tool == "picker"


def test_a_stroke_on_a_large_picture_keeps_only_its_tiles(qtbot):
    rgba = np.full((1200, 1920, 4), 200, np.uint8)
    for win in photo_window(qtbot, rgba):
        win.tool_controls.size_spin.setValue(30)
        key(qtbot, win, Qt.Key.Key_P)
        win.canvas.zoom_actual()
        win.canvas.centerOn(1000, 600)
        drag(win.canvas, [(990, 600), (1010, 605)])
        patch = win.undo_stack.command(0).patch
        assert 0 < len(patch.before) <= 4  # 256 px tiles, not the 9 MB picture
