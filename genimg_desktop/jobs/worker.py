"""EngineService: the GUI's handle on one long-lived worker thread that runs every engine job.

The GUI thread only puts commands on a queue and receives Qt signals; torch is imported inside the
worker thread, so importing this module (and showing the window) stays fast.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal

from genimg_desktop.core.errors import one_line
from genimg_desktop.core.progress import JobCancelled, JobControl, ProgressEvent
from genimg_desktop.core.request import GenerationRequest

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.03  # at most ~33 progress signals a second, so the GUI never drowns


@dataclass
class _Job:
    id: int
    request: GenerationRequest
    control: JobControl


_SIGNALS = (
    "models_listed",
    "model_errors",
    "devices_listed",
    "device_ready",
    "device_failed",
    "job_started",
    "job_progress",
    "job_preview",
    "job_finished",
    "job_failed",
    "job_cancelled",
)


class _Signals(QObject):
    """Emitted on the worker thread; EngineService re-emits each on the GUI thread (queued)."""

    models_listed = Signal(object)
    model_errors = Signal(object)
    devices_listed = Signal(object)
    device_ready = Signal(str)
    device_failed = Signal(str)
    job_started = Signal(int)
    job_progress = Signal(int, float, str)
    job_preview = Signal(int, object)
    job_finished = Signal(int, object)
    job_failed = Signal(int, str, str)
    job_cancelled = Signal(int)


class _JobBook:
    """Which jobs wait and which one runs. Both threads use it, always under its lock, so a cancel
    can never race with the worker picking the same job up."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.queued: dict[int, _Job] = {}
        self.running: _Job | None = None
        self._next_id = 1

    def add(self, request: GenerationRequest, make_control: Any) -> _Job:
        with self.lock:
            job_id, self._next_id = self._next_id, self._next_id + 1
            job = _Job(job_id, request, make_control(job_id))
            self.queued[job_id] = job
            return job

    def take(self, job_id: int) -> _Job | None:
        """Worker: move a job from waiting to running; None when it was cancelled meanwhile."""
        with self.lock:
            job = self.queued.pop(job_id, None)
            self.running = job
            return job

    def done(self) -> None:
        with self.lock:
            self.running = None

    def cancel(self, job_id: int | None) -> list[int]:
        """Cancel one job (or all, for None). Returns the waiting jobs removed; a running job is only
        flagged, and reports job_cancelled itself when it stops."""
        with self.lock:
            ids = list(self.queued) if job_id is None else [job_id] if job_id in self.queued else []
            for removed in ids:
                del self.queued[removed]
            if self.running is not None and job_id in (None, self.running.id):
                self.running.control.cancel()
            return ids


class _ProgressRelay:
    """JobControl callback, called on the worker thread: forwards progress, throttled."""

    def __init__(self, job_id: int, signals: _Signals) -> None:
        self.job_id = job_id
        self.signals = signals
        self._last = float("-inf")

    def __call__(self, event: ProgressEvent) -> None:
        now = time.monotonic()
        if event.preview is not None:
            # A copy: the model may keep drawing into the same buffer while the GUI paints it.
            self.signals.job_preview.emit(self.job_id, np.array(event.preview, copy=True))
        if event.fraction >= 1.0 or event.preview is not None or now - self._last >= PROGRESS_INTERVAL_S:
            self._last = now
            self.signals.job_progress.emit(self.job_id, float(event.fraction), event.message)


class _WorkerThread(QThread):
    """Runs commands from the queue one at a time until it gets "stop"."""

    def __init__(
        self,
        commands: queue.Queue[tuple[str, Any]],
        book: _JobBook,
        signals: _Signals,
        model_dirs: list[tuple[Path, bool]] | None,
    ) -> None:
        super().__init__()
        self.setObjectName("genimg-engine")
        self.commands = commands
        self.book = book
        self.signals = signals
        self.model_dirs = model_dirs
        self.initial_device = "auto"
        # True until torch is imported and the models are listed: work that cannot be cancelled but
        # always ends, so shutting down waits it out (a thread destroyed while running aborts the app).
        self.starting = True

    def run(self) -> None:
        runner = self._make_runner()
        self.starting = False
        handlers = {"job": self._job, "refresh": self._refresh_cmd, "set_device": self._set_device}
        while True:
            command, arg = self.commands.get()
            if command == "stop":
                return
            try:
                handlers[command](runner, arg)
            except Exception:  # the loop must survive anything, or the app loses its engine
                log.exception("engine command %s failed", command)

    def _make_runner(self) -> Any:
        try:
            from genimg_desktop.jobs.runner import EngineRunner  # imports torch, on this thread only

            runner = EngineRunner(self.model_dirs)
            self.signals.devices_listed.emit(runner.devices())
        except Exception as exc:  # e.g. a broken torch install: say so, and fail each job with it
            log.exception("engine could not start")
            message = f"the engine could not start: {short_message(exc)}"
            self.signals.device_failed.emit(message)
            self.signals.models_listed.emit([])
            self.signals.model_errors.emit([message])
            return _BrokenRunner(message)
        self._set_device(runner, self.initial_device)
        self._refresh(runner)
        return runner

    def _refresh_cmd(self, runner: Any, _arg: Any) -> None:
        self._refresh(runner)

    def _refresh(self, runner: Any) -> None:
        try:
            descriptors, errors = runner.refresh()
        except Exception as exc:
            descriptors, errors = [], [f"could not list models: {exc}"]
        self.signals.models_listed.emit(descriptors)
        self.signals.model_errors.emit(errors)

    def _set_device(self, runner: Any, name: str) -> None:
        try:
            label = runner.set_device(name)
        except Exception as exc:  # keep the device we had; tell the GUI why
            self.signals.device_failed.emit(str(exc))
            label = runner.device_label()
        self.signals.device_ready.emit(label)

    def _job(self, runner: Any, job_id: int) -> None:
        job = self.book.take(job_id)
        if job is None:
            return  # cancelled while waiting; the GUI side already said so
        self.signals.job_started.emit(job.id)
        outcome: tuple[str, tuple[Any, ...]]
        try:
            result = runner.run(job.request, job.control)
            job.control.check()  # a cancel that came during the last step still means "discard"
            outcome = ("finished", (result,))
        except JobCancelled:
            outcome = ("cancelled", ())
        except Exception as exc:
            outcome = ("failed", (short_message(exc), traceback.format_exc()))
        finally:
            self.book.done()  # before the signal, so is_busy is already false when the GUI hears it
        kind, args = outcome
        getattr(self.signals, f"job_{kind}").emit(job.id, *args)


class _BrokenRunner:
    """Stands in for the engine when it cannot be imported: every request fails with the reason."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(self.message)


def short_message(exc: BaseException) -> str:
    """One line for the status bar; the traceback goes to the details view."""
    name = type(exc).__name__
    if name == "OutOfMemoryError":  # torch.cuda.OutOfMemoryError, without importing torch
        return "Out of GPU memory: paint a smaller area or switch to the CPU"
    if isinstance(exc, MemoryError) and name != "ModelOutOfMemory":  # that one is worded for the user
        return "Out of memory: paint a smaller area"
    return one_line(exc)


class EngineService(QObject):
    """GUI-side facade: submit/cancel jobs, list models, pick the device. Call from the GUI thread.

    Besides the documented signals it emits `devices_listed(list[str])` once at start, and
    `device_failed(str)` when a device cannot be used (followed by `device_ready` with the device kept).
    """

    models_listed = Signal(object)  # list[ModelDescriptor]
    model_errors = Signal(object)  # list[str], after every models_listed (empty when all is well)
    devices_listed = Signal(object)  # list[str], e.g. ["cpu", "cuda"]
    device_ready = Signal(str)  # label for the status bar
    device_failed = Signal(str)
    job_started = Signal(int)
    job_progress = Signal(int, float, str)
    job_preview = Signal(int, object)  # (H, W, 3) uint8
    job_finished = Signal(int, object)  # GenerationResult
    job_failed = Signal(int, str, str)  # short message, traceback
    job_cancelled = Signal(int)

    def __init__(self, parent: QObject | None = None, model_dirs: list[tuple[Path, bool]] | None = None):
        super().__init__(parent)
        self._commands: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._book = _JobBook()
        self._signals = _Signals(self)
        self._relay_signals()
        self._thread = _WorkerThread(self._commands, self._book, self._signals, model_dirs)
        self._closed = False
        app = QCoreApplication.instance()
        if app is not None:  # safety net: a still-running QThread at exit aborts the process
            app.aboutToQuit.connect(self.shutdown)

    def _relay_signals(self) -> None:
        queued = Qt.ConnectionType.QueuedConnection
        for name in _SIGNALS:
            getattr(self._signals, name).connect(getattr(self, name), queued)

    def start(self, device: str = "auto") -> None:
        """Start the worker; it reports devices_listed, device_ready and models_listed when up."""
        if self._closed:
            raise RuntimeError("the engine service was shut down")
        if not self._thread.isRunning():
            self._thread.initial_device = device
            self._thread.start()

    def submit(self, request: GenerationRequest) -> int:
        """Queue a job; returns its id (job_* signals carry it). Jobs run one at a time, in order."""
        if self._closed:
            raise RuntimeError("the engine service was shut down")
        job = self._book.add(request, lambda job_id: JobControl(_ProgressRelay(job_id, self._signals)))
        self._commands.put(("job", job.id))
        return job.id

    def cancel(self, job_id: int | None = None) -> None:
        """Cancel one job, or the running one and all waiting ones (None). A waiting job is dropped at
        once; the running one stops at its next progress check and then emits job_cancelled."""
        for removed in self._book.cancel(job_id):
            self.job_cancelled.emit(removed)

    def refresh_models(self) -> None:
        self._commands.put(("refresh", None))

    def set_device(self, name: str) -> None:
        """Switch to "auto", "cpu", "cuda" or "mps" after the jobs already queued."""
        self._commands.put(("set_device", name))

    @property
    def is_busy(self) -> bool:
        with self._book.lock:
            return self._book.running is not None or bool(self._book.queued)

    @property
    def pending_count(self) -> int:
        """Jobs waiting (not counting the running one)."""
        with self._book.lock:
            return len(self._book.queued)

    @property
    def thread_running(self) -> bool:
        """Whether the worker thread is alive (false before start and after shutdown)."""
        return self._thread.isRunning()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel everything, stop the thread and wait for it. False if it did not stop in time."""
        if not self._closed:
            self._closed = True
            self.cancel(None)
            self._commands.put(("stop", None))
        if self._thread.isRunning() and not self._thread.wait(timeout_ms):
            if not self._thread.starting:
                log.warning("engine thread did not stop within %d ms", timeout_ms)
                return False
            # Closed while the engine was still starting (a slow disk or a busy CPU): that ends on its
            # own, and the "stop" queued above then ends the thread.
            log.info("engine still starting; waiting for it before quitting")
            self._thread.wait()
        return True
