"""Image > Extend canvas (outpainting) and Mask > Select subject through the real window, on a real photo
(scikit-image's coffee cup): real keys, menus, dialogs and mouse drags, PatchMatch on the engine's worker."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from skimage import data

from genimg_desktop.core.imageio import LoadedImage
from genimg_desktop.ui.extend_dialog import ExtendDialog
from genimg_desktop.ui.main_window import MainWindow
from tests.core.test_subject import BOX, hand_mask
from tests.ui.mouse import drag
from tests.ui.pool import background_held

TIMEOUT_MS = 60_000
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def win(qtbot):
    """The window on the coffee photo (600 x 400), its engine started and PatchMatch listed."""
    window = MainWindow()
    window.show()
    qtbot.waitExposed(window)
    window.start_engine()
    qtbot.waitUntil(lambda: any(m.id == "patchmatch" for m in window.model.models), timeout=TIMEOUT_MS)
    rgb = data.coffee()
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    window.set_loaded(LoadedImage(rgba, "RGBA", "PNG", (600, 400), {}, []), None)
    window.canvas.setFocus()
    yield window
    window.document.modified = False  # no "save changes?" question when the test closes it
    window.close()
    window.deleteLater()


def state(win) -> tuple[np.ndarray, np.ndarray]:
    return win.document.image.copy(), win.document.mask.copy()


def assert_state(win, expected) -> None:
    np.testing.assert_array_equal(win.document.image, expected[0])
    np.testing.assert_array_equal(win.document.mask, expected[1])


def test_select_subject_masks_the_cup_as_one_undo_step(qtbot, win):
    qtbot.keyClick(win.canvas, Qt.Key.Key_S)
    assert win.canvas.tool == "subject" and win.acts["tool_subject"].isChecked()
    x, y, w, h = BOX
    with background_held():  # GrabCut runs off the GUI thread: the drag returns before it has begun
        drag(win.canvas, [(x, y), (x + w / 2, y + h / 2), (x + w, y + h)])
        assert not win.document.mask.any() and "finding the object" in win.statusBar().currentMessage()
    qtbot.waitUntil(win.undo_stack.canUndo, timeout=TIMEOUT_MS)
    assert win.undo_stack.count() == 1
    found, hand = win.document.mask > 0, hand_mask()
    assert (found & hand).sum() / hand.sum() > 0.95  # grown past the outline: all of the cup
    assert (found & ~hand).sum() / (~hand).sum() < 0.15  # and a thin rim of the table, no more
    assert not found[:, : x - 1].any()
    assert "Select subject" in win.statusBar().currentMessage()
    qtbot.keyClick(win.canvas, Qt.Key.Key_Z, CTRL)
    assert not win.document.mask.any()


def test_select_subject_with_a_box_too_small_says_so_and_changes_nothing(qtbot, win):
    qtbot.keyClick(win.canvas, Qt.Key.Key_S)
    drag(win.canvas, [(100, 100), (103, 140)])
    qtbot.waitUntil(lambda: "at least 8 x 8" in win.statusBar().currentMessage(), timeout=TIMEOUT_MS)
    assert not win.document.mask.any() and not win.undo_stack.canUndo()


def test_a_selection_the_picture_changed_under_is_dropped(qtbot, win):
    """The cup's mask found for the picture before a flip would sit on the wrong side after it."""
    qtbot.keyClick(win.canvas, Qt.Key.Key_S)
    x, y, w, h = BOX
    with background_held():
        drag(win.canvas, [(x, y), (x + w, y + h)])
        win.acts["flip_h"].trigger()
    flipped = state(win)
    qtbot.waitUntil(lambda: "changed meanwhile" in win.statusBar().currentMessage(), timeout=TIMEOUT_MS)
    assert_state(win, flipped)
    assert win.undo_stack.count() == 1 and win.undo_stack.undoText() == "Flip horizontally"


def extend(qtbot, win, border) -> ExtendDialog:
    """Image > Extend canvas and fill…, the border typed in, OK; waits for the staged fill."""
    win.acts["extend"].trigger()
    dialog = win.findChild(ExtendDialog)
    assert dialog is not None and dialog.model_id() == "hybrid-fill"  # core/photo_fill.py
    for spin, value in zip(dialog.spins, border, strict=True):
        spin.setValue(value)
    qtbot.mouseClick(
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok),
        Qt.MouseButton.LeftButton,
    )
    qtbot.waitUntil(lambda: win.model.staged is not None, timeout=TIMEOUT_MS)
    return dialog


def texture(rgb: np.ndarray, where: np.ndarray) -> float:
    grey = cv2.cvtColor(np.ascontiguousarray(rgb[..., :3]), cv2.COLOR_RGB2GRAY)
    return float(np.abs(cv2.Laplacian(grey.astype(np.float32), cv2.CV_32F))[where].mean())


def test_extend_canvas_fills_the_border_with_texture_in_one_undo_step(qtbot, win):
    before = state(win)
    extend(qtbot, win, (64, 0, 96, 40))
    assert win.document.size == (760, 440)
    said = win.statusBar().currentMessage()  # not still 'filling the border…' once it is filled
    assert "filling" not in said and "Accept" in said
    border = win.document.mask > 0
    assert border.sum() == 760 * 440 - 600 * 400
    qtbot.mouseClick(win.staging.accept_button, Qt.MouseButton.LeftButton)
    image = win.document.image
    np.testing.assert_array_equal(image[:400, 64:664], before[0])  # the photo, bit-exact
    assert (image[border, 3] == 255).all()  # the border is opaque, filled
    # Textured like the photo, not a flat smear (a flat fill scores near 0).
    assert texture(image, border) > 0.5 * texture(before[0], np.ones((400, 600), bool))
    assert not win.document.mask.any()  # the filled border is not left masked for the next filter
    assert win.undo_stack.count() == 1 and win.undo_stack.text(0) == "Extend canvas and fill"
    after = state(win)
    win.acts["undo"].trigger()  # Edit > Undo: one step takes the border and its fill back
    assert_state(win, before)
    win.acts["redo"].trigger()
    assert_state(win, after)


@pytest.mark.parametrize("how", ["Discard button", "Esc"])
def test_discard_leaves_the_picture_as_before_the_command(qtbot, win, how):
    qtbot.keyClick(win.canvas, Qt.Key.Key_R)
    drag(win.canvas, [(10, 10), (50, 50)])  # a mask painted before: it comes back too
    before = state(win)
    extend(qtbot, win, (0, 30, 0, 30))
    assert win.document.size == (600, 460)
    if how == "Esc":
        win.acts["cancel"].trigger()
    else:
        qtbot.mouseClick(win.staging.discard_button, Qt.MouseButton.LeftButton)
    assert_state(win, before)
    assert win.undo_stack.count() == 1 and not win.undo_stack.canRedo()  # only the mask stroke
    assert "as it was" in win.statusBar().currentMessage()


def test_extend_refuses_an_empty_border_in_the_dialog(qtbot, win):
    win.acts["extend"].trigger()
    dialog = win.findChild(ExtendDialog)
    for spin in dialog.spins:
        spin.setValue(0)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible() and "nothing to extend" in dialog.error.text()
    dialog.aspect.setCurrentText("1:1")
    assert dialog.border() == (0, 100, 0, 100)
    dialog.reject()
    QApplication.processEvents()
    assert win.document.size == (600, 400)


def test_undo_while_the_fill_is_staged_takes_the_border_back(qtbot, win):
    before = state(win)
    extend(qtbot, win, (32, 0, 0, 0))
    win.acts["undo"].trigger()
    assert_state(win, before)
    assert win.model.staged is None and not win.canvas.staged and win.outpainter.pending is None
    assert win.undo_stack.canRedo()  # the artist's own undo: Redo puts the (unfilled) border back
    win.acts["redo"].trigger()
    assert win.document.size == (632, 400)


def test_a_failed_fill_leaves_the_picture_as_it_was(qtbot, win):
    """PatchMatch refuses a picture smaller than its patch: the border goes, with nothing to redo."""
    tiny = np.full((3, 3, 4), 200, np.uint8)
    win.set_loaded(LoadedImage(tiny, "RGBA", "PNG", (3, 3), {}, []), None)
    before = state(win)
    win.acts["extend"].trigger()
    dialog = win.findChild(ExtendDialog)
    for spin in dialog.spins:
        spin.setValue(1)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: win.outpainter.pending is None and not win.model.busy, timeout=TIMEOUT_MS)
    assert_state(win, before)
    assert not win.undo_stack.canUndo() and not win.undo_stack.canRedo()
    assert "needs at least" in win.jobs.last_error
