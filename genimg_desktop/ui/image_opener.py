"""Opening a picture or project on a worker thread, so that a big file never freezes the window.

File > Open, drag and drop and a pasted file start it (ui/file_ops.py). The model says which file is
loading and how far (`opening_changed`, `open_progress`); the status bar shows it with Cancel
(ui/open_progress.py). The decode is core.imageio's (or core.ora_read's), on a thread of its own
(ui/background.py; one decode at a time, so two big ones never share the memory), not the engine's
worker: that one owns the models and may be busy with a job for minutes. Cancel makes the
load's progress callback raise LoadCancelled, so the decoder stops between two reads of the file (a
project is read to the end and then dropped). The open document is only replaced once a load
succeeded, by the window, which asks again if the document changed while the file loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from genimg_desktop.core.document import ChangeWatch
from genimg_desktop.core.imageio import ImageLoadError, LoadCancelled, LoadedImage, Progress, load_image
from genimg_desktop.core.ora_read import load_ora
from genimg_desktop.ui import background
from genimg_desktop.ui.window_model import WindowModel


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


def _read_after(
    previous: background.Task | None, path: Path, fit: bool, progress: background.Progress
) -> object:
    """On the load's thread: the file's content, or the ImageLoadError / LoadCancelled that stopped it."""
    if previous is not None:
        previous.wait()  # a cancelled decode stops at its next read; two big ones could exhaust memory

    def report(fraction: float) -> None:
        try:
            progress(fraction, "")
        except background.Cancelled:
            raise LoadCancelled from None

    try:
        return read_file(path, report, fit)
    except (ImageLoadError, LoadCancelled) as exc:
        return exc
    except MemoryError:
        return ImageLoadError(f"Not enough memory to open '{path.name}'.")


class ImageOpener(QObject):
    """Loads one file at a time in the background and says how it ended; shows nothing itself."""

    opened = Signal(object)  # Opened
    failed = Signal(object, object, bool)  # Path, ImageLoadError, whether it was a scaled-down open
    cancelled = Signal(object)  # Path

    def __init__(self, model: WindowModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._ticket = 0  # bumped per open and per cancel: an outcome with an older ticket is dropped
        self._task: background.Task | None = None  # the load running, or the last one
        self._fit = False
        self._watch: ChangeWatch | None = None  # on the document that was open when the load began

    def start(self, path: Path, fit: bool = False) -> None:
        """Load `path` (scaled down to fit the size limits when `fit`); a load in flight is cancelled."""
        self.cancel()
        self._ticket += 1
        ticket, previous, self._fit = self._ticket, self._task, fit
        self._unwatch()
        self._watch = ChangeWatch(self.model.document)
        self.model.set_opening(path)
        self.model.open_progress.emit(0.0)
        relay = background.Relay(self)
        relay.progress.connect(lambda fraction, _message: self._progress(ticket, fraction))
        relay.done.connect(lambda outcome: self._done(relay, ticket, outcome))
        self._task = background.start(lambda progress: _read_after(previous, path, fit, progress), relay)

    def cancel(self) -> None:
        """Stop the load in flight, if any; the open document stays as it is."""
        path = self.model.opening
        if path is None:
            return
        if self._task is not None:
            self._task.cancel()
        self._ticket += 1
        self._end()
        self.cancelled.emit(path)

    def shutdown(self) -> None:
        """On closing: stop a load and wait for its thread (a decode stops at its next read)."""
        self.cancel()
        if self._task is not None:
            self._task.wait()

    def _progress(self, ticket: int, fraction: float) -> None:
        if ticket == self._ticket:
            self.model.open_progress.emit(fraction)

    def _done(self, relay: background.Relay, ticket: int, outcome: object) -> None:
        relay.deleteLater()
        path = self.model.opening
        if ticket != self._ticket or path is None:
            return  # cancelled, or replaced by a newer open
        replaced = self._watch is None or self.model.document is not self._watch.document
        touched = self._unwatch() or replaced
        self._end()
        if isinstance(outcome, LoadCancelled):
            self.cancelled.emit(path)
        elif isinstance(outcome, Exception):  # ImageLoadError, or a failure nobody foresaw
            error = (
                outcome
                if isinstance(outcome, ImageLoadError)
                else ImageLoadError(f"Could not open '{path.name}': {outcome}")
            )
            self.failed.emit(path, error, self._fit)
        else:
            loaded, mask = outcome  # type: ignore[misc]
            self.opened.emit(Opened(path, loaded, mask, touched))

    def _unwatch(self) -> bool:
        """Stop watching; True when the watched document changed meanwhile."""
        watch, self._watch = self._watch, None
        return watch is not None and watch.stop()

    def _end(self) -> None:
        self._unwatch()
        self.model.set_opening(None)
