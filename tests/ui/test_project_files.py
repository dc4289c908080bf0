"""Projects (.ora) in the real window, and saves that fail half-way (disk full, no permission)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog

from genimg_desktop.core import atomic
from genimg_desktop.core.imageio import save_image
from genimg_desktop.core.ora_read import load_ora
from genimg_desktop.ui import file_ops
from genimg_desktop.ui.main_window import MainWindow
from tests.ui.opening import open_file, wait_for_open


@pytest.fixture
def win(qtbot):
    window = MainWindow()
    yield window
    window.document.modified = False
    window.close()
    window.deleteLater()


@pytest.fixture
def photo_file(tmp_path, photo_rgb):
    return save_image(tmp_path / "photo.png", photo_rgb)


def paint(win: MainWindow) -> np.ndarray:
    win.document.mask[100:150, 200:260] = 255
    win.document.notify("mask", (200, 100, 60, 50))
    return win.document.mask.copy()


def drop(win: MainWindow, path: Path) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    no_button, no_mod = Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    win.dropEvent(QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, data, no_button, no_mod))
    wait_for_open(win)


def test_save_project_keeps_the_mask_and_opens_again(win, photo_file, tmp_path, monkeypatch, messages):
    open_file(win, photo_file)
    win.document.metadata = {"model": "opencv-telea", "seed": 5}
    mask = paint(win)
    chosen = tmp_path / "work"  # no extension typed: the project gets .ora
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(chosen), ""))
    win.acts["save_project"].trigger()
    saved = tmp_path / "work.ora"
    assert win.document.path == saved and not win.document.modified and "work.ora" in win.windowTitle()
    assert (load_ora(saved).mask == mask).all()

    paint_more = win.document.mask.copy()
    paint_more[0:10, 0:10] = 255
    win.document.mask[:] = paint_more
    win.document.notify("mask", None)
    assert win.document.modified  # in a project the mask is part of the work

    win.document.modified = False
    open_file(win, photo_file)  # something else, then the project again, by drag and drop
    assert not win.document.mask.any()
    drop(win, saved)
    assert win.document.path == saved and not win.document.modified
    np.testing.assert_array_equal(win.document.mask, mask)
    assert win.document.metadata["seed"] == 5
    assert not messages


def test_save_as_ora_and_open_dialog_accept_projects(win, photo_file, tmp_path, monkeypatch):
    open_file(win, photo_file)
    mask = paint(win)
    target = tmp_path / "copy.ora"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert file_ops.ask_save(win, save_as=True)
    assert (load_ora(target).mask == mask).all()
    assert "*.ora" in file_ops.OPEN_FILTER and "*.ora" in file_ops.SAVE_FILTER
    seen_filters = []

    def pick(parent, title, folder, filters):
        seen_filters.append(filters)
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", pick)
    win.document.modified = False
    win.acts["open"].trigger()
    wait_for_open(win)
    assert win.document.path == target and (win.document.mask == mask).all()


def fail_fsync(fd: int) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # the data did not fit on the disk


def fail_open(*args, **kwargs):
    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))  # a read-only folder


@pytest.mark.parametrize("name", ["keep.png", "keep.ora"])
@pytest.mark.parametrize(
    ("fault", "words"), [(fail_fsync, "No space left"), (fail_open, "Permission denied")]
)
def test_a_failed_save_keeps_the_old_file_and_says_so(
    win, photo_file, tmp_path, monkeypatch, messages, name, fault, words
):
    open_file(win, photo_file)
    target = tmp_path / name
    assert file_ops.save_to(win, target)
    old = target.read_bytes()
    paint(win)
    win.document.image[:20] = 0
    win.document.notify("image", None)
    monkeypatch.setattr(atomic.os, "fsync" if fault is fail_fsync else "open", fault)
    assert not file_ops.save_to(win, target)
    monkeypatch.undo()
    assert target.read_bytes() == old  # intact
    assert sorted(os.listdir(tmp_path)) == sorted(["photo.png", name])  # no temporary file left
    kind, text = messages[-1]
    assert kind == "warning" and words in text and "previous file" in text and "unchanged" in text
    assert win.document.modified  # still unsaved: closing will ask


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders")
def test_saving_into_a_read_only_folder(win, photo_file, tmp_path, messages):
    folder = tmp_path / "locked"
    folder.mkdir()
    target = save_image(folder / "a.png", np.zeros((4, 4, 3), np.uint8))
    old = target.read_bytes()
    folder.chmod(0o555)
    try:
        open_file(win, photo_file)
        assert not file_ops.save_to(win, target)
    finally:
        folder.chmod(0o755)
    assert target.read_bytes() == old and "unchanged" in messages[-1][1]
