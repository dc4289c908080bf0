"""Opening a picture or project on a worker thread, so that a big file never freezes the window.

File > Open, drag and drop and a pasted file start it (ui/file_ops.py). The model says which file is
loading and how far (`opening_changed`, `open_progress`); the status bar shows it with Cancel
(ui/open_progress.py). The decode is core.imageio's (or core.ora_read's), on a QThreadPool thread, not
the engine's worker: that one owns the models and may be busy with a job for minutes. Cancel makes the
load's progress callback raise LoadCancelled, so the decoder stops between two reads of the file (a
project is read to the end and then dropped). The open document is only replaced once a load
succeeded, by the window, which asks again if the document changed while the file loaded.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from genimg_desktop.core.document import Document
from genimg_desktop.core.imageio import ImageLoadError, LoadCancelled, LoadedImage, Progress, load_image
from genimg_desktop.core.ora_read import load_ora
from genimg_desktop.core.rect import Rect
from genimg_desktop.ui.window_model import WindowModel

STEP = 0.01  # progress is announced in steps of 1 %, not on each of the decoder's reads


def is_project(path: Path) -> bool:
    return path.suffix.lower() == ".ora"


def read_file(path: Path, progress: Progress, fit: bool = False) -> tuple[LoadedImage, np.ndarray | None]:
    """The picture (and a project's mask) in `path`; ImageLoadError says why not. A picture over the
    size limits is opened scaled down to fit them when `fit`, else refused with ImageTooLarge."""
    if is_project(path):
        project = load_ora(path)
        return project.loaded(), project.mask
    return load_image(path, progress, fit), None


@dataclass
class Opened:
    path: Path
    loaded: LoadedImage
    mask: np.ndarray | None
    touched: bool  # the open document changed, or another replaced it, while this file loaded


class _Relay(QObject):
    """Carries a load's progress and outcome from the worker to the GUI thread (queued signals)."""

    progress = Signal(int, float)  # ticket, fraction
    done = Signal(int, object)  # ticket, (LoadedImage, mask) or the exception that stopped it


class _LoadTask(QRunnable):
    def __init__(self, path: Path, fit: bool, ticket: int, relay: _Relay, stop: threading.Event) -> None:
        super().__init__()
        self.path, self.fit, self.ticket, self.relay, self.stop = path, fit, ticket, relay, stop
        self.shown = -1.0

    def run(self) -> None:
        try:
            outcome: object = read_file(self.path, self.report, self.fit)
        except (ImageLoadError, LoadCancelled) as exc:
            outcome = exc
        except MemoryError:
            outcome = ImageLoadError(f"Not enough memory to open '{self.path.name}'.")
        self.relay.done.emit(self.ticket, outcome)

    def report(self, fraction: float) -> None:
        if self.stop.is_set():
            raise LoadCancelled
        if fraction - self.shown >= STEP or fraction >= 1.0 > self.shown:
            self.shown = fraction
            self.relay.progress.emit(self.ticket, fraction)


class ImageOpener(QObject):
    """Loads one file at a time in the background and says how it ended; shows nothing itself."""

    opened = Signal(object)  # Opened
    failed = Signal(object, object, bool)  # Path, ImageLoadError, whether it was a scaled-down open
    cancelled = Signal(object)  # Path

    def __init__(self, model: WindowModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one decode at a time: two big ones could exhaust memory
        self._relay = _Relay(self)
        self._relay.progress.connect(self._progress)
        self._relay.done.connect(self._done)
        self._ticket = 0  # bumped per open and per cancel: an outcome with an older ticket is dropped
        self._stop = threading.Event()
        self._fit = False
        self._watched: Document | None = None
        self._touched = False

    def start(self, path: Path, fit: bool = False) -> None:
        """Load `path` (scaled down to fit the size limits when `fit`); a load in flight is cancelled."""
        self.cancel()
        self._ticket += 1
        self._stop, self._fit = threading.Event(), fit
        self._watch(self.model.document)
        self.model.set_opening(path)
        self.model.open_progress.emit(0.0)
        self._pool.start(_LoadTask(path, fit, self._ticket, self._relay, self._stop))

    def cancel(self) -> None:
        """Stop the load in flight, if any; the open document stays as it is."""
        path = self.model.opening
        if path is None:
            return
        self._stop.set()
        self._ticket += 1
        self._end()
        self.cancelled.emit(path)

    def shutdown(self) -> None:
        """On closing: stop a load and wait for its thread (a decode stops at its next read)."""
        self.cancel()
        self._pool.waitForDone()

    def _progress(self, ticket: int, fraction: float) -> None:
        if ticket == self._ticket:
            self.model.open_progress.emit(fraction)

    def _done(self, ticket: int, outcome: object) -> None:
        path = self.model.opening
        if ticket != self._ticket or path is None:
            return  # cancelled, or replaced by a newer open
        touched = self._touched or self.model.document is not self._watched
        self._end()
        if isinstance(outcome, LoadCancelled):
            self.cancelled.emit(path)
        elif isinstance(outcome, ImageLoadError):
            self.failed.emit(path, outcome, self._fit)
        else:
            loaded, mask = outcome  # type: ignore[misc]
            self.opened.emit(Opened(path, loaded, mask, touched))

    def _watch(self, document: Document) -> None:
        self._unwatch()
        self._watched, self._touched = document, False
        document.add_listener(self._edited)

    def _unwatch(self) -> None:
        if self._watched is not None:
            self._watched.remove_listener(self._edited)
            self._watched = None

    def _edited(self, _kind: str, _rect: Rect | None) -> None:
        self._touched = True

    def _end(self) -> None:
        self._unwatch()
        self.model.set_opening(None)
