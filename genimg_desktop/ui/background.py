"""Work of a second or more that is not a model job, off the GUI thread, so the window never freezes:
converting an imported model, Select subject's GrabCut, the patch style transfer, autosave's write,
the decode of an opened file, Image > Resize of a big picture, File > Save's encode (`wait_for`).
Each piece runs on its own plain Python thread (a daemon: closing the app does not wait for a GrabCut
nobody needs any more; what must land, autosave and a save, is waited for), not on the engine's
worker: that one owns the models and may run a job for minutes.

`work(progress)` is a plain function; `progress(fraction, message)` reports and, once the artist
cancelled, raises `Cancelled` so the work stops at its next report. Its outcome (the value returned,
or the exception that stopped it, `Cancelled` included) comes back to the GUI thread, which polls for
it (see _Mailbox); nothing raised in the work's thread is lost.

The thread is Python's, not Qt's QThreadPool: a QRunnable's wrapper is released on the pool thread when
Qt deletes it there, which takes Shiboken's and Qt's locks and Python's in the other order than the
GUI thread does; CI hung in the patch style test that way once. A Python thread never touches Qt.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal
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
    """What the work's thread hands over: its latest progress and its outcome, read by a timer on the
    GUI thread. That thread makes no Qt call and releases no Qt object: a signal emitted there, or
    a Qt wrapper freed there, takes Qt's connection lock and then waits for Python's lock, while the
    GUI thread holds Python's and waits for Qt's (seen as a hang closing the progress dialog)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.progress: tuple[float, str] | None = None
        self.outcome: object = _PENDING


@dataclass(frozen=True)
class Task:
    """A started piece of work: `cancel()` stops it at its next report; `wait()` blocks (Python's lock
    released) until the work has ended; its outcome still arrives through the relay's poll."""

    stop: threading.Event
    thread: threading.Thread
    mailbox: _Mailbox

    def cancel(self) -> None:
        self.stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """True when the work has ended."""
        self.thread.join(timeout)
        return not self.thread.is_alive()

    def outcome(self) -> object:
        """What the work returned or raised; only once `wait()` said it has ended."""
        with self.mailbox.lock:
            return self.mailbox.outcome


def _run(holder: list[Work], mailbox: _Mailbox, stop: threading.Event) -> None:
    work = holder.pop()  # so that the thread's own reference to the work is gone once it has run

    def report(fraction: float, message: str = "") -> None:
        if stop.is_set():
            raise Cancelled
        with mailbox.lock:
            mailbox.progress = (fraction, message)

    try:
        outcome: object = work(report)
    except Cancelled as exc:
        outcome = exc
    except Exception as exc:  # the caller says it in a message; the traceback goes to the log
        log.info("background work failed", exc_info=True)
        outcome = exc
    del work  # the GUI side holds it too, and lets it go there
    with mailbox.lock:
        mailbox.outcome = outcome


def start(work: Work, relay: Relay) -> Task:
    """Run `work` on a thread of its own, reporting through `relay` (on the GUI thread)."""
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
    thread = threading.Thread(target=_run, args=([work], mailbox, stop), name="background", daemon=True)
    thread.start()
    return Task(stop, thread, mailbox)


def run_with_progress(
    parent: QWidget, title: str, label: str, work: Work, finished: Callable[[object], None]
) -> QProgressDialog:
    """Run `work` behind a window-modal progress dialog with Cancel (the dialog keeps the window from
    changing meanwhile); `finished` gets the outcome: `Cancelled()` when the work stopped at a report
    after the artist cancelled; a Cancel after its last report comes too late, the outcome stands."""
    dialog = _progress_dialog(parent, title, label, "Cancel")
    relay = Relay(dialog)  # lives as long as the dialog
    relay.progress.connect(lambda fraction, message: _show(dialog, fraction, message))

    def done(outcome: object) -> None:
        _close(dialog)
        finished(outcome)

    relay.done.connect(done)
    dialog.show()
    task = start(work, relay)
    dialog.canceled.connect(task.stop.set)  # the event lives as long as the work (the Task may not)
    return dialog


def wait_for(parent: QWidget, title: str, label: str, work: Work) -> object:
    """Run `work` off the GUI thread and return its outcome (its value, or the exception that stopped
    it) to a caller that needs it before going on: a save before the window closes or another file
    opens. Meanwhile a window-modal progress dialog without Cancel keeps the window from changing, and
    a local event loop keeps it painting. Should that loop end early (the app quits on a signal), this
    still waits for the work: a file being written lands."""
    dialog = _progress_dialog(parent, title, label, None)
    dialog.setRange(0, 0)  # busy: an encoder does not report how far it got
    relay = Relay(dialog)
    loop = QEventLoop()
    relay.progress.connect(lambda fraction, message: _show(dialog, fraction, message))
    relay.done.connect(lambda _outcome: loop.quit())
    dialog.show()
    task = start(work, relay)
    loop.exec()
    task.wait()
    _close(dialog)
    return task.outcome()


def _progress_dialog(parent: QWidget, title: str, label: str, cancel: str | None) -> QProgressDialog:
    """Window-modal and shown at once; stays up until closed (no auto close or reset)."""
    dialog = QProgressDialog(label, cancel or "", 0, 100, parent)
    if cancel is None:
        dialog.setCancelButton(None)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    return dialog


def _close(dialog: QProgressDialog) -> None:
    """Close `dialog`; when it had the keyboard, the window it kept waiting gets it back (not every
    platform hands it back by itself: offscreen left no active window, so Ctrl+Z went nowhere)."""
    had_keyboard = dialog.isActiveWindow()
    dialog.close()
    dialog.deleteLater()
    parent = dialog.parentWidget()
    if had_keyboard and parent is not None:
        parent.window().activateWindow()


def _show(dialog: QProgressDialog, fraction: float, message: str) -> None:
    if dialog.maximum() > 0:
        dialog.setValue(round(fraction * 100))
    if message:
        dialog.setLabelText(message)
