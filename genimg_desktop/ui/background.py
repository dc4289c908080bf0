"""Work of a second or more that is not a model job, off the GUI thread, so the window never freezes:
converting an imported model, Select subject's GrabCut, the patch style transfer. It runs on a
QThreadPool thread, not the engine's worker: that one owns the models and may run a job for minutes.

`work(progress)` is a plain function; `progress(fraction, message)` reports and, once the artist
cancelled, raises `Cancelled` so the work stops at its next report. Its outcome (the value returned,
or the exception that stopped it, `Cancelled` included) comes back to the GUI thread, which polls for
it (see _Mailbox); nothing raised in the pool thread is lost.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
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


POLL_MS = 20  # how often the GUI thread looks for the work's progress and outcome
_PENDING = object()


class _Mailbox:
    """What the pool thread hands over: its latest progress and its outcome, read by a timer on the
    GUI thread. The pool thread makes no Qt call and releases no Qt object: a signal emitted there, or
    a Qt wrapper freed there, takes Qt's connection lock and then waits for Python's lock, while the
    GUI thread holds Python's and waits for Qt's (seen as a hang closing the progress dialog)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.progress: tuple[float, str] | None = None
        self.outcome: object = _PENDING


class _Task(QRunnable):
    def __init__(self, work: Work, mailbox: _Mailbox, stop: threading.Event) -> None:
        super().__init__()
        self.work: Work | None = work
        self.mailbox, self.stop = mailbox, stop

    def run(self) -> None:
        work, self.work = self.work, None  # the GUI side holds it too, and lets it go there
        assert work is not None
        try:
            outcome: object = work(self.report)
        except Cancelled as exc:
            outcome = exc
        except Exception as exc:  # the caller says it in a message; the traceback goes to the log
            log.info("background work failed", exc_info=True)
            outcome = exc
        del work
        with self.mailbox.lock:
            self.mailbox.outcome = outcome

    def report(self, fraction: float, message: str = "") -> None:
        if self.stop.is_set():
            raise Cancelled
        with self.mailbox.lock:
            self.mailbox.progress = (fraction, message)


def start(work: Work, relay: Relay) -> threading.Event:
    """Run `work` on a pool thread, reporting through `relay` (on the GUI thread); set the returned
    event to cancel."""
    stop, mailbox = threading.Event(), _Mailbox()
    timer = QTimer(relay)
    timer.setInterval(POLL_MS)

    def poll(_work: Work = work) -> None:  # holds `work` on the GUI thread until the outcome is in
        with mailbox.lock:
            progress, mailbox.progress = mailbox.progress, None
            outcome = mailbox.outcome
        if progress is not None:
            relay.progress.emit(*progress)
        if outcome is not _PENDING:
            timer.stop()
            timer.deleteLater()
            relay.done.emit(outcome)

    timer.timeout.connect(poll)
    timer.start()
    QThreadPool.globalInstance().start(_Task(work, mailbox, stop))
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
