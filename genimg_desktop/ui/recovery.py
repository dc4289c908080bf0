"""At start-up: offer the work a crashed or killed session left in the autosave folder.

An autosave is abandoned when its session's lock is stale (the process that held it is gone) or
missing; a lock still held by a running window (another instance, or this one) keeps it private.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile
from PySide6.QtWidgets import QMessageBox

from genimg_desktop import APP_NAME
from genimg_desktop.core.atomic import leftover_temporaries
from genimg_desktop.core.document import Document
from genimg_desktop.core.imageio import ImageLoadError
from genimg_desktop.core.ora_read import load_ora
from genimg_desktop.ui.autosave import autosave_dir, session_lock

if TYPE_CHECKING:
    from genimg_desktop.ui.main_window import MainWindow

RECOVER, DISCARD, LATER = "recover", "discard", "later"


def abandoned(folder: Path) -> Iterator[tuple[Path, QLockFile]]:
    """Autosaves nobody owns, newest first, each with its lock now held by us. What else their dead
    sessions left (half-written temporaries, locks of sessions that never autosaved) is removed."""
    for lock_path in folder.glob("*.lock"):
        if not lock_path.with_suffix(".ora").exists():
            lock = session_lock(lock_path)
            if lock.tryLock(0):
                _remove_temporaries(lock_path.with_suffix(".ora"))
                lock.unlock()
    for ora in sorted(folder.glob("*.ora"), key=_mtime, reverse=True):
        lock = session_lock(ora.with_suffix(".lock"))
        if lock.tryLock(0):  # takes over a stale lock: its owner crashed or was killed
            _remove_temporaries(ora)
            yield ora, lock


def _remove_temporaries(ora: Path) -> None:
    """core.atomic's temporaries for `ora` (a kill -9 mid-save leaves one)."""
    for tmp in (t for t in leftover_temporaries(ora.parent) if t.name.startswith(f".{ora.name}.")):
        with contextlib.suppress(OSError):  # litter only: never a reason to fail the start-up
            tmp.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def offer_recovery(window: MainWindow) -> bool:
    """Ask about each abandoned autosave (newest first) until one is recovered; True if one was."""
    try:
        folder = autosave_dir()
    except OSError:
        return False  # no data folder: nothing was autosaved either
    for ora, lock in abandoned(folder):
        try:
            choice = ask(window, ora)
            if choice == DISCARD:
                ora.unlink(missing_ok=True)
            elif choice == RECOVER and recover(window, ora):
                return True
        finally:
            lock.unlock()  # LATER keeps the file: with no lock it is offered again next time
    return False


def ask(window: MainWindow, ora: Path) -> str:
    when = datetime.datetime.fromtimestamp(_mtime(ora)).strftime("%Y-%m-%d %H:%M")
    box = QMessageBox(
        QMessageBox.Icon.Question,
        APP_NAME,
        f"{APP_NAME} did not close normally. Work saved automatically at {when} can be recovered: "
        "the image, its mask and its generation parameters.\n\nRecover it?",
        parent=window,
    )
    box.setObjectName("recovery_box")
    recover = box.addButton("Recover", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    later = box.addButton("Decide later", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(recover)
    box.setEscapeButton(later)  # closing the box must never delete work
    box.exec()
    clicked = box.clickedButton()
    return RECOVER if clicked is recover else DISCARD if clicked is discard else LATER


def recover(window: MainWindow, ora: Path) -> bool:
    """Open the autosave as an unsaved document with its mask and metadata, under the name of the file
    the work was on (Save writes there, as it would have before the crash)."""
    try:
        project = load_ora(ora)
    except ImageLoadError as exc:
        QMessageBox.warning(window, "Cannot recover", f"{exc}\n\nThe autosave is kept in {ora.parent}.")
        return False
    path = _source_path(project.source)
    document = Document(project.image, path=path, metadata=project.metadata, mask=project.mask)
    document.modified = True  # never saved by the artist: closing must ask
    window.set_document(document)
    if not window.autosaver.adopt(ora):
        window.autosaver.save_now()  # could not take the file over: write our own copy now
    source = path.name if path is not None else "an untitled image"
    window.statusBar().showMessage(f"Recovered unsaved work on {source}; save it to keep it", 10000)
    if project.metadata:
        window.restore_parameters(project.metadata)
    return True


def _source_path(source: str | None) -> Path | None:
    """The recorded file the work was on, when it is a usable absolute path (the autosave is a file
    on disk like any other: a NUL or a relative name would only fail later, at Save)."""
    if not source or "\x00" in source or not Path(source).is_absolute():
        return None
    return Path(source)
