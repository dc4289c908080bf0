"""Edit > Copy and the Image menu through the real window: keys, menus, the crop tool's mouse drags
and the size dialogs. Each geometry change takes the mask with it and undoes to identical pixels."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMenu

from genimg_desktop.ui.qimage import qimage_to_rgba
from genimg_desktop.ui.size_dialog import SizeDialog
from tests.ui.mouse import LEFT, NO_MOD, drag, send_mouse
from tests.ui.photo_window import key, photo_window

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def win(qtbot, photo_rgb):
    """The window on a 400 x 300 photo, half transparent at the left."""
    rgba = np.dstack([photo_rgb, np.full(photo_rgb.shape[:2], 255, np.uint8)])[:300, :400].copy()
    rgba[:, :40, 3] = 100
    yield from photo_window(qtbot, rgba)


def paint_mask_rect(qtbot, win, x0, y0, x1, y1) -> np.ndarray:
    key(qtbot, win, Qt.Key.Key_R)
    drag(win.canvas, [(x0, y0), (x1, y1)])
    return win.document.mask.copy()


def state(win) -> tuple[np.ndarray, np.ndarray]:
    return win.document.image.copy(), win.document.mask.copy()


def assert_state(win, expected) -> None:
    np.testing.assert_array_equal(win.document.image, expected[0])
    np.testing.assert_array_equal(win.document.mask, expected[1])


def assert_undo_redo_exact(qtbot, win, before, after) -> None:
    key(qtbot, win, Qt.Key.Key_Z, CTRL)
    assert_state(win, before)
    key(qtbot, win, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert_state(win, after)


def copy_entry(win) -> str:
    """The Copy entry's text as the artist sees it on opening the Edit menu."""
    edit = next(m for m in win.menuBar().findChildren(QMenu) if m.title() == "&Edit")
    edit.popup(win.mapToGlobal(QPoint(10, 10)))
    text = win.acts["copy"].text()
    edit.hide()
    return text


def test_copy_takes_the_image_or_only_the_masked_area(qtbot, win):
    assert copy_entry(win) == "&Copy image"
    key(qtbot, win, Qt.Key.Key_C, CTRL)
    copied = qimage_to_rgba(QGuiApplication.clipboard().image())
    np.testing.assert_array_equal(copied, win.document.image)

    paint_mask_rect(qtbot, win, 20, 50, 120, 90)
    assert copy_entry(win) == "&Copy masked area"
    key(qtbot, win, Qt.Key.Key_C, CTRL)
    copied = qimage_to_rgba(QGuiApplication.clipboard().image())
    assert copied.shape == (40, 100, 4)
    np.testing.assert_array_equal(copied[..., :3], win.document.image[50:90, 20:120, :3])
    assert (copied[:, :20, 3] == 100).all() and (copied[:, 20:, 3] == 255).all()  # image alpha x mask
    assert "masked area" in win.statusBar().currentMessage()


def test_crop_tool_drag_then_enter_crops_picture_and_mask(qtbot, win):
    mask = paint_mask_rect(qtbot, win, 100, 100, 160, 140)
    before = state(win)
    key(qtbot, win, Qt.Key.Key_C)
    assert win.canvas.tool == "crop" and win.acts["tool_crop"].isChecked()
    assert "Enter or a double-click crops" in win.statusBar().currentMessage()
    drag(win.canvas, [(50, 40), (150, 120), (250, 200)])
    assert win.canvas.crop_rect == (50, 40, 200, 160)
    key(qtbot, win, Qt.Key.Key_Escape)  # cancels the frame, not anything else
    assert win.canvas.crop_rect is None and win.document.size == (400, 300)
    drag(win.canvas, [(50, 40), (250, 200)])
    key(qtbot, win, Qt.Key.Key_Return)
    assert win.document.size == (200, 160) and win.canvas.crop_rect is None
    after = state(win)
    np.testing.assert_array_equal(after[0], before[0][40:200, 50:250])
    np.testing.assert_array_equal(after[1], mask[40:200, 50:250])  # the mask follows
    assert "(200×160)" in win.windowTitle()
    assert_undo_redo_exact(qtbot, win, before, after)


def test_double_click_in_the_crop_frame_crops(qtbot, win):
    before = state(win)
    win.acts["tool_crop"].trigger()
    drag(win.canvas, [(10, 20), (110, 70)])
    send_mouse(win.canvas, QEvent.Type.MouseButtonDblClick, (60, 40), LEFT, LEFT, NO_MOD)
    send_mouse(win.canvas, QEvent.Type.MouseButtonRelease, (60, 40), LEFT, Qt.MouseButton.NoButton, NO_MOD)
    np.testing.assert_array_equal(win.document.image, before[0][20:70, 10:110])
    assert win.undo_stack.count() == 1


def test_crop_to_mask_bounds(qtbot, win):
    win.acts["crop_to_mask"].trigger()
    assert win.document.size == (400, 300) and "paint a mask first" in win.statusBar().currentMessage()
    mask = paint_mask_rect(qtbot, win, 30, 60, 90, 100)
    before = state(win)
    win.acts["crop_to_mask"].trigger()
    assert win.document.size == (60, 40) and (win.document.mask == 255).all()
    np.testing.assert_array_equal(win.document.image, before[0][60:100, 30:90])
    assert_undo_redo_exact(qtbot, win, (before[0], mask), state(win))


def open_size_dialog(qtbot, win, action: str) -> SizeDialog:
    win.acts[action].trigger()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), SizeDialog))
    return QApplication.activeModalWidget()


def click_ok(dialog: SizeDialog) -> None:
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()


def test_resize_dialog_keeps_aspect_and_scales_the_mask(qtbot, win):
    paint_mask_rect(qtbot, win, 100, 100, 200, 200)
    before = state(win)
    dialog = open_size_dialog(qtbot, win, "resize")
    assert dialog.new_size() == (400, 300) and dialog.keep_aspect.isChecked()
    dialog.width_spin.setValue(200)
    assert dialog.height_spin.value() == 150  # follows with Keep aspect ratio
    click_ok(dialog)
    assert win.document.size == (200, 150)
    mask = win.document.mask
    assert mask[75, 75] == 255 and mask[30, 30] == 0 and mask[75, 110] == 0
    assert (win.document.image[:, :15, 3] == 100).all()  # alpha is kept
    resized = win.document.image
    assert_undo_redo_exact(qtbot, win, before, state(win))
    assert win.document.image is resized  # the redo put the kept pixels back, no second resample


def test_resize_past_the_limit_says_which_and_changes_nothing(qtbot, win):
    before = state(win)
    dialog = open_size_dialog(qtbot, win, "resize")
    dialog.keep_aspect.setChecked(False)
    dialog.width_spin.setValue(16000)
    dialog.height_spin.setValue(16000)
    click_ok(dialog)
    assert dialog.isVisible() and "megapixels" in dialog.error.text()
    dialog.reject()
    assert_state(win, before)
    assert win.undo_stack.count() == 0


def test_canvas_size_grows_at_the_anchor_and_masks_the_new_area(qtbot, win):
    before = state(win)
    dialog = open_size_dialog(qtbot, win, "canvas_size")
    assert not dialog.keep_aspect.isChecked()
    dialog.width_spin.setValue(500)
    dialog.height_spin.setValue(320)
    dialog.anchors.button(0).click()  # top left
    dialog.mask_new.setChecked(True)
    click_ok(dialog)
    doc = win.document
    assert doc.size == (500, 320)
    np.testing.assert_array_equal(doc.image[:300, :400], before[0])
    assert (doc.image[:, 400:] == 0).all() and (doc.image[300:] == 0).all()  # transparent
    assert (doc.mask[:, 400:] == 255).all() and not doc.mask[:300, :400].any()  # ready to inpaint
    assert_undo_redo_exact(qtbot, win, before, state(win))


@pytest.mark.parametrize(
    "action, expected",
    [
        ("rotate_right", lambda a: np.rot90(a, -1)),
        ("rotate_left", lambda a: np.rot90(a, 1)),
        ("rotate_180", lambda a: np.rot90(a, 2)),
        ("flip_h", lambda a: a[:, ::-1]),
        ("flip_v", lambda a: a[::-1]),
    ],
)
def test_rotate_and_flip_take_the_mask_along(qtbot, win, action, expected):
    mask = paint_mask_rect(qtbot, win, 10, 20, 60, 40)
    before = state(win)
    win.acts[action].trigger()
    after = state(win)
    np.testing.assert_array_equal(after[0], expected(before[0]))
    np.testing.assert_array_equal(after[1], expected(mask))
    assert_undo_redo_exact(qtbot, win, before, after)


def test_no_geometry_change_under_a_staged_result(qtbot, win):
    win.canvas.stage_result(255 - win.document.rgb())
    before = state(win)
    win.acts["rotate_right"].trigger()
    assert_state(win, before)
    assert win.canvas.staged and "accept or discard the result first" in win.statusBar().currentMessage()


def test_no_geometry_change_while_a_job_runs(qtbot, win):
    before = state(win)
    win.model.set_busy(True)  # what JobRunner does while a job runs
    win.acts["rotate_180"].trigger()
    assert_state(win, before)
    assert "wait for the job to finish" in win.statusBar().currentMessage()
    win.model.set_busy(False)
    win.acts["flip_h"].trigger()
    np.testing.assert_array_equal(win.document.image, before[0][:, ::-1])
