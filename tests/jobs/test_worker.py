"""EngineService end to end: real worker thread, real engine, Qt signals (pytest-qt)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QThread

from genimg_desktop.core import paths
from genimg_desktop.core.params import ParamSpec, TaskSpec
from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.engine.base import GenerationModel
from genimg_desktop.engine.registry import FAMILIES
from genimg_desktop.jobs.worker import EngineService

TIMEOUT_MS = 10_000


class SlowModel(GenerationModel):
    """Test-only family: `steps` steps of 10 ms each, reporting progress; fails on request."""

    family = "test-slow"

    @classmethod
    def task_specs(cls, card):
        steps = ParamSpec("steps", "int", 500, minimum=1, maximum=10_000)
        fail = ParamSpec("fail", "bool", False)
        return (TaskSpec("sample", "Sample", params=(steps, fail)),)

    def _run(self, job):
        for step in range(job.params["steps"]):
            if job.params["fail"]:
                raise RuntimeError("the model broke down\nsecond line")
            time.sleep(0.01)
            job.control.report((step + 1) / job.params["steps"], f"step {step + 1}")
        return [np.zeros((4, 4, 3), np.uint8)]


@pytest.fixture
def service(qtbot, monkeypatch):
    """A started service that also knows the test-only slow model; shut down (and checked) after."""
    monkeypatch.setitem(FAMILIES, "test-slow", SlowModel)
    card = {"id": "slow", "family": "test-slow", "name": "Slow"}
    (paths.user_models_dir() / "slow.json").write_text(json.dumps(card), encoding="utf-8")
    svc = EngineService()
    with qtbot.waitSignal(svc.models_listed, timeout=TIMEOUT_MS):
        svc.start("cpu")
    yield svc
    assert svc.shutdown(timeout_ms=5000)
    assert not svc._thread.isRunning()


def slow(steps=500, fail=False) -> GenerationRequest:
    return GenerationRequest("slow", "sample", {"steps": steps, "fail": fail})


def inpaint_request(photo_rgb) -> GenerationRequest:
    mask = np.zeros(photo_rgb.shape[:2], np.uint8)
    mask[200:240, 200:260] = 255
    return GenerationRequest("opencv-telea", "inpaint", {"radius": 3}, 1, photo_rgb, mask)


def test_start_reports_models_device_and_errors(qtbot, monkeypatch):
    (paths.user_models_dir() / "broken.json").write_text("{", encoding="utf-8")
    svc = EngineService()
    got = {}
    svc.device_ready.connect(lambda label: got.setdefault("device", label))
    svc.devices_listed.connect(lambda names: got.setdefault("devices", names))
    svc.models_listed.connect(lambda models: got.setdefault("models", [m.id for m in models]))
    with qtbot.waitSignal(svc.model_errors, timeout=TIMEOUT_MS) as errors:
        svc.start("cpu")
    assert got["device"] == "CPU" and "cpu" in got["devices"]
    assert {"opencv-telea", "opencv-ns"} <= set(got["models"])
    assert any("broken.json" in e for e in errors.args[0])
    assert svc.shutdown()


def test_inpaint_job_finishes(qtbot, service, photo_rgb):
    started, progress, threads = [], [], []
    service.job_started.connect(started.append)
    service.job_finished.connect(lambda *args: threads.append(QThread.currentThread()))
    service.job_progress.connect(lambda job, fraction, message: progress.append(fraction))
    with qtbot.waitSignal(service.job_finished, timeout=TIMEOUT_MS) as finished:
        job_id = service.submit(inpaint_request(photo_rgb))
    done_id, result = finished.args
    assert done_id == job_id and started == [job_id] and progress[-1] == 1.0
    assert result.images[0].shape == photo_rgb.shape
    assert result.info["params"] == {"radius": 3, "context_margin": 64}
    assert not service.is_busy and service.pending_count == 0
    assert threads == [QCoreApplication.instance().thread()]  # signals arrive on the GUI thread


def test_failing_job_reports_message_and_traceback(qtbot, service):
    with qtbot.waitSignal(service.job_failed, timeout=TIMEOUT_MS) as failed:
        job_id = service.submit(slow(fail=True))
    assert failed.args[0] == job_id
    assert failed.args[1] == "the model broke down"
    assert "Traceback" in failed.args[2] and "RuntimeError" in failed.args[2]
    # the worker survives: the next job still runs
    with qtbot.waitSignal(service.job_finished, timeout=TIMEOUT_MS):
        service.submit(slow(steps=1))


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (GenerationRequest("nope", "inpaint"), "no model 'nope'"),
        (GenerationRequest("opencv-telea", "inpaint", image=np.zeros((8, 8, 3), np.uint8)), "paint a mask"),
    ],
)
def test_bad_requests_fail_cleanly(qtbot, service, request_, message):
    with qtbot.waitSignal(service.job_failed, timeout=TIMEOUT_MS) as failed:
        service.submit(request_)
    assert message in failed.args[1]


def test_cancel_a_queued_job_never_runs_it(qtbot, service):
    started, finished = [], []
    service.job_started.connect(started.append)
    service.job_finished.connect(lambda job, result: finished.append(job))
    with qtbot.waitSignal(service.job_started, timeout=TIMEOUT_MS):
        first = service.submit(slow(steps=30))
    second = service.submit(slow(steps=1))
    third = service.submit(slow(steps=1))
    assert service.pending_count == 2
    with qtbot.waitSignal(service.job_cancelled, timeout=1000) as cancelled:
        service.cancel(second)
    assert cancelled.args == [second] and service.pending_count == 1
    qtbot.waitUntil(lambda: finished == [first, third], timeout=TIMEOUT_MS)
    assert started == [first, third]


def test_cancel_the_running_job_stops_it_quickly(qtbot, service):
    with qtbot.waitSignal(service.job_progress, timeout=TIMEOUT_MS):
        job_id = service.submit(slow(steps=1000))  # 10 s if it were not cancelled
    asked = time.monotonic()
    with qtbot.waitSignal(service.job_cancelled, timeout=2000) as cancelled:
        service.cancel(job_id)
    assert cancelled.args == [job_id]
    assert time.monotonic() - asked < 0.5
    qtbot.waitUntil(lambda: not service.is_busy, timeout=1000)


def test_cancel_all(qtbot, service):
    cancelled = []
    service.job_cancelled.connect(cancelled.append)
    with qtbot.waitSignal(service.job_started, timeout=TIMEOUT_MS):
        ids = [service.submit(slow(steps=1000)) for _ in range(3)]
    service.cancel()
    qtbot.waitUntil(lambda: sorted(cancelled) == ids, timeout=2000)
    assert not service.is_busy


def test_progress_is_throttled(qtbot, service):
    progress = []
    service.job_progress.connect(lambda job, fraction, message: progress.append(fraction))
    with qtbot.waitSignal(service.job_finished, timeout=TIMEOUT_MS):
        service.submit(slow(steps=50))  # 50 reports in ~0.5 s
    assert progress[-1] == 1.0
    assert len(progress) < 35


def test_set_device(qtbot, service):
    with qtbot.waitSignal(service.device_ready, timeout=TIMEOUT_MS) as ready:
        service.set_device("cpu")
    assert ready.args == ["CPU"]
    failed = []
    service.device_failed.connect(failed.append)
    with qtbot.waitSignal(service.device_ready, timeout=TIMEOUT_MS) as kept:
        service.set_device("tpu")
    assert len(failed) == 1 and "unknown device 'tpu'" in failed[0]
    assert kept.args == ["CPU"]


def test_refresh_finds_new_models(qtbot, service):
    card = {"id": "late", "family": "classical", "config": {"method": "ns"}}
    (paths.user_models_dir() / "late.json").write_text(json.dumps(card), encoding="utf-8")
    with qtbot.waitSignal(service.models_listed, timeout=TIMEOUT_MS) as listed:
        service.refresh_models()
    assert "late" in [m.id for m in listed.args[0]]


def test_shutdown_while_running_joins_the_thread(qtbot, service):
    with qtbot.waitSignal(service.job_started, timeout=TIMEOUT_MS):
        service.submit(slow(steps=1000))
    asked = time.monotonic()
    assert service.shutdown(timeout_ms=3000)
    assert time.monotonic() - asked < 1.0
    assert not service._thread.isRunning()
    with pytest.raises(RuntimeError, match="shut down"):
        service.submit(slow())


def test_shutdown_without_start(qtbot):
    assert EngineService().shutdown()


def test_importing_the_worker_does_not_import_torch():
    code = "import sys, genimg_desktop.jobs.worker; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def test_shutdown_while_the_engine_is_still_starting_waits_it_out(qtbot, monkeypatch):
    """Closing the window while torch loads and models are listed (a busy machine) must not leave the
    thread running: Qt aborts the app when a running QThread is destroyed."""
    from genimg_desktop.jobs.runner import EngineRunner

    listed = EngineRunner.refresh

    def slow_listing(self):
        time.sleep(1.0)
        return listed(self)

    monkeypatch.setattr(EngineRunner, "refresh", slow_listing)
    svc = EngineService()
    svc.start("cpu")
    assert svc.shutdown(timeout_ms=100)
    assert not svc._thread.isRunning()
