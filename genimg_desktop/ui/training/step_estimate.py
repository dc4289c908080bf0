"""The time a training run will take, measured on this machine before it starts: `genimg train ...
--time-steps N` (engine/training/step_timing.py) in a child process, like the training itself, so the
window stays responsive and the steps are timed exactly as the run will take them."""

from __future__ import annotations

import json

from PySide6.QtCore import QObject, QProcess, Signal

from genimg_desktop.ui.training.train_process import TrainSpec, train_command

TIMED_STEPS = 2  # after one warm-up step, in each phase of the run


class StepEstimate(QObject):
    """One measurement at a time; `measured(seconds per step, whole run in seconds)` or `failed(text)`."""

    measured = Signal(float, float)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._process: QProcess | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.state() != QProcess.ProcessState.NotRunning

    def start(self, spec: TrainSpec) -> None:
        self.cancel()
        process = QProcess(self)
        program, args = train_command(spec)
        process.finished.connect(lambda code, _status: self._finished(process, code))
        self._process = process
        process.start(program, [*args, "--time-steps", str(TIMED_STEPS)])

    def cancel(self) -> None:
        """Stop a measurement still running (the artist pressed Start: the run needs the CPU)."""
        if self.running:
            assert self._process is not None
            self._process.finished.disconnect()
            self._process.kill()
            self._process.waitForFinished(2000)
        self._process = None

    def _finished(self, process: QProcess, code: int) -> None:
        output = bytes(process.readAllStandardOutput().data()).decode("utf-8", "replace").splitlines()
        errors = bytes(process.readAllStandardError().data()).decode("utf-8", "replace").strip()
        self._process = None
        try:
            timing = json.loads(output[-1]) if code == 0 and output else None
        except json.JSONDecodeError:
            timing = None
        if timing is None:
            self.failed.emit(
                errors.splitlines()[-1] if errors else f"the measurement exited with code {code}"
            )
            return
        self.measured.emit(float(timing["seconds_per_step"]), float(timing["run_seconds"]))
