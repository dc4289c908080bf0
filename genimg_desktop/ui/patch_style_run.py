"""Running the patch-based style transfer (core/patch_style.py) off the GUI thread: it takes seconds
(~11 s at 1920 x 1080 on a laptop CPU), so it runs on a QThreadPool thread behind a window-modal
progress dialog. The dialog keeps the picture from changing meanwhile; Cancel stops the work at the
next pyramid level and changes nothing. Not the engine's worker: that one owns the models and may be
busy with a job for minutes."""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from genimg_desktop.core.patch_style import style_with_patches


class StyleCancelled(Exception):
    """The artist cancelled the work."""


class _Relay(QObject):
    progress = Signal(float)
    done = Signal(object)  # the styled RGBA, or the exception that stopped the work


class _Task(QRunnable):
    def __init__(self, args: tuple, relay: _Relay, stop: threading.Event) -> None:
        super().__init__()
        self.args, self.relay, self.stop = args, relay, stop

    def run(self) -> None:
        try:
            outcome: object = style_with_patches(*self.args, progress=self.report)
        except (StyleCancelled, ValueError, MemoryError) as exc:
            outcome = exc
        self.relay.done.emit(outcome)

    def report(self, fraction: float) -> None:
        if self.stop.is_set():
            raise StyleCancelled
        self.relay.progress.emit(fraction)


def run_patch_style(
    parent: QWidget,
    image: np.ndarray,
    reference: np.ndarray,
    strength: float,
    mask: np.ndarray | None,
    finished: Callable[[object], None],
) -> QProgressDialog:
    """Start the work; `finished` gets the styled picture, or the exception (StyleCancelled too)."""
    dialog = QProgressDialog("Re-drawing the picture from the reference's patches…", "Cancel", 0, 100, parent)
    dialog.setWindowTitle("Match style")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    relay = _Relay(dialog)  # lives as long as the dialog: signals after it are not delivered
    relay.progress.connect(lambda fraction: dialog.setValue(round(fraction * 100)))

    def done(outcome: object) -> None:
        cancelled = stop.is_set()  # read first: closing a QProgressDialog emits `canceled`
        dialog.close()
        dialog.deleteLater()
        finished(StyleCancelled() if cancelled else outcome)

    relay.done.connect(done)
    stop = threading.Event()
    dialog.canceled.connect(stop.set)
    task = _Task((image, reference, strength, mask), relay, stop)
    dialog.show()
    QThreadPool.globalInstance().start(task)
    return dialog
