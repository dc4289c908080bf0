"""Start-up timing for `genimg bench` (inert unless GENIMG_STARTUP_PROBE is set).

Prints one JSON line per milestone on stdout, `{"probe": NAME, "t": time.monotonic()}`: "painted"
(the window's first paint), "models_listed" (the engine is up) and "first_result" (the first job
finished), then closes the window. time.monotonic() is system-wide, so the launching process
subtracts its own clock reading from just before the launch.
"""

from __future__ import annotations

import json
import os
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer

if TYPE_CHECKING:
    from genimg_desktop.ui.main_window import MainWindow

ENV = "GENIMG_STARTUP_PROBE"


class StartupProbe(QObject):
    """A child of the window: an event filter for its first paint and listener of the engine."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.seen: set[str] = set()
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            self.emit("painted")
        return False

    def follow_engine(self) -> None:
        service = self.window.jobs.service
        if service is None:  # the engine did not start: there is nothing more to report
            return
        service.models_listed.connect(lambda *_: self.emit("models_listed"))
        service.job_finished.connect(self._finished)

    def _finished(self, *_args: object) -> None:
        if self.emit("first_result"):
            QTimer.singleShot(0, self.window.close)  # a probe run measures start-up only

    def emit(self, name: str) -> bool:
        """Print the milestone the first time only; True when it did."""
        if name in self.seen:
            return False
        self.seen.add(name)
        print(json.dumps({"probe": name, "t": time.monotonic()}), flush=True)
        return True


def install(window: MainWindow) -> StartupProbe | None:
    """Call after `window.show()` and after scheduling `start_engine`; does nothing without ENV."""
    if not os.environ.get(ENV):
        return None
    probe = StartupProbe(window)
    QTimer.singleShot(0, probe.follow_engine)  # queued after start_engine, which makes the service
    return probe
