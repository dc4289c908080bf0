"""SIGTERM, SIGINT and SIGHUP (logout, shutdown, `kill`, Ctrl-C in a terminal) end the app without
losing work: the open document and its mask are autosaved and kept for the next start's recovery
offer, a training run started from the window is asked to checkpoint and stop, then the app exits
with 128 + the signal's number, as a shell reports a process ended by it.

Python runs signal handlers only between bytecodes, and Qt's event loop is C++ that may sleep for
minutes; `signal.set_wakeup_fd` writes the signal's number into a socket a QSocketNotifier watches,
so the loop wakes at once and the work is done on the GUI thread, where the document lives.
"""

from __future__ import annotations

import signal
import socket
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSocketNotifier
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from genimg_desktop.ui.main_window import MainWindow

SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name))
# How long a training run may take to reach its next checkpoint. Desktops give a logout several
# seconds and systemd 90 s before SIGKILL; a checkpoint of the app's models is written in well under one.
TRAINING_STOP_S = 20.0


class ExitSignals(QObject):
    """Owned by the window: routes the signals to `keep_work_and_quit` on the GUI thread."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._receive, self._send = socket.socketpair()
        for end in (self._receive, self._send):
            end.setblocking(False)
        signal.set_wakeup_fd(self._send.fileno(), warn_on_full_buffer=False)  # main thread only
        for number in SIGNALS:
            signal.signal(number, lambda _number, _frame: None)  # not "terminate now": the fd says which
        self._notifier = QSocketNotifier(self._receive.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._received)

    def _received(self) -> None:
        try:
            numbers = self._receive.recv(64)
        except BlockingIOError:
            return
        if numbers:
            self._notifier.setEnabled(False)  # once: a second signal waits for the exit under way
            keep_work_and_quit(self._window, numbers[0])


def keep_work_and_quit(window: MainWindow, number: int) -> None:
    """Stop training at a checkpoint, shut the window's services down keeping the autosave, exit."""
    name = signal.Signals(number).name
    print(f"genimg: {name}: saving the open work for recovery, then quitting", file=sys.stderr, flush=True)
    view = getattr(window, "train_view", None)
    if view is not None and view.process.running:
        view.process.stop_and_wait(TRAINING_STOP_S)
    error = window.shut_down(keep_work=True)
    if error:
        print(f"genimg: the autosave could not be written: {error}", file=sys.stderr, flush=True)
    QApplication.exit(128 + number)
