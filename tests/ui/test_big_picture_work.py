"""Image > Resize of a big picture and File > Save run off the GUI thread in the real window: the work
runs on another thread, the window stays live meanwhile (background_held keeps the work from starting
while a timer or the test acts), Cancel changes nothing, one undo step, and the keyboard is back on the
canvas afterwards. A save's saved state and title change only once the file holds the document."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QProgressDialog, QPushButton

from genimg_desktop.core import geometry
from genimg_desktop.core.imageio import LoadedImage, load_image
from genimg_desktop.core.ora_read import load_ora
from genimg_desktop.ui import file_ops, image_menu
from genimg_desktop.ui.main_window import MainWindow
from tests.ui.photo_window import photo_window
from tests.ui.pool import background_held

CTRL = Qt.KeyboardModifier.ControlModifier
BIG = (1000, 1200)  # (h, w): 1.2 MP, over the size a resize does at once on the GUI thread


def picture(photo_rgb: np.ndarray, h: int, w: int) -> np.ndarray:
    rgb = np.tile(photo_rgb, (h // photo_rgb.shape[0] + 1, w // photo_rgb.shape[1] + 1, 1))[:h, :w]
    return np.dstack([rgb, np.full((h, w), 255, np.uint8)])


@pytest.fixture
def big(qtbot, photo_rgb):
    assert BIG[0] * BIG[1] > image_menu.RESIZE_HERE_PX
    yield from photo_window(qtbot, picture(photo_rgb, *BIG))


@pytest.fixture
def small(qtbot, photo_rgb):
    """A save has no size threshold: every save encodes off the GUI thread, so a small one shows it."""
    yield from photo_window(qtbot, picture(photo_rgb, 300, 400))


@pytest.fixture
def threads(monkeypatch) -> list[threading.Thread]:
    """The thread each resize and each encode of a save ran on."""
    seen: list[threading.Thread] = []

    def recorded(real):
        return lambda *a, **k: seen.append(threading.current_thread()) or real(*a, **k)

    monkeypatch.setattr(geometry, "resize", recorded(geometry.resize))
    monkeypatch.setattr(file_ops, "save_image", recorded(file_ops.save_image))
    monkeypatch.setattr(file_ops, "save_ora", recorded(file_ops.save_ora))
    return seen


def typed(qtbot, k: Qt.Key, mods=Qt.KeyboardModifier.NoModifier) -> None:
    """A key as the keyboard sends it: to whichever widget has the focus."""
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, k, mods)


def the_progress_dialog() -> QProgressDialog:
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, QProgressDialog)
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    return dialog


def start_resize(qtbot, win: MainWindow, width: int) -> None:
    """Image > Resize image…, a new width (the height follows), OK."""
    win.acts["resize"].trigger()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is not None)
    dialog = QApplication.activeModalWidget()
    dialog.width_spin.setValue(width)
    dialog.accept()


def test_a_big_resize_runs_off_the_gui_thread_is_one_undo_step_and_ctrl_z_works_after(qtbot, big, threads):
    win = big
    before = win.document.image.copy()
    with background_held():
        start_resize(qtbot, win, 600)
        progress = the_progress_dialog()  # the window waits behind it, live: a timer still fires
        fired: list[bool] = []
        QTimer.singleShot(0, lambda: fired.append(True))
        qtbot.waitUntil(lambda: bool(fired))
        assert win.document.size == (1200, 1000) and not threads and progress.isVisible()
    qtbot.waitUntil(lambda: win.document.size == (600, 500))
    assert threads and threading.main_thread() not in threads
    assert win.undo_stack.count() == 1 and "600 x 500" in win.statusBar().currentMessage()
    resized = win.document.image
    qtbot.waitUntil(lambda: QApplication.focusWidget() is win.canvas)  # the window is active again

    typed(qtbot, Qt.Key.Key_Z, CTRL)
    assert win.document.size == (1200, 1000)
    np.testing.assert_array_equal(win.document.image, before)
    typed(qtbot, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert win.document.image is resized  # the redo put the kept pixels back, no second resample
    typed(qtbot, Qt.Key.Key_R)  # single keys reach the canvas too
    assert win.canvas.tool == "rect"


def test_cancelling_a_resize_changes_nothing(qtbot, big, threads):
    win = big
    before = win.document.image.copy()
    with background_held():
        start_resize(qtbot, win, 600)
        qtbot.mouseClick(the_progress_dialog().findChild(QPushButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cancelled" in win.statusBar().currentMessage())
    assert threads  # it ran (off the thread), and its result was dropped
    assert win.document.size == (1200, 1000) and win.undo_stack.count() == 0 and not win.document.modified
    np.testing.assert_array_equal(win.document.image, before)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is win.canvas)
    typed(qtbot, Qt.Key.Key_B)
    assert win.canvas.tool == "brush"


@pytest.mark.parametrize("name", ["work.png", "work.ora"])
def test_save_as_encodes_off_the_gui_thread_while_the_window_stays_live(
    qtbot, small, threads, tmp_path, monkeypatch, name
):
    win = small
    win.document.mask[100:200, 100:300] = 255
    win.document.notify("mask", (100, 100, 200, 100))
    target = tmp_path / name
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    meanwhile: list[tuple[bool, bool, bool]] = []
    title = win.windowTitle()

    def while_held(release) -> None:  # on the GUI thread, while the save waits for its encoder
        the_progress_dialog()
        meanwhile.append((bool(threads), win.document.modified, win.windowTitle() == title))
        release()

    with background_held() as release:
        QTimer.singleShot(0, lambda: while_held(release))
        assert file_ops.ask_save(win, save_as=True)
    assert meanwhile == [(False, True, True)]  # not encoding yet, still unsaved, the title as it was
    assert threads and threading.main_thread() not in threads
    assert win.document.path == target and not win.document.modified
    assert win.windowTitle().startswith(f"{name} (")
    assert QApplication.activeModalWidget() is None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is win.canvas)
    if name.endswith(".ora"):
        project = load_ora(target)
        np.testing.assert_array_equal(project.mask, win.document.mask)
        np.testing.assert_array_equal(project.image, win.document.image)
    else:
        np.testing.assert_array_equal(load_image(target).rgba, win.document.image)


def test_an_edit_while_a_save_encodes_keeps_the_document_unsaved(qtbot, small, tmp_path):
    win = small
    win.document.modified = True
    target = tmp_path / "work.png"

    def edit(release) -> None:  # what the modal dialog keeps out; anything that edits all the same
        win.document.mask[:10, :10] = 255
        win.document.notify("mask", (0, 0, 10, 10))
        release()

    with background_held() as release:
        QTimer.singleShot(0, lambda: edit(release))
        assert not file_ops.save_to(win, target)
    assert target.exists() and win.document.modified and win.document.path is None
    assert "what changed since is not saved" in win.statusBar().currentMessage()


def test_closing_the_window_while_a_save_encodes_closes_it_once_the_file_is_written(
    qtbot, photo_rgb, tmp_path, threads
):
    win = MainWindow()  # closed by the test itself: not the fixture's, which would close it again
    win.show()
    rgba = picture(photo_rgb, 300, 400)
    win.set_loaded(LoadedImage(rgba, "RGBA", "PNG", (400, 300), {}, []), None)
    win.document.modified = True
    target = tmp_path / "work.png"
    tried: list[bool] = []

    def close_now(release) -> None:  # a logout closes every window, modal dialog or not
        tried.append(win.close())
        release()

    with background_held() as release:
        QTimer.singleShot(0, lambda: close_now(release))
        assert file_ops.save_to(win, target)
    assert tried == [False]  # refused while the encoder ran...
    np.testing.assert_array_equal(load_image(target).rgba, rgba)
    qtbot.waitUntil(lambda: not win.isVisible())  # ...and done once the file was written, with no question
    assert not win.document.modified
    win.deleteLater()
