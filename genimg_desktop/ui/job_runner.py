"""Runs the window model's chosen task through the EngineService and says what came of it.

JobRunner touches no widget: it reads a job's inputs (document, model, task, parameters, seed) from
the WindowModel and announces what happens by signals. The model follows the state ones (`staged`,
`busy_changed`); the window's widgets follow the rest. So it runs and is tested without a window.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from genimg_desktop.core.model_card import ModelDescriptor
from genimg_desktop.core.params import TaskSpec
from genimg_desktop.core.request import GenerationRequest, GenerationResult
from genimg_desktop.jobs.worker import EngineService
from genimg_desktop.ui.settings import device_words
from genimg_desktop.ui.window_model import WindowModel

LIVE_DEBOUNCE_MS = 250  # a slider drag sends many changes: run once it pauses
NOTE_MS = 8000  # a result's notes stay this long in the status bar
Choice = tuple[ModelDescriptor, TaskSpec, dict[str, Any]]  # a model, its task and the parameters
ResultHandler = Callable[[GenerationResult], object]


class JobRunner(QObject):
    """One job at a time (the service queues more if asked)."""

    staged = Signal(object, object)  # GenerationResult: one edit of the canvas; the mask it shows through
    samples = Signal(object)  # GenerationResult: images of a model, not an edit of this canvas
    preview = Signal(object, object)  # a job's image as it grows; its mask (None: not a canvas edit)
    finished = Signal(object)  # every finished GenerationResult (the gallery keeps them)
    busy_changed = Signal(bool, str)  # a job started (True) or ended; the progress bar's text
    progress = Signal(float, str)  # fraction done, what it is doing
    failed = Signal(str, str)  # the message, the details
    refused = Signal(str, str)  # a run that cannot start (e.g. no mask painted): a title, why
    model_errors = Signal(object)  # list[str]: problems found while listing the models (bad cards)
    device_failed = Signal(str)  # the chosen device could not be used: why, and which one stays

    def __init__(self, model: WindowModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.service: EngineService | None = None
        self.job_id: int | None = None
        self._job_mask: np.ndarray | None = None
        self._on_result: ResultHandler | None = None  # the running job's own use of its result
        self.last_error: str | None = None
        self.started_at = 0.0
        self._rerun = False  # a live change arrived while a job ran: run again when it ends
        # Device choices sent to the engine, in its order; None once refused. The engine answers each
        # with device_ready, a refusal with device_failed first.
        self._asked_devices: deque[str | None] = deque()
        self.live_timer = QTimer(self)
        self.live_timer.setSingleShot(True)
        self.live_timer.setInterval(LIVE_DEBOUNCE_MS)
        self.live_timer.timeout.connect(self._run_live)
        self.staged.connect(model.stage)
        self.busy_changed.connect(lambda busy, _text: model.set_busy(busy))
        model.params_changed.connect(lambda: model.live and self.request_live())

    @property
    def busy(self) -> bool:
        return self.job_id is not None

    def start(self, service: EngineService | None, device: str) -> None:
        self.service = service or EngineService(self)
        svc = self.service
        svc.models_listed.connect(self.model.set_models)
        svc.model_errors.connect(self.model_errors)
        svc.device_ready.connect(self._device_ready)
        svc.device_failed.connect(self._device_failed)
        svc.job_progress.connect(self._progress)
        svc.job_preview.connect(self._preview)
        svc.job_finished.connect(self._finished)
        svc.job_failed.connect(self._failed)
        svc.job_cancelled.connect(self._cancelled)
        self._asked_devices.append(device)
        svc.start(device)

    def set_device(self, name: str) -> None:
        """Ask the engine for another device; the model's choice follows only once it is taken."""
        if self.service is not None:
            self._asked_devices.append(name)
            self.service.set_device(name)

    def _device_ready(self, label: str) -> None:
        asked = self._asked_devices.popleft() if self._asked_devices else None
        if asked is not None:
            self.model.set_device_choice(asked)
        self.model.set_device(label)

    def _device_failed(self, message: str) -> None:
        """The engine refused the device asked for and kept its own (device_ready follows): the choice
        in effect stays, so the menu ticks it again and a refused choice is never saved."""
        asked = self._asked_devices[0] if self._asked_devices else None
        if asked is not None:
            self._asked_devices[0] = None
        kept = self.model.device_choice
        if asked is None or asked == kept:
            self.device_failed.emit(message)
            return
        self.model.set_device_choice(kept)
        self.device_failed.emit(
            f"{device_words(asked)} cannot be used: {message}.\n\nThe device stays {device_words(kept)}."
        )

    def run(
        self,
        choice: Choice | None = None,
        on_result: ResultHandler | None = None,
        image: np.ndarray | None = None,
    ) -> int | None:
        """Submit the model's chosen task on its document; returns the job id, or None. `choice` runs
        that model, task and parameters instead of the dock's (Extend canvas's fill, ui/outpaint.py);
        `on_result` takes the finished result instead of the stage or the samples (Upscale's new
        picture, ui/upscale.py); `image` ((H, W, 3) uint8) is worked on instead of the document's
        (a sample upscaled in the samples panel, ui/sample_upscale.py)."""
        m = self.model
        model, task, doc = m.model, m.task, m.document
        params = dict(m.params)
        if choice is not None:
            model, task, params = choice[0], choice[1], dict(choice[2])
        if self.service is None or model is None or task is None:
            m.say("No model selected yet")
            return None
        if self.busy:
            m.say("A job is running: wait for it or cancel it")
            return None
        if task.needs_mask and not doc.mask.any():
            self.refused.emit(task.label, "Paint a mask over the area to regenerate first.")
            return None
        if image is None:  # a job on another picture leaves what is staged over this one
            m.discard_staged()
            image = doc.rgb() if task.takes_image(params) else None  # a copy: only when it is used
        mask = doc.mask.copy() if task.needs_mask or (task.uses_mask and doc.mask.any()) else None
        request = GenerationRequest(
            model_id=model.id,
            task=task.name,
            params=params,
            seed=m.next_seed(),
            image=image,
            mask=mask,
        )
        self._job_mask = mask
        self._on_result = on_result
        self.started_at = time.perf_counter()
        self.job_id = self.service.submit(request)
        self.busy_changed.emit(True, f"{task.label}… %p%")
        return self.job_id

    def request_live(self) -> None:
        """A parameter changed in live mode: run again once the changes pause."""
        self.live_timer.start()

    def _run_live(self) -> None:
        if not self.model.live:
            return
        if self.busy:  # the newer parameters supersede the running job
            self._rerun = True
            self.cancel()
            return
        self.run()

    def cancel(self) -> None:
        if self.service is not None and self.job_id is not None:
            self.service.cancel(self.job_id)

    def _mine(self, job_id: int) -> bool:
        return job_id == self.job_id

    def _progress(self, job_id: int, fraction: float, message: str) -> None:
        if self._mine(job_id):
            self.progress.emit(fraction, message)

    def _preview(self, job_id: int, image: np.ndarray) -> None:
        if self._mine(job_id):
            on_canvas = self._job_mask is not None and image.shape[:2] == self.model.document.mask.shape
            self.preview.emit(image, self._job_mask if on_canvas else None)

    def _finished(self, job_id: int, result: GenerationResult) -> None:
        if not self._mine(job_id):
            return
        handler = self._on_result or self.show_result
        precision = result.info.get("precision", "float32")  # said only when it is not the usual
        self._done(f"done in {result.elapsed_s:.2f} s" + ("" if precision == "float32" else f", {precision}"))
        self.finished.emit(result)
        handler(result)
        for note in [*(result.info.get("notes") or []), result.info.get("summary")]:
            if note:
                self.model.say(str(note), NOTE_MS)

    def show_result(self, result: GenerationResult) -> None:
        """Stage a result over the canvas when it is one edit of the canvas image; else offer its images
        as samples (several frames, e.g. an interpolation from the canvas, are choices)."""
        image = result.images[0]
        doc = self.model.document
        analysis = "summary" in result.info  # e.g. a likelihood map: a reading of the image, not an edit
        one = len(result.images) == 1
        if one and image.shape[:2] == doc.mask.shape and result.request.image is not None and not analysis:
            mask = result.request.mask if result.request.mask is not None else _everything(doc.mask)
            self.staged.emit(result, mask)
        else:
            self.samples.emit(result)

    def _failed(self, job_id: int, message: str, details: str) -> None:
        if not self._mine(job_id):
            return
        self._done("failed")
        self.last_error = message
        self.model.discard_staged()  # the job's preview over the canvas goes too
        self.failed.emit(message, details)

    def _cancelled(self, job_id: int) -> None:
        if self._mine(job_id):
            self._done("cancelled")
            self.model.discard_staged()

    def _done(self, text: str) -> None:
        if self._rerun:
            self._rerun = False
            QTimer.singleShot(0, self._run_live)
        self.job_id = None
        self._job_mask = None
        self._on_result = None
        self.busy_changed.emit(False, text)

    def shutdown(self) -> None:
        if self.service is not None:
            self.service.shutdown()


def _everything(mask: np.ndarray) -> np.ndarray:
    return np.full_like(mask, 255)
