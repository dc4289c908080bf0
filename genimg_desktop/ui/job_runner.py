"""Window-side glue to the EngineService: builds requests, follows a job, stages its result."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox

from genimg_desktop.core.model_card import ModelDescriptor
from genimg_desktop.core.params import TaskSpec
from genimg_desktop.core.request import GenerationRequest, GenerationResult
from genimg_desktop.jobs.worker import EngineService

if TYPE_CHECKING:
    from genimg_desktop.ui.main_window import MainWindow


LIVE_DEBOUNCE_MS = 250  # a slider drag sends many changes: run once it pauses


class JobRunner(QObject):
    """One job at a time from the window (the service queues more if asked)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.service: EngineService | None = None
        self.job_id: int | None = None
        self._job_mask: np.ndarray | None = None
        self.staged_result: GenerationResult | None = None
        self.last_error: str | None = None
        self.started_at = 0.0
        self._rerun = False  # a live change arrived while a job ran: run again when it ends
        self.live_timer = QTimer(self)
        self.live_timer.setSingleShot(True)
        self.live_timer.setInterval(LIVE_DEBOUNCE_MS)
        self.live_timer.timeout.connect(self._run_live)

    @property
    def busy(self) -> bool:
        return self.job_id is not None

    def start(self, service: EngineService | None, device: str) -> None:
        self.service = service or EngineService(self)
        svc, win = self.service, self.window
        svc.models_listed.connect(win.set_models)
        svc.model_errors.connect(win.picker.set_errors)
        svc.device_ready.connect(win.status.set_device)
        svc.device_failed.connect(lambda msg: QMessageBox.warning(win, "Device", msg))
        svc.job_progress.connect(self._progress)
        svc.job_preview.connect(self._preview)
        svc.job_finished.connect(self._finished)
        svc.job_failed.connect(self._failed)
        svc.job_cancelled.connect(self._cancelled)
        svc.start(device)

    def set_device(self, name: str) -> None:
        if self.service is not None:
            self.service.set_device(name)

    def run(self, model: ModelDescriptor | None, task: TaskSpec | None) -> int | None:
        """Submit the chosen task on the current document; returns the job id, or None."""
        win = self.window
        if self.service is None or model is None or task is None:
            win.statusBar().showMessage("No model selected yet", 4000)
            return None
        if self.busy:
            win.statusBar().showMessage("A job is running: wait for it or cancel it", 4000)
            return None
        doc = win.document
        if task.needs_mask and not doc.mask.any():
            QMessageBox.information(win, task.label, "Paint a mask over the area to regenerate first.")
            return None
        if win.canvas.staged:
            win.canvas.discard_staged()
        mask = doc.mask.copy() if task.needs_mask else None
        params = win.params.values()
        request = GenerationRequest(
            model_id=model.id,
            task=task.name,
            params=params,
            seed=win.params.seed.next_seed(),
            image=doc.rgb() if task.takes_image(params) else None,  # a copy: only when it is used
            mask=mask,
        )
        self._job_mask = mask
        self.started_at = time.perf_counter()
        self.job_id = self.service.submit(request)
        win.status.set_busy(True, f"{task.label}… %p%")
        win.run_button.setEnabled(False)
        return self.job_id

    def request_live(self) -> None:
        """A parameter changed in live mode: run again once the changes pause."""
        self.live_timer.start()

    def _run_live(self) -> None:
        if not self.window.params.live_enabled():
            return
        if self.busy:  # the newer parameters supersede the running job
            self._rerun = True
            self.cancel()
            return
        self.run(self.window.picker.current_model(), self.window.picker.current_task())

    def cancel(self) -> None:
        if self.service is not None and self.job_id is not None:
            self.service.cancel(self.job_id)

    def _mine(self, job_id: int) -> bool:
        return job_id == self.job_id

    def _progress(self, job_id: int, fraction: float, message: str) -> None:
        if self._mine(job_id):
            self.window.status.set_progress(fraction, message)

    def _preview(self, job_id: int, image: np.ndarray) -> None:
        if not self._mine(job_id):
            return
        if self._job_mask is not None and image.shape[:2] == self.window.document.mask.shape:
            self.window.canvas.stage_result(image, self._job_mask)
        else:
            self.window.samples.show_preview(image, "Generating… (the first image, as it grows)")
            self.window.samples_dock.show()

    def _finished(self, job_id: int, result: GenerationResult) -> None:
        if not self._mine(job_id):
            return
        precision = result.info.get("precision", "float32")  # said only when it is not the usual
        self._done(f"done in {result.elapsed_s:.2f} s" + ("" if precision == "float32" else f", {precision}"))
        self.window.gallery.add_result(result)
        self.show_result(result)
        for note in [*(result.info.get("notes") or []), result.info.get("summary")]:
            if note:
                self.window.statusBar().showMessage(str(note), 8000)

    def show_result(self, result: GenerationResult) -> None:
        """Stage a result over the canvas when it is one edit of the canvas image; else show the images
        in the samples panel (several frames, e.g. an interpolation from the canvas, are choices)."""
        image = result.images[0]
        doc = self.window.document
        analysis = "summary" in result.info  # e.g. a likelihood map: a reading of the image, not an edit
        one = len(result.images) == 1
        if one and image.shape[:2] == doc.mask.shape and result.request.image is not None and not analysis:
            mask = result.request.mask if result.request.mask is not None else _everything(doc.mask)
            self.stage(result, mask)
        else:  # samples of a model, not an edit of this canvas: shown in the samples panel
            self.window.show_samples(result)

    def stage(self, result: GenerationResult, mask: np.ndarray) -> None:
        """Show `result` (full canvas size) over the canvas through `mask`, to accept or discard."""
        self.staged_result = result
        self.window.canvas.stage_result(result.images[0], mask)

    def forget_staged(self) -> None:
        self.staged_result = None

    def _failed(self, job_id: int, message: str, details: str) -> None:
        if not self._mine(job_id):
            return
        self._done("failed")
        self.last_error = message
        self.window.canvas.discard_staged()
        box = QMessageBox(QMessageBox.Icon.Warning, "The job failed", message, parent=self.window)
        box.setDetailedText(details)
        box.open()  # not exec(): a message never blocks the worker's signals

    def _cancelled(self, job_id: int) -> None:
        if self._mine(job_id):
            self._done("cancelled")
            self.window.canvas.discard_staged()

    def _done(self, text: str) -> None:
        if self._rerun:
            self._rerun = False
            QTimer.singleShot(0, self._run_live)
        self.job_id = None
        self._job_mask = None
        self.window.status.set_busy(False, text)
        self.window.run_button.setEnabled(self.window.picker.current_task() is not None)

    def shutdown(self) -> None:
        if self.service is not None:
            self.service.shutdown()


def _everything(mask: np.ndarray) -> np.ndarray:
    return np.full_like(mask, 255)
