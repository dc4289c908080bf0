"""ui/background.py: work off the GUI thread whose progress and outcome reach the GUI thread only.

A signal emitted on a pool thread (or a Qt wrapper released there) hung the suite twice: the pool
thread held Qt's connection lock waiting for Python's, while the GUI thread held Python's and waited
for Qt's. So nothing of Qt's may run on the work's thread, and no work runs on a Qt thread pool."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QPushButton, QWidget

from genimg_desktop.ui import background

TIMEOUT_MS = 20_000


def _threads_seen(relay: background.Relay) -> list[threading.Thread]:
    """The thread each signal of `relay` was emitted on (a direct connection runs in the emitter's)."""
    seen: list[threading.Thread] = []
    record = lambda *_args: seen.append(threading.current_thread())  # noqa: E731
    relay.progress.connect(record, Qt.ConnectionType.DirectConnection)
    relay.done.connect(record, Qt.ConnectionType.DirectConnection)
    return seen


def test_progress_and_outcome_are_emitted_on_the_gui_thread(qtbot):
    owner = QObject()
    relay = background.Relay(owner)
    seen = _threads_seen(relay)
    ran_on: list[threading.Thread] = []

    def work(progress):
        ran_on.append(threading.current_thread())
        progress(0.5, "half")
        return 42

    with qtbot.waitSignal(relay.done, timeout=TIMEOUT_MS) as outcome:
        background.start(work, relay)
    assert outcome.args == [42]
    assert ran_on and ran_on[0] is not threading.main_thread()  # the work itself ran off the GUI thread
    assert seen and all(t is threading.main_thread() for t in seen)


def test_a_failure_and_a_cancel_come_back_as_the_outcome(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    outcomes: list[object] = []

    def fails(_progress):
        raise ValueError("bad file")

    background.run_with_progress(widget, "T", "working", fails, outcomes.append)
    qtbot.waitUntil(lambda: bool(outcomes), timeout=TIMEOUT_MS)
    assert isinstance(outcomes[0], ValueError)

    release = threading.Event()

    def waits(progress):
        release.wait(10)
        progress(0.9)  # the first report after the cancel stops the work
        return "too late"

    dialog = background.run_with_progress(widget, "T", "working", waits, outcomes.append)
    qtbot.mouseClick(dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)  # its Cancel
    release.set()
    qtbot.waitUntil(lambda: len(outcomes) == 2, timeout=TIMEOUT_MS)
    assert isinstance(outcomes[1], background.Cancelled)


def test_the_app_runs_no_work_on_qt_thread_pools():
    """Work off the GUI thread goes through background.start (a Python thread, a polled mailbox): a
    QRunnable's wrapper released on a pool thread, or a signal emitted there, can deadlock with the GUI
    thread (CI hung 90 minutes in the patch style test on an autosave's and an open's pool threads)."""
    here = Path(background.__file__)
    users = [
        path.name
        for path in here.parents[1].rglob("*.py")
        if path != here and re.search(r"\bQ(ThreadPool|Runnable)\b", path.read_text(encoding="utf-8"))
    ]
    assert not users
