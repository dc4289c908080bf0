"""UI event-loop stalls while a long job runs: the real MainWindow (offscreen without a display) runs
jobs on its worker back to back, through the same path as the Run button, while a 5 ms precise QTimer
on the GUI thread records when it fires. A stall is a gap beyond the timer's period.

The window lives in a scratch GENIMG_HOME with scratch settings (its gallery history, autosaves and
window layout must not land in the user's folders); its engine lists the real model folders."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PERIOD_MS = 5
LOAD_TIMEOUT_S = 120.0
FAMILY_ORDER = ("pixelcnn", "gan", "vae")  # PixelCNN first: it also sends a preview per row


def pick_model(descriptors: list[Any]) -> Any | None:
    """The model whose sample job the stall test runs (PixelCNN, else GAN, else anything)."""
    samplers = [d for d in descriptors if any(t.name == "sample" for t in d.tasks)]
    rank = {family: i for i, family in enumerate(FAMILY_ORDER)}
    return min(samplers, key=lambda d: rank.get(d.card.family, len(rank)), default=None)


def measure_stalls(descriptor: Any, model_dirs: list[tuple[Path, bool]], quick: bool) -> dict[str, Any]:
    """Run `descriptor`'s sample task (16 images) for 1.5 s (quick) or 6 s and report the stalls."""
    from genimg_desktop.bench.latency import sample_request

    duration_s = 1.5 if quick else 6.0
    params = sample_request(descriptor, 16).params
    _application()
    with _scratch_home() as home:
        window = _open_window(home, model_dirs)
        try:
            _wait_until(lambda: descriptor.id in {d.id for d in window.picker.models()}, LOAD_TIMEOUT_S)
            if not window.picker.select(descriptor.id, "sample"):
                raise RuntimeError(f"the window cannot select {descriptor.id} / sample")
            window.params.set_values(params)
            run = _run_jobs(window, duration_s)
        finally:
            window.document.modified = False  # no "save changes?" question on close
            window.close()
    return {"model": descriptor.id, "task": "sample", "params": params, **run}


def stall_stats(ticks: list[float], period_ms: float = PERIOD_MS) -> dict[str, Any]:
    """Gaps between timer ticks (seconds) -> worst and 99th-percentile stall beyond the period, in ms."""
    import numpy as np

    gaps = np.diff(np.asarray(ticks, dtype=np.float64)) * 1000.0
    if gaps.size == 0:
        return {
            "ticks": len(ticks),
            "timer_ms": period_ms,
            "mean_gap_ms": None,
            "p99_stall_ms": None,
            "max_stall_ms": None,
        }
    stalls = np.clip(gaps - period_ms, 0.0, None)
    return {
        "ticks": len(ticks),
        "timer_ms": period_ms,
        "mean_gap_ms": float(gaps.mean()),
        "p99_stall_ms": float(np.percentile(stalls, 99)),
        "max_stall_ms": float(stalls.max()),
    }


def _run_jobs(window: Any, duration_s: float) -> dict[str, Any]:
    """Jobs back to back for `duration_s` (the last one cancelled at the end) while the timer ticks."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    service, loop = window.jobs.service, QEventLoop()
    ticks: list[float] = []
    state: dict[str, Any] = {"jobs": 0, "finished": 0, "over": False, "errors": []}
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(PERIOD_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))

    def next_job(*_args: object) -> None:
        if state["over"]:
            loop.quit()
        elif window.jobs.run() is not None:
            state["jobs"] += 1

    def stop() -> None:
        state["over"], state["end"] = True, time.perf_counter()
        if window.jobs.busy:
            window.jobs.cancel()  # its job_cancelled ends the loop (see next_job)
        else:
            loop.quit()

    def failed(_job: int, message: str, _details: str) -> None:
        state["errors"].append(message)
        stop()

    service.job_finished.connect(lambda *_: state.__setitem__("finished", state["finished"] + 1))
    for signal in (service.job_finished, service.job_cancelled):
        signal.connect(next_job, Qt.ConnectionType.QueuedConnection)  # after the window handled it
    service.job_failed.connect(failed)
    QTimer.singleShot(int(duration_s * 1000), stop)
    QTimer.singleShot(int((duration_s + LOAD_TIMEOUT_S) * 1000), loop.quit)  # a hung job ends the test
    start = time.perf_counter()
    timer.start()
    next_job()
    loop.exec()
    timer.stop()
    end = state.get("end", time.perf_counter())
    measured = [t for t in ticks if t <= end]  # not the wind-down after the last cancel
    if state["errors"]:
        raise RuntimeError(f"the stall job failed: {state['errors'][0]}")
    stats = stall_stats(measured)
    return {
        "window_s": end - start,
        "jobs_started": state["jobs"],
        "jobs_finished": state["finished"],
        **stats,
    }


def _application() -> Any:
    """The QApplication (made here, headless where there is no display, when there is none yet)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        ):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from genimg_desktop.app import make_application

        app = make_application([sys.argv[0] if sys.argv else "genimg"])
    if not isinstance(app, QApplication):
        raise RuntimeError("the stall test needs a QApplication (widgets), not a QCoreApplication")
    return app


@contextmanager
def _scratch_home() -> Iterator[Path]:
    """GENIMG_HOME pointed at a temporary folder for the block (paths read it on every call)."""
    old = os.environ.get("GENIMG_HOME")
    with tempfile.TemporaryDirectory(prefix="genimg-bench-ui-") as home:
        os.environ["GENIMG_HOME"] = home
        try:
            yield Path(home)
        finally:
            if old is None:
                os.environ.pop("GENIMG_HOME", None)
            else:
                os.environ["GENIMG_HOME"] = old


def _open_window(home: Path, model_dirs: list[tuple[Path, bool]]) -> Any:
    """The real MainWindow, shown, with scratch settings and an engine on the given model folders."""
    from PySide6.QtCore import QSettings

    from genimg_desktop.jobs.worker import EngineService
    from genimg_desktop.ui.main_window import MainWindow
    from genimg_desktop.ui.settings import Settings

    settings = Settings()
    settings.store = QSettings(str(home / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.show()
    window.start_engine(EngineService(window, model_dirs=model_dirs))
    return window


def _wait_until(predicate: Callable[[], bool], timeout_s: float) -> None:
    """Process events until `predicate` holds (not a measurement: the timer is not running yet)."""
    from PySide6.QtCore import QCoreApplication

    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting after {timeout_s:.0f} s")
        QCoreApplication.processEvents()
        time.sleep(0.01)
