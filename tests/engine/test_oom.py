"""Out of memory (simulated): the base class retries with a halved batch/tile, then says so clearly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from genimg_desktop.core.model_card import ModelCard
from genimg_desktop.core.params import ParamSpec, TaskSpec
from genimg_desktop.core.progress import JobCancelled, JobControl
from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.engine import oom
from genimg_desktop.engine.base import GenerationModel

ERRORS = {
    "cuda": lambda: torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB"),
    "python": lambda: MemoryError(),
    "mps": lambda: RuntimeError("MPS backend out of memory (MPS allocated: 9 GB)"),
    "cpu": lambda: RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 99 GB"),
}


class HungryModel(GenerationModel):
    """Test-only family: runs out of memory while batch > max_batch or tile > max_tile (card config)."""

    family = "test-hungry"
    oom_params = ("batch", "tile")

    @classmethod
    def task_specs(cls, card):
        batch = ParamSpec("batch", "int", 8, minimum=1, maximum=64)
        tile = ParamSpec("tile", "int", 512, minimum=64, maximum=2048)
        return (TaskSpec("sample", "Sample", params=(batch, tile)),)

    def __init__(self, card, device):
        super().__init__(card, device)
        self.attempts: list[tuple[int, int]] = []

    def _run(self, job):
        cfg = self.card.config
        self.attempts.append((job.params["batch"], job.params["tile"]))
        job.info.setdefault("batches_tried", []).append(job.params["batch"])
        job.control.report(0.1, "working")
        scratch = torch.empty(1024, 1024)  # held by this frame when it fails; must be freed
        if job.params["batch"] > cfg.get("max_batch", 64) or job.params["tile"] > cfg.get("max_tile", 4096):
            raise ERRORS[cfg.get("error", "cuda")]()
        del scratch
        noise = self.noise(job.params["batch"], 4, 4, 3, generator=job.generator)
        return [((n.clamp(-2, 2) + 2) * 63).to(torch.uint8).numpy() for n in noise]


def hungry(oom_params=("batch", "tile"), **config) -> HungryModel:
    card = ModelCard(id="h", name="H", family="test-hungry", card_path=Path("h.json"), config=config)
    model = HungryModel(card, "cpu")
    model.oom_params = oom_params
    return model


def sample(seed=1, **params) -> GenerationRequest:
    return GenerationRequest("h", "sample", params, seed)


def test_no_oom_no_note():
    result = hungry().run(sample(), JobControl())
    assert len(result.images) == 8 and "notes" not in result.info


def test_a_retry_starts_with_a_fresh_job_and_only_the_finished_attempt_adds_to_the_info():
    model = hungry(max_batch=2)
    result = model.run(sample(), JobControl())
    assert [batch for batch, _tile in model.attempts] == [8, 4, 2]
    assert result.info["batches_tried"] == [2] and len(result.images) == 2


@pytest.mark.parametrize("error", sorted(ERRORS))
def test_oom_then_success_retries_with_a_halved_batch(error):
    model = hungry(max_batch=2, error=error)
    messages = []
    result = model.run(sample(), JobControl(lambda event: messages.append(event.message)))
    assert model.attempts == [(8, 512), (4, 512), (2, 512)]
    assert len(result.images) == 2 and result.info["params"]["batch"] == 2
    assert result.info["notes"] == ["Ran out of memory; retried with batch 4, then batch 2"]
    assert "Out of memory; retrying with batch 4" in messages
    assert result.metadata()["notes"] == result.info["notes"]  # it travels into the saved PNG too


def test_batch_first_then_tile():
    model = hungry(max_batch=1, max_tile=256)
    result = model.run(sample(batch=2), JobControl())
    assert model.attempts == [(2, 512), (1, 512), (1, 256)]
    assert result.info["notes"] == ["Ran out of memory; retried with batch 1, then tile 256"]


def test_a_retry_gives_the_same_image_as_asking_for_the_smaller_batch_directly():
    retried = hungry(max_batch=2).run(sample(seed=5), JobControl()).images
    direct = hungry().run(sample(seed=5, batch=2), JobControl()).images
    assert all(np.array_equal(a, b) for a, b in zip(retried, direct, strict=True))


def test_always_oom_gives_up_with_a_clear_message():
    model = hungry(max_batch=0)
    with pytest.raises(oom.ModelOutOfMemory) as caught:
        model.run(sample(batch=4), JobControl())
    assert model.attempts == [(4, 512), (2, 512), (1, 512), (1, 256), (1, 128)]
    assert (
        str(caught.value) == "Out of memory even with batch 1, tile 128: paint a smaller area, lower the size"
    )
    assert "CUDA out of memory" in str(caught.value.__cause__)  # the original text, for the details view


def test_retries_are_bounded():
    model = hungry(max_batch=0)
    with pytest.raises(oom.ModelOutOfMemory):
        model.run(sample(batch=64, tile=2048), JobControl())
    assert len(model.attempts) == oom.MAX_OOM_RETRIES + 1


def test_a_family_without_oom_params_says_so_at_once():
    model = hungry(oom_params=(), max_batch=0, error="python")
    with pytest.raises(oom.ModelOutOfMemory, match=r"^Out of memory: paint a smaller area"):
        model.run(sample(), JobControl())
    assert len(model.attempts) == 1


def test_gpu_wording(monkeypatch):
    assert oom.failure_message(torch.device("cuda"), {}).startswith("Out of GPU memory: ")
    assert "switch to the CPU" in oom.failure_message(torch.device("cuda"), {"batch": 1})


def test_other_errors_are_not_retried():
    class Broken(HungryModel):
        def _run(self, *args):
            self.attempts.append((0, 0))
            raise RuntimeError("shape mismatch in layer 3")

    card = ModelCard(id="h", name="H", family="test-hungry", card_path=Path("h.json"))
    model = Broken(card, "cpu")
    with pytest.raises(RuntimeError, match="shape mismatch"):
        model.run(sample(), JobControl())
    assert len(model.attempts) == 1


def test_cancel_between_retries_wins():
    model = hungry(max_batch=0)
    control = JobControl(lambda event: control.cancel() if "retrying" in event.message else None)
    with pytest.raises(JobCancelled):
        model.run(sample(), control)
    assert len(model.attempts) == 1


def test_memory_is_freed_between_attempts(monkeypatch):
    freed = []
    monkeypatch.setattr(oom, "free_memory", lambda device: freed.append(device))
    hungry(max_batch=2).run(sample(), JobControl())
    assert freed == [torch.device("cpu")] * 2


def test_free_memory_empties_the_cuda_cache(monkeypatch):
    emptied = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: emptied.append(True))
    oom.free_memory(torch.device("cuda"))
    oom.free_memory(torch.device("cpu"))
    assert emptied == [True]


def test_is_out_of_memory():
    assert all(oom.is_out_of_memory(make()) for make in ERRORS.values())
    assert not oom.is_out_of_memory(RuntimeError("index out of range"))
    assert not oom.is_out_of_memory(ValueError("out of memory"))  # only the types torch raises


def test_the_family_gets_read_only_inputs_and_cannot_touch_the_document():
    class Scribbler(HungryModel):
        @classmethod
        def task_specs(cls, card):
            return (TaskSpec("inpaint", "Inpaint", needs_image=True, needs_mask=True),)

        def _run(self, job):
            job.image[:] = 0  # a buggy family writing into its input
            return [job.image]

    image = np.full((8, 8, 3), 200, np.uint8)
    mask = np.full((8, 8), 255, np.uint8)
    card = ModelCard(id="s", name="S", family="test-hungry", card_path=Path("s.json"))
    with pytest.raises(ValueError, match="read-only"):
        Scribbler(card, "cpu").run(GenerationRequest("s", "inpaint", {}, 0, image, mask), JobControl())
    assert (image == 200).all() and image.flags.writeable  # the caller's array is untouched and still its own


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_a_real_cuda_out_of_memory_is_retried():
    total = torch.cuda.get_device_properties(0).total_memory

    class CudaHungry(HungryModel):
        def _run(self, job):
            self.attempts.append((job.params["batch"], job.params["tile"]))
            block = torch.empty(job.params["batch"] * total // 3, dtype=torch.uint8, device="cuda")
            del block
            return [np.zeros((2, 2, 3), np.uint8)] * job.params["batch"]

    card = ModelCard(id="c", name="C", family="test-hungry", card_path=Path("c.json"))
    model = CudaHungry(card, "cuda")
    result = model.run(sample(), JobControl())  # batch 8 and 4 need more than the whole GPU
    assert [b for b, _ in model.attempts] == [8, 4, 2]
    assert result.info["notes"] == ["Ran out of memory; retried with batch 4, then batch 2"]
    assert torch.cuda.memory_allocated() == 0
