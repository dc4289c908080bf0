"""JobRunner without a window: a WindowModel, the real EngineService and real built-in models. What a
job comes to is announced by the runner's signals and lands in the model; no widget is involved."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from genimg_desktop.core.document import Document
from genimg_desktop.core.model_card import ModelDescriptor
from genimg_desktop.ui.job_runner import JobRunner
from genimg_desktop.ui.window_model import WindowModel

TIMEOUT_MS = 60_000


@pytest.fixture
def runner(qtbot, photo_rgb):
    rgba = np.dstack([photo_rgb, np.full(photo_rgb.shape[:2], 255, np.uint8)])
    model = WindowModel(Document(rgba))
    jobs = JobRunner(model)
    with qtbot.waitSignal(model.models_changed, timeout=TIMEOUT_MS):
        jobs.start(None, "cpu")
    yield jobs
    jobs.shutdown()
    assert not jobs.service.thread_running


def choose(model: WindowModel, model_id: str, task_name: str, seed: int | None = 7, **params) -> None:
    """As the picker and the parameter panel would: a model and task, their defaults, a seed."""
    descriptor = next(d for d in model.models if d.id == model_id)
    task = descriptor.task(task_name)
    model.select(descriptor, task)
    model.set_params({spec.name: spec.default for spec in task.params} | params, seed, live=False)


def record(signal) -> list[tuple]:
    seen: list[tuple] = []
    signal.connect(lambda *args: seen.append(args))
    return seen


def test_an_inpaint_is_staged_in_the_model(qtbot, runner):
    model = runner.model
    model.document.mask[200:260, 220:300] = 255
    before = model.document.image.copy()
    choose(model, "opencv-telea", "inpaint")
    busy = record(runner.busy_changed)
    with qtbot.waitSignal(runner.staged, timeout=TIMEOUT_MS) as staged:
        assert runner.run() is not None
        assert model.busy
    result, mask = staged.args
    assert model.staged is result and model.staged_mask is mask
    assert (mask == model.document.mask).all()
    assert result.images[0].shape == (512, 512, 3) and result.request.seed == 7
    assert not np.array_equal(result.images[0][200:260, 220:300], before[200:260, 220:300, :3])
    assert [state for state, _text in busy] == [True, False] and not model.busy
    assert busy[-1][1].startswith("done in")
    assert np.array_equal(model.document.image, before)  # staged, not applied: the canvas accepts it


def test_without_a_mask_the_run_is_refused(qtbot, runner):
    choose(runner.model, "opencv-telea", "inpaint")
    refused, busy = record(runner.refused), record(runner.busy_changed)
    assert runner.run() is None
    assert refused and "Paint a mask" in refused[0][1]
    assert not busy and not runner.busy and runner.model.staged is None


def test_samples_are_offered_and_a_random_seed_is_announced(qtbot, runner):
    model = runner.model
    choose(model, "gan-fashion-mnist-28", "sample", seed=None)
    drawn = record(model.seed_drawn)
    with qtbot.waitSignal(runner.samples, timeout=TIMEOUT_MS) as samples:
        runner.run()
    [result] = samples.args
    assert len(result.images) > 1 and model.staged is None
    assert drawn == [(result.request.seed,)]


def test_a_failed_job_says_why(qtbot, runner):
    model = runner.model
    model.document.mask[10:20, 10:20] = 255
    choose(model, "opencv-telea", "inpaint")
    listed = model.model
    card = replace(listed.card, id="removed-since", card_path=Path("removed-since.json"))
    model.select(ModelDescriptor(card=card, tasks=listed.tasks), model.task)  # deleted after listing
    busy = record(runner.busy_changed)
    with qtbot.waitSignal(runner.failed, timeout=TIMEOUT_MS) as failed:
        runner.run()
    message, _details = failed.args
    assert "removed-since" in message and runner.last_error == message
    assert busy[-1] == (False, "failed") and not model.busy and model.staged is None
