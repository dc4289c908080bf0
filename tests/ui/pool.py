"""Holding background work in a test, so that work a test starts (ui/background.py: an import, Select
subject, an open, an autosave) has certainly not begun until the test lets it: no timing in the tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from genimg_desktop.ui import background


@contextmanager
def background_held() -> Iterator[Callable[[], None]]:
    """Every piece of background work started inside the block waits to begin until the block ends,
    or until the function it gives is called (from a timer, while a save waits for its outcome)."""
    release, real_run = threading.Event(), background._run

    def held(*args) -> None:
        release.wait()
        real_run(*args)

    background._run = held
    try:
        yield release.set
    finally:
        background._run = real_run
        release.set()
