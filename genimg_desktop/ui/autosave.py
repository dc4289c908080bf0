"""Autosave: the open document (image, mask, metadata) as an OpenRaster file in the user data folder.

Every `interval` seconds when something changed since the last autosave, and right after an accepted
result. Each window session writes `autosave/<session>.ora` and holds `autosave/<session>.lock` (a
QLockFile: it names our process, so a crash or kill -9 leaves a lock whose owner is gone, which is
how the next start tells abandoned work from another running window's; see ui/recovery.py). A clean
exit deletes both. Encoding runs on a worker thread from a copy of the arrays, so a big image never
freezes the canvas; the encoder itself is core.ora.save_ora, written atomically.
"""

from __future__ import annotations

import contextlib
import copy
import os
import secrets
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QLockFile, QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from genimg_desktop.core import paths
from genimg_desktop.core.document import Document
from genimg_desktop.core.imageio import ImageSaveError
from genimg_desktop.core.ora import save_ora
from genimg_desktop.core.rect import Rect

FAST_PNG = 1  # zlib level: several times faster than 6 on photos, for files nobody keeps
MAX_INTERVAL_S = 24 * 3600  # a QTimer counts milliseconds in an int32: about 24 days at most


def autosave_dir() -> Path:
    folder = paths.user_data_dir() / "autosave"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def session_lock(lock_path: Path) -> QLockFile:
    """A lock that is stale only when its process is gone (never by age: sessions last for hours)."""
    lock = QLockFile(str(lock_path))
    lock.setStaleLockTime(0)
    return lock


class _Done(QObject):
    """Carries a worker's outcome back to the GUI thread (a queued signal): generation, error or ""."""

    finished = Signal(int, str)


class _SaveTask(QRunnable):
    def __init__(self, path: Path, snapshot: dict[str, Any], done: _Done, generation: int) -> None:
        super().__init__()
        self.path, self.snapshot, self.done, self.generation = path, snapshot, done, generation

    def run(self) -> None:
        try:
            save_ora(self.path, compress_level=FAST_PNG, **self.snapshot)
            error = ""
        except (ImageSaveError, ValueError) as exc:
            error = str(exc)
        self.done.finished.emit(self.generation, error)


class Autosaver(QObject):
    """Owned by the window: `attach` each new document, `save_now` after results, `shutdown` on exit."""

    saved = Signal(Path)
    failed = Signal(str)

    def __init__(self, parent: QObject, interval_s: int) -> None:
        super().__init__(parent)
        self.session = f"{os.getpid()}-{secrets.token_hex(4)}"
        self.last_error: str | None = None
        self.path: Path | None = None  # None: autosave is off (no data folder)
        self._lock: QLockFile | None = None
        try:
            folder = autosave_dir()
            self.path = folder / f"{self.session}.ora"
            self._lock = session_lock(folder / f"{self.session}.lock")
            self._lock.tryLock(0)  # a fresh, unique name: only an unwritable folder makes it fail
        except OSError as exc:  # an unwritable data folder must not stop the app from starting
            self.last_error = f"Autosave is off: {exc.strerror or exc}"
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one save at a time, in order
        self._done = _Done(self)
        self._done.finished.connect(self._finished)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.tick)
        self._document: Document | None = None
        self._generation = 0  # bumped per document, so a late save of the previous one is ignored
        self.dirty = False  # changed since the last autosave
        self._busy = False
        self._again = False
        self.set_interval(interval_s)

    def set_interval(self, seconds: int) -> None:
        """Autosave every `seconds` (0 turns the timer off; accepted results still autosave)."""
        if seconds > 0:
            self._timer.start(int(min(seconds, MAX_INTERVAL_S) * 1000))
        else:
            self._timer.stop()

    def attach(self, document: Document) -> None:
        """Follow a new document. The old one's autosave goes: it was saved or discarded by now."""
        if self._document is not None:
            self._document.remove_listener(self._changed)
        self._pool.waitForDone()  # a save still running must not land after the removal below
        self._generation += 1
        self._remove_file()
        self._document = document
        document.add_listener(self._changed)
        self.dirty = document.modified  # a freshly opened file is safe on disk; recovered work is not

    def adopt(self, orphan: Path) -> bool:
        """Take over a recovered session's file as ours (its content is the attached document)."""
        if self.path is None:
            return False
        try:
            os.replace(orphan, self.path)
        except OSError:
            return False
        self.dirty = False
        return True

    def _changed(self, kind: str, rect: Rect | None) -> None:
        self.dirty = True  # image, mask or a new size: all of it is the artist's work

    def tick(self) -> None:
        if self.dirty:
            self.save_now()

    def save_now(self) -> None:
        """Start an autosave of the current state (or queue one after the save that is running)."""
        doc = self._document
        if doc is None or self.path is None:
            return
        if self._busy:
            self._again = True
            return
        self.dirty = False
        self._busy = True
        self._pool.start(_SaveTask(self.path, _snapshot(doc), self._done, self._generation))

    @Slot(int, str)
    def _finished(self, generation: int, error: str) -> None:
        self._busy = False
        if generation == self._generation:
            if error:
                self.dirty = True  # try again at the next tick
                self.last_error = error
                self.failed.emit(error)
            else:
                self.last_error = None
                self.saved.emit(self.path)
        if self._again:
            self._again = False
            self.save_now()

    def wait(self) -> None:
        """Block until the running save is written (tests; shutdown)."""
        self._pool.waitForDone()

    def keep_for_recovery(self) -> str | None:
        """The app is ending on a signal (logout, shutdown, kill): write what changed since the last
        autosave now, on this thread, then give up the lock but keep the file, so the next start offers
        it (ui/recovery.py). Returns why the save failed, or None."""
        self._timer.stop()
        self._again = False
        self._pool.waitForDone()  # a running save lands first; its outcome will never be delivered now
        doc, error = self._document, None
        if doc is not None and self.path is not None and (self.dirty or self._busy):
            try:
                save_ora(self.path, compress_level=FAST_PNG, **_snapshot(doc))
            except (ImageSaveError, ValueError) as exc:
                error = str(exc)
        self.shutdown(delete=False)
        return error

    def shutdown(self, delete: bool = True) -> None:
        """Clean exit: stop, let a running save finish, then remove our files (nothing to recover)."""
        self._timer.stop()
        self._again = False
        self._pool.waitForDone()
        if self._document is not None:
            self._document.remove_listener(self._changed)
            self._document = None
        if delete:
            self._remove_file()
        if self._lock is not None:
            self._lock.unlock()  # removes the lock file

    def _remove_file(self) -> None:
        # A leftover autosave is offered once at the next start: annoying, never harmful.
        with contextlib.suppress(OSError):
            if self.path is not None:
                self.path.unlink(missing_ok=True)


def _snapshot(doc: Document) -> dict[str, Any]:
    """save_ora's arguments for `doc`: copies, as the artist keeps painting while a worker encodes."""
    return {
        "image": np.array(doc.image, copy=True),
        "mask": np.array(doc.mask, copy=True),
        "metadata": copy.deepcopy(doc.metadata),
        "source": str(doc.path) if doc.path is not None else None,
    }
