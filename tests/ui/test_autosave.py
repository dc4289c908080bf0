"""Autosave and recovery in the real window: the timer, accepted results, clean exit, the question."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QLockFile
from PySide6.QtWidgets import QMessageBox

from genimg_desktop.core.imageio import ImageSaveError, save_image
from genimg_desktop.core.ora import save_ora
from genimg_desktop.core.ora_read import load_ora
from genimg_desktop.core.request import GenerationRequest, GenerationResult
from genimg_desktop.ui import autosave, recovery
from genimg_desktop.ui.autosave import autosave_dir
from genimg_desktop.ui.main_window import MainWindow
from tests.ui.dialogs import click_when_shown
from tests.ui.opening import open_file

INTERVAL_S = 0.2


@pytest.fixture
def make_window(qtbot):
    made: list[MainWindow] = []

    def make() -> MainWindow:
        win = MainWindow()  # not qtbot.addWidget: it would close it before the line below runs
        made.append(win)
        return win

    yield make
    for win in made:
        win.document.modified = False  # no "save changes?" prompt at teardown
        win.close()
        win.deleteLater()


@pytest.fixture
def photo_file(tmp_path, photo_rgb):
    return save_image(tmp_path / "photo.png", photo_rgb)


def paint(win: MainWindow, x: int = 40, y: int = 50, w: int = 100, h: int = 60) -> None:
    win.document.mask[y : y + h, x : x + w] = 255
    win.document.notify("mask", (x, y, w, h))


def test_autosave_after_the_interval_only_when_changed(qtbot, make_window, photo_file, monkeypatch):
    threads: list[int] = []
    real_save = autosave.save_ora
    monkeypatch.setattr(
        autosave, "save_ora", lambda *a, **k: threads.append(threading.get_ident()) or real_save(*a, **k)
    )
    win = make_window()
    win.autosaver.set_interval(INTERVAL_S)
    assert open_file(win, photo_file)
    qtbot.wait(int(INTERVAL_S * 3000))
    assert not win.autosaver.path.exists() and not threads  # a freshly opened file is safe on disk

    paint(win)
    with qtbot.waitSignal(win.autosaver.saved, timeout=5000):
        pass
    project = load_ora(win.autosaver.path)
    np.testing.assert_array_equal(project.image, win.document.image)
    np.testing.assert_array_equal(project.mask, win.document.mask)
    assert project.source == str(photo_file)
    assert threads and threading.get_ident() not in threads  # encoded on the worker, not the GUI thread

    saves = len(threads)
    qtbot.wait(int(INTERVAL_S * 3000))
    assert len(threads) == saves  # nothing changed since: no rewrite


def test_an_accepted_result_is_autosaved_at_once(qtbot, make_window, photo_file, photo_rgb):
    win = make_window()
    win.autosaver.set_interval(0)  # timer off: only the accept may trigger it
    open_file(win, photo_file)
    paint(win)
    request = GenerationRequest(
        "test-model", "inpaint", {"radius": 3}, 42, photo_rgb, win.document.mask.copy()
    )
    result = GenerationResult(request, [np.zeros_like(photo_rgb)])
    win.jobs.show_result(result)
    with qtbot.waitSignal(win.autosaver.saved, timeout=5000):
        win.accept_result(0)
    project = load_ora(win.autosaver.path)
    assert project.metadata["model"] == "test-model" and project.metadata["seed"] == 42
    assert (project.image[60, 60, :3] == 0).all() and (
        project.image[300, 300] == win.document.image[300, 300]
    ).all()


def test_a_failed_autosave_says_so_and_retries(qtbot, make_window, monkeypatch):
    def full(*args, **kwargs):
        raise ImageSaveError("Could not save 'x.ora': No space left on device.")

    monkeypatch.setattr(autosave, "save_ora", full)
    win = make_window()
    paint(win)
    with qtbot.waitSignal(win.autosaver.failed, timeout=5000):
        win.autosaver.save_now()
    assert "No space left" in win.statusBar().currentMessage() and win.autosaver.dirty


def test_clean_exit_removes_the_autosave(qtbot, make_window):
    win = make_window()
    paint(win)
    with qtbot.waitSignal(win.autosaver.saved, timeout=5000):
        win.autosaver.save_now()
    assert sorted(p.suffix for p in autosave_dir().iterdir()) == [".lock", ".ora"]
    seen: list[str] = []
    click_when_shown("Discard", seen)  # the painted mask is unsaved work: closing asks
    win.close()
    assert seen and not list(autosave_dir().iterdir())


def orphan(image: np.ndarray, mask: np.ndarray, name: str = "12345-dead.ora"):
    """What a killed session leaves: an autosave whose lock is gone or stale."""
    return save_ora(autosave_dir() / name, image, mask, {"model": "opencv-telea", "seed": 9}, "/x/cat.png")


def test_recover_opens_the_work_as_an_unsaved_document(qtbot, make_window):
    image = np.full((40, 60, 4), 200, np.uint8)
    mask = np.zeros((40, 60), np.uint8)
    mask[5:15, 10:30] = 255
    path = orphan(image, mask)
    win = make_window()
    seen: list[str] = []
    click_when_shown("Recover", seen)
    assert recovery.offer_recovery(win)
    assert "did not close normally" in seen[0]
    doc = win.document
    np.testing.assert_array_equal(doc.image, image)
    np.testing.assert_array_equal(doc.mask, mask)
    assert doc.modified and doc.path == Path("/x/cat.png") and doc.metadata["seed"] == 9
    assert win.windowTitle().startswith("cat.png*") and "cat.png" in win.statusBar().currentMessage()
    assert not path.exists() and win.autosaver.path.exists()  # adopted: still safe if we crash now
    assert not recovery.offer_recovery(win)  # our own live session is never offered


def test_a_recorded_name_that_is_no_usable_path_recovers_untitled(qtbot, make_window):
    image = np.full((40, 60, 4), 200, np.uint8)
    save_ora(autosave_dir() / "1-dead.ora", image, np.zeros((40, 60), np.uint8), {}, "cat\x00.png")
    save_ora(autosave_dir() / "2-dead.ora", image, np.zeros((40, 60), np.uint8), {}, "relative/cat.png")
    for _ in range(2):
        win = make_window()
        click_when_shown("Recover", [])
        assert recovery.offer_recovery(win)
        assert win.document.path is None and win.windowTitle().startswith("Untitled*")


@pytest.mark.parametrize(("button", "kept"), [("Discard", False), ("Decide later", True)])
def test_discard_deletes_and_later_keeps(qtbot, make_window, button, kept):
    path = orphan(np.zeros((4, 4, 4), np.uint8), np.zeros((4, 4), np.uint8))
    win = make_window()
    click_when_shown(button, [])
    assert not recovery.offer_recovery(win)
    assert path.exists() == kept and not path.with_suffix(".lock").exists()
    assert win.document.size != (4, 4)


def test_another_running_window_keeps_its_autosave(qtbot, make_window, monkeypatch):
    first = make_window()
    paint(first)
    with qtbot.waitSignal(first.autosaver.saved, timeout=5000):
        first.autosaver.save_now()
    asked = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: asked.append(self.text()))
    assert not recovery.offer_recovery(make_window()) and not asked


def dead_lock(path):
    """A lock file as a session killed with -9 leaves it: written by Qt, naming a process that is gone."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    lock = QLockFile(str(path))
    assert lock.tryLock(0)
    rest = path.read_bytes().split(b"\n", 1)[1]  # the line after the pid: app, host, machine and boot ids
    lock.unlock()
    path.write_bytes(f"{gone.pid}\n".encode() + rest)


def test_dead_sessions_leave_no_litter(qtbot, make_window):
    folder = autosave_dir()
    dead_lock(folder / "111-a.lock")  # killed before its first autosave ...
    (folder / ".111-a.ora.0badc0de.tmp").write_bytes(b"half")  # ... in the middle of it
    work = orphan(np.zeros((4, 4, 4), np.uint8), np.zeros((4, 4), np.uint8), "222-b.ora")
    dead_lock(folder / "222-b.lock")
    (folder / ".222-b.ora.12345678.tmp").write_bytes(b"half")
    win = make_window()
    seen: list[str] = []
    click_when_shown("Decide later", seen)
    assert not recovery.offer_recovery(win) and len(seen) == 1
    assert sorted(p.name for p in folder.iterdir()) == sorted([work.name, f"{win.autosaver.session}.lock"])


def test_an_unwritable_data_folder_turns_autosave_off_without_breaking_the_start(make_window, monkeypatch):
    def refuse():
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(autosave, "autosave_dir", refuse)
    monkeypatch.setattr(recovery, "autosave_dir", refuse)
    win = make_window()
    paint(win)
    win.autosaver.save_now()
    assert win.autosaver.path is None and "Permission denied" in win.autosaver.last_error
    assert not recovery.offer_recovery(win)
