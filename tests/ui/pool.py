"""Holding Qt's global thread pool in a test, so that work a test starts on it (ui/background.py, an
open, an autosave) has certainly not begun until the test lets it: no timing in the tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QRunnable, QThreadPool


@contextmanager
def busy_pool() -> Iterator[None]:
    """Every thread of the global pool held until the block ends."""
    pool, release, started = QThreadPool.globalInstance(), threading.Event(), threading.Semaphore(0)

    class Hold(QRunnable):
        def run(self) -> None:
            started.release()
            release.wait()

    for _ in range(pool.maxThreadCount()):
        pool.start(Hold())
    for _ in range(pool.maxThreadCount()):
        started.acquire()
    try:
        yield
    finally:
        release.set()
