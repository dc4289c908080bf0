"""The Qt binding in use keeps Python's reference counts: PySide6 6.12.0 on Python 3.11 dropped a
reference to True on every signal emit and to None on every event loop run, until the interpreter
aborted ("Fatal Python error: bool_dealloc") in a long session, or the suite on CI. pyproject keeps it
below 6.12; this says so if another version comes in."""

from __future__ import annotations

import sys

from PySide6.QtCore import QEventLoop, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

CALLS = 500
# The broken binding lost one reference per call (two per event loop run). An event loop also runs
# whatever earlier tests left pending, which moves the counts a little either way: a loss of half a
# reference per call or more is the bug, not that.
LOSS_BAR = -CALLS // 2


class _Sender(QObject):
    done = Signal(object)
    progress = Signal(float, str)


def _drift(obj: object, call) -> int:
    before = sys.getrefcount(obj)
    for _ in range(CALLS):
        call()
    return sys.getrefcount(obj) - before


def test_emits_and_event_loops_keep_the_reference_counts(qtbot):
    sender = _Sender()
    sender.done.connect(lambda _outcome: None)
    sender.progress.connect(lambda _fraction, _message: None)

    def loop_once() -> None:
        loop = QEventLoop()
        QTimer.singleShot(0, loop.quit)
        loop.exec()

    assert _drift(True, lambda: sender.done.emit((1, 2))) > LOSS_BAR
    assert _drift(True, lambda: sender.progress.emit(0.5, "")) > LOSS_BAR
    assert _drift(None, QApplication.processEvents) > LOSS_BAR
    assert _drift(None, loop_once) > LOSS_BAR
