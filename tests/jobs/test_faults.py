"""Faults through the real EngineService: a job that raises, runs out of memory, scribbles on its input
or is cancelled leaves the document as it was; out of memory is retried smaller, then reported."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from genimg_desktop.core import paths
from genimg_desktop.core.composite import composite_masked
from genimg_desktop.core.document import Document
from genimg_desktop.core.params import ParamSpec, TaskSpec
from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.engine.base import GenerationModel
from genimg_desktop.engine.registry import FAMILIES
from genimg_desktop.jobs.worker import EngineService

TIMEOUT_MS = 10_000


class FaultyModel(GenerationModel):
    """Test-only inpainting family whose `fault` parameter picks how it goes wrong."""

    family = "test-faulty"
    oom_params = ("batch",)

    @classmethod
    def task_specs(cls, card):
        batch = ParamSpec("batch", "int", 8, minimum=1, maximum=16)
        fault = ParamSpec("fault", "choice", "none", choices=("none", "raise", "oom", "scribble", "slow"))
        return (TaskSpec("inpaint", "Inpaint", params=(batch, fault), needs_image=True, needs_mask=True),)

    def _run(self, job):
        import torch

        fault = job.params["fault"]
        job.control.report(0.1, "started")
        if fault == "raise":
            raise RuntimeError("the model broke down half way")
        if fault == "oom" and job.params["batch"] > int(self.card.config.get("max_batch", 0)):
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")
        if fault == "scribble":
            job.image[job.mask > 0] = 0  # a buggy family drawing into its input
        for step in range(500 if fault == "slow" else 0):
            time.sleep(0.01)
            job.control.report(step / 500, "slow")
        out = np.array(job.image)
        out[job.mask > 0] = (255, 0, 255)
        return [out]


@pytest.fixture
def service(qtbot, monkeypatch):
    monkeypatch.setitem(FAMILIES, "test-faulty", FaultyModel)
    for model_id, max_batch in (("faulty", 0), ("tight", 2)):
        card = {"id": model_id, "family": "test-faulty", "config": {"max_batch": max_batch}}
        (paths.user_models_dir() / f"{model_id}.json").write_text(json.dumps(card), encoding="utf-8")
    svc = EngineService()
    with qtbot.waitSignal(svc.models_listed, timeout=TIMEOUT_MS):
        svc.start("cpu")
    yield svc
    assert svc.shutdown(timeout_ms=5000)


@pytest.fixture
def document(photo_rgb) -> Document:
    doc = Document(np.dstack([photo_rgb, np.full(photo_rgb.shape[:2], 255, np.uint8)]))
    doc.mask[300:340, 200:260] = 255
    return doc


def attach(service: EngineService, doc: Document) -> list[str]:
    """Wire the service to the document the way the window does: only a finished job changes it."""
    changes: list[str] = []
    doc.add_listener(lambda kind, rect: changes.append(kind))

    def apply(job_id, result):
        doc.image = composite_masked(doc.image, result.images[0], doc.mask)
        doc.notify("image")

    service.job_finished.connect(apply)
    return changes


def request(doc: Document, model: str = "faulty", **params) -> GenerationRequest:
    # The mask goes as it is, not copied: the engine must not be able to write into it.
    return GenerationRequest(model, "inpaint", params, 1, doc.rgb(), doc.mask)


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("raise", "the model broke down half way"),
        ("oom", "Out of memory even with batch 1: paint a smaller area, lower the size"),
        ("scribble", "assignment destination is read-only"),
    ],
)
def test_a_failing_job_leaves_the_document_as_it_was(qtbot, service, document, fault, message):
    image, mask = document.image.copy(), document.mask.copy()
    changes = attach(service, document)
    with qtbot.waitSignal(service.job_failed, timeout=TIMEOUT_MS) as failed:
        service.submit(request(document, fault=fault))
    assert failed.args[1] == message
    assert "Traceback" in failed.args[2]
    assert np.array_equal(document.image, image) and np.array_equal(document.mask, mask)
    assert changes == [] and not document.modified
    # the worker survives: a good job afterwards still runs and is applied
    with qtbot.waitSignal(service.job_finished, timeout=TIMEOUT_MS):
        service.submit(request(document))
    assert changes == ["image"] and (document.image[320, 230, :3] == (255, 0, 255)).all()


def test_out_of_memory_details_keep_the_original_error(qtbot, service, document):
    with qtbot.waitSignal(service.job_failed, timeout=TIMEOUT_MS) as failed:
        service.submit(request(document, fault="oom"))
    assert "ModelOutOfMemory" in failed.args[2] and "CUDA out of memory" in failed.args[2]


def test_a_cancelled_job_leaves_the_document_as_it_was(qtbot, service, document):
    image = document.image.copy()
    changes = attach(service, document)
    with qtbot.waitSignal(service.job_progress, timeout=TIMEOUT_MS):
        job_id = service.submit(request(document, fault="slow"))
    with qtbot.waitSignal(service.job_cancelled, timeout=2000):
        service.cancel(job_id)
    qtbot.waitUntil(lambda: not service.is_busy, timeout=2000)
    assert np.array_equal(document.image, image) and changes == []


def test_out_of_memory_then_success_is_applied_with_a_note(qtbot, service, document):
    changes = attach(service, document)
    with qtbot.waitSignal(service.job_finished, timeout=TIMEOUT_MS) as finished:
        service.submit(request(document, "tight", fault="oom"))
    result = finished.args[1]
    assert result.info["notes"] == ["Ran out of memory; retried with batch 4, then batch 2"]
    assert result.info["params"]["batch"] == 2
    assert changes == ["image"]


class _Payload:
    def __init__(self, marker) -> None:
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({str(self.marker)!r}, 'w').write('pwned')",))


def test_a_hostile_model_file_fails_the_job_and_never_runs(qtbot, service, document, tmp_path, monkeypatch):
    import torch

    marker = tmp_path / "marker"
    folder = paths.user_models_dir()
    torch.save({"w": _Payload(marker)}, folder / "evil.pt")
    card = {"id": "evil", "family": "test-faulty", "weights": "evil.pt"}
    (folder / "evil.json").write_text(json.dumps(card), encoding="utf-8")
    with qtbot.waitSignal(service.models_listed, timeout=TIMEOUT_MS):
        service.refresh_models()

    def load(self):  # what a family with weights does
        self.read_weights()

    monkeypatch.setattr(FaultyModel, "load", load)
    with qtbot.waitSignal(service.job_failed, timeout=TIMEOUT_MS) as failed:
        service.submit(request(document, "evil"))
    assert failed.args[1].startswith("cannot load model 'evil': evil.pt: refused")
    assert not marker.exists()
