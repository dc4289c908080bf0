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
import os
import secrets
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLockFile, QObject, QTimer, Signal

from genimg_desktop.core import paths
from genimg_desktop.core.document import Document
from genimg_desktop.core.imageio import ImageSaveError
from genimg_desktop.core.ora import save_ora
from genimg_desktop.core.rect import Rect
from genimg_desktop.ui import background

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


def _write(path: Path, snapshot: dict[str, Any]) -> str:
    """On the worker thread: the save, and why it failed ("" when it did not)."""
    try:
        save_ora(path, compress_level=FAST_PNG, **snapshot)
    except (ImageSaveError, ValueError) as exc:
        return str(exc)
    return ""


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
        self._task: background.Task | None = None  # the save running, or the last one
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
        self.wait()  # a save still running must not land after the removal below
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
        self._busy = True  # one save at a time, in order: the next one waits for this one's outcome
        path, snapshot, generation = self.path, _snapshot(doc), self._generation
        relay = background.Relay(self)
        relay.done.connect(lambda outcome: self._finished(relay, generation, outcome))
        self._task = background.start(lambda _progress: _write(path, snapshot), relay)

    def _finished(self, relay: background.Relay, generation: int, outcome: object) -> None:
        relay.deleteLater()
        self._busy = False
        error = outcome if isinstance(outcome, str) else str(outcome)  # an unforeseen failure too
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
        """Block until the running save is written (tests; shutdown); its outcome comes after."""
        if self._task is not None:
            self._task.wait()

    def keep_for_recovery(self) -> str | None:
        """The app is ending on a signal (logout, shutdown, kill): write what changed since the last
        autosave now, on this thread, then give up the lock but keep the file, so the next start offers
        it (ui/recovery.py). Returns why the save failed, or None."""
        self._timer.stop()
        self._again = False
        self.wait()  # a running save lands first; its outcome is ignored from here on
        doc, error = self._document, None
        if doc is not None and self.path is not None and (self.dirty or self._busy):
            error = _write(self.path, _snapshot(doc)) or None
        self.shutdown(delete=False)
        return error

    def shutdown(self, delete: bool = True) -> None:
        """Clean exit: stop, let a running save finish, then remove our files (nothing to recover)."""
        self._timer.stop()
        self._again = False
        self.wait()
        self._generation += 1  # the outcome of the save just waited for no longer speaks
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
    image, mask, metadata = doc.copies()
    source = str(doc.path) if doc.path is not None else None
    return {"image": image, "mask": mask, "metadata": metadata, "source": source}
