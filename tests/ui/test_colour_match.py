"""Image > Match colours to a picture… through the real window: scikit-image's cat given the colours
of the coffee photo, chosen in the file dialog, previewed, applied as one undo step, through the mask."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QMenu, QProgressDialog, QPushButton
from skimage import data

from genimg_desktop.core.colour_transfer import lab_stats, match_colours, to_lab
from genimg_desktop.core.imageio import LoadedImage, save_image
from genimg_desktop.ui.colour_match import MatchColoursDialog
from tests.ui.mouse import drag
from tests.ui.photo_window import key, photo_window

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def win(qtbot):
    cat = data.chelsea()
    yield from photo_window(qtbot, np.dstack([cat, np.full(cat.shape[:2], 255, np.uint8)]))


@pytest.fixture
def coffee(tmp_path):
    path = tmp_path / "coffee.png"
    save_image(path, data.coffee())
    return path


def open_dialog(qtbot, win) -> MatchColoursDialog:
    """Image > Match colours to a picture…, chosen in the menu as the artist does."""
    image = next(m for m in win.menuBar().findChildren(QMenu) if m.title() == "&Image")
    assert win.acts["match_colours"] in image.actions()
    win.acts["match_colours"].trigger()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), MatchColoursDialog))
    return QApplication.activeModalWidget()


def choose_in_file_dialog(qtbot, dialog: MatchColoursDialog, path) -> None:
    """Click Choose… and answer the file dialog with `path`, as the artist would."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QFileDialog):
            QTimer.singleShot(20, answer)
            return
        box.selectFile(str(path))
        box.accept()

    QTimer.singleShot(0, answer)
    qtbot.mouseClick(dialog.choose, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.reference is not None)


def ok(dialog: MatchColoursDialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_match_colours_through_the_mask_is_one_undo_step(qtbot, win, coffee):
    key(qtbot, win, Qt.Key.Key_R)
    drag(win.canvas, [(100, 60), (300, 240)])
    mask = win.document.mask.copy()
    inside = mask > 0
    before = win.document.image.copy()
    dialog = open_dialog(qtbot, win)
    assert not ok(dialog).isEnabled()  # no reference yet
    plain_preview = dialog.preview.pixmap().toImage()
    choose_in_file_dialog(qtbot, dialog, coffee)
    assert dialog.file_label.text() == "coffee.png" and ok(dialog).isEnabled()
    assert dialog.preview.pixmap().toImage() != plain_preview  # the preview shows the change
    steps = win.undo_stack.count()
    qtbot.mouseClick(ok(dialog), Qt.MouseButton.LeftButton)
    after = win.document.image.copy()
    assert win.undo_stack.count() == steps + 1
    np.testing.assert_array_equal(after[~inside], before[~inside])  # only the masked area changes
    ref_mean = lab_stats(to_lab(data.coffee()))[0]
    assert np.abs(lab_stats(to_lab(after[..., :3]), inside)[0] - ref_mean).max() < 4.0
    assert "coffee.png" in win.statusBar().currentMessage()
    win.windowHandle().requestActivate()  # offscreen Qt has no window manager to give it back
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    key(qtbot, win, Qt.Key.Key_Z, CTRL)
    np.testing.assert_array_equal(win.document.image, before)
    key(qtbot, win, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    np.testing.assert_array_equal(win.document.image, after)


def test_strength_follows_the_slider_on_the_whole_picture(qtbot, win, coffee):
    before = win.document.image.copy()
    dialog = open_dialog(qtbot, win)
    choose_in_file_dialog(qtbot, dialog, coffee)
    dialog.slider.setValue(50)
    assert dialog.strength_label.text() == "50%"
    qtbot.mouseClick(ok(dialog), Qt.MouseButton.LeftButton)
    cat_mean, ref_mean = lab_stats(to_lab(data.chelsea()))[0], lab_stats(to_lab(data.coffee()))[0]
    half_mean = lab_stats(to_lab(win.document.image[..., :3]))[0]
    assert np.abs(half_mean - (cat_mean + ref_mean) / 2).max() < 2.5
    assert not np.array_equal(win.document.image[:, :50], before[:, :50])  # everywhere, no mask


def test_an_unreadable_reference_is_said_and_changes_nothing(qtbot, win, tmp_path):
    bad = tmp_path / "notes.png"
    bad.write_text("not a picture")
    before = win.document.image.copy()
    dialog = open_dialog(qtbot, win)
    choose_in_file_dialog_fails = dialog.set_reference(bad)
    assert not choose_in_file_dialog_fails and "notes.png" in dialog.message.text()
    assert not ok(dialog).isEnabled()
    dialog.reject()
    np.testing.assert_array_equal(win.document.image, before)


def test_refused_while_a_job_runs(qtbot, win):
    win.model.set_busy(True)  # what JobRunner does while a job runs
    win.acts["match_colours"].trigger()
    assert not isinstance(QApplication.activeModalWidget(), MatchColoursDialog)
    assert "wait for the job to finish" in win.statusBar().currentMessage()
    win.model.set_busy(False)


def test_patch_method_runs_behind_a_progress_dialog_as_one_undo_step(qtbot, win, coffee):
    key(qtbot, win, Qt.Key.Key_R)
    drag(win.canvas, [(100, 60), (300, 240)])
    inside = win.document.mask > 0
    before = win.document.image.copy()
    dialog = open_dialog(qtbot, win)
    choose_in_file_dialog(qtbot, dialog, coffee)
    colour_preview = dialog.preview.pixmap().toImage()
    dialog.methods.setCurrentIndex(dialog.methods.findData("patch"))
    assert dialog.preview.pixmap().toImage() != colour_preview  # the preview re-drawn from patches
    steps = win.undo_stack.count()
    qtbot.mouseClick(ok(dialog), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.undo_stack.count() == steps + 1, timeout=60_000)
    after = win.document.image.copy()
    np.testing.assert_array_equal(after[~inside], before[~inside])
    recoloured = match_colours(before, data.coffee(), 1.0, win.document.mask)
    assert np.abs(after[inside][:, :3].astype(int) - recoloured[inside][:, :3]).mean() > 5  # not just colour
    assert "colours and texture of coffee.png" in win.statusBar().currentMessage()
    assert win.undo_stack.undoText() == "Match style to coffee.png"


def test_cancelling_the_patch_method_changes_nothing(qtbot, win, coffee):
    # A picture big enough (~10 s of work) that Cancel lands before the end, on any machine.
    big = cv2.resize(win.document.image, (1800, 1200), interpolation=cv2.INTER_CUBIC)
    win.set_loaded(LoadedImage(big, "RGBA", "PNG", (1800, 1200), {}, []), None)
    before = win.document.image.copy()
    dialog = open_dialog(qtbot, win)
    choose_in_file_dialog(qtbot, dialog, coffee)
    dialog.methods.setCurrentIndex(dialog.methods.findData("patch"))
    steps = win.undo_stack.count()
    qtbot.mouseClick(ok(dialog), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QProgressDialog))
    progress = QApplication.activeModalWidget()
    qtbot.mouseClick(progress.findChild(QPushButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cancelled" in win.statusBar().currentMessage(), timeout=60_000)
    assert win.undo_stack.count() == steps
    np.testing.assert_array_equal(win.document.image, before)
