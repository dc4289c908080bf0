"""Work of a second or more that is not a model job, off the GUI thread, so the window never freezes:
converting an imported model, Select subject's GrabCut, the patch style transfer. It runs on a
QThreadPool thread, not the engine's worker: that one owns the models and may run a job for minutes.

`work(progress)` is a plain function; `progress(fraction, message)` reports and, once the artist
cancelled, raises `Cancelled` so the work stops at its next report. Its outcome (the value returned,
or the exception that stopped it, `Cancelled` included) comes back to the GUI thread by a queued
signal; nothing raised in the pool thread is lost.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
Work = Callable[[Progress], Any]


class Cancelled(Exception):
    """The artist cancelled the work; nothing was changed."""


class Relay(QObject):
    """Carries the work's progress and outcome to the GUI thread. Parent it to an object that lives
    until the outcome arrives: signals after it is deleted are not delivered."""

    progress = Signal(float, str)
    done = Signal(object)  # the work's result, or the exception that stopped it


class _Task(QRunnable):
    def __init__(self, work: Work, relay: Relay, stop: threading.Event) -> None:
        super().__init__()
        self.work, self.relay, self.stop = work, relay, stop

    def run(self) -> None:
        try:
            outcome: object = self.work(self.report)
        except Cancelled as exc:
            outcome = exc
        except Exception as exc:  # the caller says it in a message; the traceback goes to the log
            log.info("background work failed", exc_info=True)
            outcome = exc
        self.relay.done.emit(outcome)

    def report(self, fraction: float, message: str = "") -> None:
        if self.stop.is_set():
            raise Cancelled
        self.relay.progress.emit(fraction, message)


def start(work: Work, relay: Relay) -> threading.Event:
    """Run `work` on a pool thread, reporting through `relay`; set the returned event to cancel."""
    stop = threading.Event()
    QThreadPool.globalInstance().start(_Task(work, relay, stop))
    return stop


def run_with_progress(
    parent: QWidget, title: str, label: str, work: Work, finished: Callable[[object], None]
) -> QProgressDialog:
    """Run `work` behind a window-modal progress dialog with Cancel (the dialog keeps the window from
    changing meanwhile); `finished` gets the outcome: `Cancelled()` when the work stopped at a report
    after the artist cancelled; a Cancel after its last report comes too late, the outcome stands."""
    dialog = QProgressDialog(label, "Cancel", 0, 100, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    relay = Relay(dialog)  # lives as long as the dialog
    relay.progress.connect(lambda fraction, message: _show(dialog, fraction, message))

    def done(outcome: object) -> None:
        dialog.close()
        dialog.deleteLater()
        finished(outcome)

    relay.done.connect(done)
    dialog.show()
    stop = start(work, relay)
    dialog.canceled.connect(stop.set)
    return dialog


def _show(dialog: QProgressDialog, fraction: float, message: str) -> None:
    dialog.setValue(round(fraction * 100))
    if message:
        dialog.setLabelText(message)
