"""A cancel in the middle of PatchMatch's library call (PatchMatch alone and the hybrid fill, whose
first pass it is) ends the job at once through the real worker: no result, the picture untouched,
and the engine fills the next job as usual (engine/patchmatch.py: fill_patchmatch)."""

from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication

from genimg_desktop.core.progress import JobCancelled, JobControl
from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.engine import patchmatch
from genimg_desktop.jobs.worker import EngineService

TIMEOUT_MS = 60_000


@pytest.fixture
def service(qtbot):
    svc = EngineService()
    with qtbot.waitSignal(svc.models_listed, timeout=TIMEOUT_MS):
        svc.start("cpu")
    yield svc
    assert svc.shutdown(timeout_ms=5000)


def striped(photo_rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The astronaut at 256 px with strokes across all of it: one crop, one library call of about a
    second of CPU (much longer than a cancel takes to land)."""
    image = np.ascontiguousarray(cv2.resize(photo_rgb, (256, 256), interpolation=cv2.INTER_AREA))
    mask = np.zeros((256, 256), np.uint8)
    for k in range(0, 256, 48):
        cv2.line(mask, (0, k), (255, 255 - k // 2), 255, 12)
    return image, mask


@pytest.mark.parametrize("model_id", ["patchmatch", "hybrid-fill"])
def test_a_cancel_inside_the_library_call_ends_the_job_with_nothing_changed(
    qtbot, service, photo_rgb, model_id
):
    image, mask = striped(photo_rgb)
    before = image.copy()
    finished, failed = [], []
    service.job_finished.connect(lambda *args: finished.append(args))
    service.job_failed.connect(lambda *args: failed.append(args))
    job_id = service.submit(GenerationRequest(model_id, "inpaint", {}, 3, image, mask))
    qtbot.waitUntil(patchmatch.in_library_call, timeout=TIMEOUT_MS)  # the fill is in the library

    with qtbot.waitSignal(service.job_cancelled, timeout=TIMEOUT_MS) as cancelled:
        service.cancel(job_id)
    assert cancelled.args == [job_id]
    assert patchmatch.in_library_call()  # the job ended while the library call still ran
    assert not service.is_busy

    qtbot.waitUntil(lambda: not patchmatch.in_library_call(), timeout=TIMEOUT_MS)  # it runs out
    QCoreApplication.processEvents()
    assert not finished and not failed  # its pixels were dropped: no result ever came
    np.testing.assert_array_equal(image, before)

    small = np.zeros((64, 64), np.uint8)
    small[20:40, 20:40] = 255
    with qtbot.waitSignal(service.job_finished, timeout=TIMEOUT_MS) as done:
        service.submit(GenerationRequest(model_id, "inpaint", {}, 3, image[:64, :64].copy(), small))
    filled = done.args[1].images[0]
    np.testing.assert_array_equal(filled[small == 0], image[:64, :64][small == 0])


def test_a_fill_cancelled_while_another_holds_the_library_never_calls_it(photo_rgb, monkeypatch):
    image, mask = striped(photo_rgb)
    calls = []
    library = patchmatch.library()
    real = library.inpaint
    monkeypatch.setattr(library, "inpaint", lambda *a, **k: calls.append(1) or real(*a, **k))
    control = JobControl()
    with patchmatch._LOCK:  # an abandoned fill still runs in the library
        control.cancel()
        with pytest.raises(JobCancelled):
            patchmatch.fill_patchmatch(image, mask, 3, 0, control)
    for thread in threading.enumerate():
        if thread.name == "patchmatch":
            thread.join(timeout=TIMEOUT_MS / 1000)
    assert not calls  # once it had the library, the helper saw the cancel and did not fill
    assert patchmatch.fill_patchmatch(image[:64, :64], mask[:64, :64], 3, 0).shape == (64, 64, 3)
    assert calls == [1]  # (the spy does see a fill that runs)
