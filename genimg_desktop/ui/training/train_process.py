"""`genimg train` as a child process of the window.

A separate process keeps the window responsive and safe: a crash or an out-of-memory kill in training
ends that process, never the app. Pausing is the CLI's stop-request file rather than a signal, so it
works the same on every OS; the CLI then checkpoints and exits with EXIT_STOPPED, and running the same
command again resumes from the checkpoint.
"""

from __future__ import annotations

import re
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

from genimg_desktop.core import paths
from genimg_desktop.core.run_folder import EXIT_STOPPED, STOP_REQUEST

OUTPUT_LINES = 300  # process output kept for the view (the tail is what explains a failure)
KILL_AFTER_MS = 5000  # Cancel: how long a stop request may take before the process is killed
RESTATE_MS = 500  # how often a pending stop request is re-created (see TrainProcess._keep_request)
_ID_CHARS = re.compile(r"[^a-z0-9._-]+")

OutcomeKind = Literal["done", "stopped", "cancelled", "failed"]


def runs_dir() -> Path:
    """Run folders (checkpoint, samples, loss log) of runs started from the app."""
    return paths.user_data_dir() / "runs"


def model_id_from(name: str, fallback: str) -> str:
    """A file-safe model id from the name the artist typed ("My Cats!" -> "my-cats"), or `fallback`."""
    slug = _ID_CHARS.sub("-", name.strip().lower()).strip("-._")[:100]
    return slug or fallback


@dataclass(frozen=True)
class TrainSpec:
    """What the form asks for; `arguments()` spells it as `genimg train` options."""

    family: str
    data: str  # a built-in dataset's name or a folder
    size: int
    steps: int
    batch_size: int
    lr: float
    model_id: str
    name: str = ""
    sample_every: int = 100
    sample_minutes: float = 0.0  # also a grid whenever this much training time passed (0: off)
    checkpoint_every: int = 500
    device: str = "auto"
    # bfloat16 mixed precision where the CPU or GPU has it natively, else float32: faster steps for
    # the artist's runs (1.35x for a PixelCNN on a CPU with AVX512-BF16), same float32 weights
    precision: str = "auto"
    settings: tuple[str, ...] = field(default_factory=tuple)  # family settings, KEY=VALUE (--set)
    init_from: str = ""  # a model id to start from (--init-from), "" for a new model

    @property
    def run_dir(self) -> Path:
        return runs_dir() / self.model_id

    def arguments(self) -> list[str]:
        args = ["--family", self.family, "--data", self.data, "--size", str(self.size)]
        args += ["--out", str(self.run_dir), "--steps", str(self.steps)]
        args += ["--batch-size", str(self.batch_size), "--lr", repr(self.lr), "--id", self.model_id]
        args += ["--sample-every", str(self.sample_every), "--checkpoint-every", str(self.checkpoint_every)]
        if self.sample_minutes > 0:
            args += ["--sample-minutes", repr(self.sample_minutes)]
        args += ["--device", self.device, "--precision", self.precision]
        if self.name:
            args += ["--name", self.name]
        if self.init_from:
            args += ["--init-from", self.init_from]
        for pair in self.settings:
            args += ["--set", pair]
        return args


def train_command(spec: TrainSpec) -> tuple[str, list[str]]:
    """(program, arguments): this Python running the package, or, in the PyInstaller bundle, the bundle's
    executable, which is the `genimg` command itself."""
    if getattr(sys, "frozen", False):
        return sys.executable, ["train", *spec.arguments()]
    return sys.executable, ["-m", "genimg_desktop", "train", *spec.arguments()]


@dataclass(frozen=True)
class Outcome:
    """How a training process ended. `message` is for the artist; `code` is the exit code (-1: none)."""

    kind: OutcomeKind
    code: int
    message: str


class TrainProcess(QObject):
    """One training process at a time: start, stop (pause), cancel, and what its exit means."""

    output = Signal(list)  # new complete lines of the process's stdout + stderr
    started = Signal()
    ended = Signal(object)  # Outcome

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lines: deque[str] = deque(maxlen=OUTPUT_LINES)
        self.spec: TrainSpec | None = None
        self.kill_after_ms = KILL_AFTER_MS
        self.killed = False  # the last process was killed (Cancel's fallback), not stopped
        self._partial = ""
        self._stopping = self._cancelling = False
        self._process: QProcess | None = None
        self._kill_timer = self._timer(self.kill, single=True)
        self._restate_timer = self._timer(self._keep_request, single=False)

    def _timer(self, slot: object, single: bool) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(single)
        timer.timeout.connect(slot)
        return timer

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.state() != QProcess.ProcessState.NotRunning

    @property
    def stop_file(self) -> Path | None:
        return self.spec.run_dir / STOP_REQUEST if self.spec else None

    def start(self, spec: TrainSpec) -> None:
        """Launch `genimg train` for `spec` (resuming when its run folder holds a checkpoint)."""
        if self.running:
            raise RuntimeError("a training process is already running")
        self.spec = spec
        self._stopping = self._cancelling = self.killed = False
        self._partial = ""
        self.lines.clear()
        spec.run_dir.mkdir(parents=True, exist_ok=True)
        self._remove_request()
        self._process = self._new_process()
        program, args = train_command(spec)
        self.lines.append("$ " + " ".join([Path(program).name, *args]))
        self._process.start(program, args)

    def _new_process(self) -> QProcess:
        process = QProcess(self)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        env = QProcessEnvironment.systemEnvironment()
        env.insert("PYTHONUNBUFFERED", "1")  # lines arrive as they are printed, not at exit
        env.insert("PYTHONIOENCODING", "utf-8")
        process.setProcessEnvironment(env)
        process.readyReadStandardOutput.connect(self._read_output)
        process.started.connect(self.started)
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._error)
        return process

    def request_stop(self) -> None:
        """Ask the run to checkpoint and exit after its current step (Pause)."""
        if not self.running:
            return
        self._stopping = True
        self._keep_request()
        self._restate_timer.start(RESTATE_MS)

    def cancel(self) -> None:
        """Stop now: a stop request, then a kill if the process has not exited in `kill_after_ms`."""
        if not self.running:
            return
        self._cancelling = True
        self.request_stop()
        self._kill_timer.start(self.kill_after_ms)

    def kill(self) -> None:
        if self.running:
            self._cancelling = self.killed = True
            self._process.kill()

    def stop_and_wait(self, timeout_s: float = 30.0) -> None:
        """Closing the app: stop cleanly (a checkpoint), blocking up to `timeout_s`, then kill."""
        if not self.running:
            return
        self.request_stop()
        deadline = time.monotonic() + timeout_s
        while self.running and time.monotonic() < deadline:
            self._keep_request()
            self._process.waitForFinished(200)
        if self.running:
            self.kill()
            self._process.waitForFinished(5000)

    def _keep_request(self) -> None:
        """(Re)create the stop request while a stop is pending: the CLI deletes a leftover request when
        it starts, so a Pause pressed while the process was still starting would otherwise be lost."""
        stop_file = self.stop_file
        if self._stopping and self.running and stop_file is not None and not stop_file.exists():
            stop_file.parent.mkdir(parents=True, exist_ok=True)
            stop_file.touch()

    def _remove_request(self) -> None:
        if self.stop_file is not None:
            self.stop_file.unlink(missing_ok=True)

    def _read_output(self) -> None:
        data = bytes(self._process.readAllStandardOutput().data()).decode("utf-8", "replace")
        text = (self._partial + data).replace("\r\n", "\n").replace("\r", "\n")
        *complete, self._partial = text.split("\n")
        complete = [line for line in complete if line.strip()]
        if complete:
            self.lines.extend(complete)
            self.output.emit(complete)

    def _finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self._read_output()
        if self._partial.strip():
            self.lines.append(self._partial)
            self.output.emit([self._partial])
            self._partial = ""
        self._end(self._outcome(code, status == QProcess.ExitStatus.CrashExit))

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:  # no finished() follows this one
            detail = self._process.errorString() if self._process else ""
            self._end(Outcome("failed", -1, f"The training process could not start: {detail}"))

    def _end(self, outcome: Outcome) -> None:
        self._kill_timer.stop()
        self._restate_timer.stop()
        self._remove_request()
        self.ended.emit(outcome)

    def _outcome(self, code: int, crashed: bool) -> Outcome:
        if code == 0 and not crashed:
            return Outcome("done", 0, "Training finished; the model is in your models folder.")
        if self._cancelling:
            return Outcome("cancelled", code, "Training cancelled.")
        if code == EXIT_STOPPED and not crashed:
            return Outcome("stopped", code, "Training paused at a checkpoint.")
        if crashed:
            return Outcome("failed", code, "The training process crashed (see its last output below).")
        return Outcome("failed", code, f"Training failed: {self.error_line()}")

    def error_line(self) -> str:
        """The most telling line of the output: the CLI's one-line error, else the last line."""
        for line in reversed(self.lines):
            if line.startswith("genimg: error:"):
                return line.removeprefix("genimg: error:").strip()
        return self.lines[-1].strip() if self.lines else "no output"
