"""The training loop on a tiny classifier run: files, card, registry, resume, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from genimg_desktop.core import paths
from genimg_desktop.core.hash_cache import hash_file
from genimg_desktop.engine.registry import ModelRegistry
from genimg_desktop.engine.training.checkpoint import CheckpointError
from genimg_desktop.engine.training.events import TrainEvent, TrainingStopped
from genimg_desktop.engine.training.loop import lr_scale, train
from genimg_desktop.engine.training.loss_log import read_log
from tests.engine.training_helpers import tiny_config
from tests.support.tiny_models import VAE_TINY

pytestmark = pytest.mark.usefixtures("shared_dataset_cache")  # decode Fashion-MNIST once


def test_a_run_writes_checkpoint_samples_log_and_a_model_the_registry_loads(tmp_path):
    events: list[TrainEvent] = []
    card_path = train(tiny_config(tmp_path / "run", command="genimg train ..."), events.append)

    assert card_path == paths.user_models_dir() / "tiny-classifier.json"
    assert (tmp_path / "run" / "checkpoint.pt").is_file()
    assert sorted(p.name for p in (tmp_path / "run" / "samples").iterdir()) == [
        "step_000002.png",
        "step_000004.png",
    ]
    assert [row["step"] for row in read_log(tmp_path / "run" / "losses.jsonl")] == [1, 2, 3, 4]
    kinds = [e.kind for e in events]
    assert kinds[0] == "start" and kinds[-1] == "done" and kinds.count("step") == 4
    assert kinds.count("sample") == 2 and events[-1].path == card_path

    card = json.loads(card_path.read_text(encoding="utf-8"))
    weights = paths.user_models_dir() / card["weights"]
    assert card["sha256"] == hash_file(weights)
    assert (card["family"], card["role"], card["dataset"]) == ("classifier", "evaluation", "fashion-mnist")
    assert card["resolution"] == 28 and card["channels"] == 1 and len(card["class_names"]) == 10
    assert card["licence"] and card["metrics"] == {}
    assert card["training"]["steps"] == 4 and card["training"]["command"] == "genimg train ..."
    assert card["training"]["device"] == "CPU" and card["training"]["wall_time_s"] >= 0
    grid = paths.user_models_dir() / card["samples"]  # the last grid, for the model manager
    assert grid.read_bytes() == (tmp_path / "run" / "samples" / "step_000004.png").read_bytes()

    registry = ModelRegistry()
    assert "tiny-classifier" not in {d.id for d in registry.refresh()}  # not for the picker
    found = registry.evaluation_models("fashion-mnist")
    assert [d.id for d in found if not d.builtin] == ["tiny-classifier"] and not found[-1].builtin
    assert all(d.card.dataset == "emoji" for d in registry.evaluation_models("emoji"))
    assert found[-1].card.samples == grid
    model = registry.load("tiny-classifier", "cpu")
    assert model.logits(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
    assert model.features(torch.zeros(2, 1, 32, 32)).shape == (2, 16)  # other sizes are resized


def test_stopping_and_resuming_gives_the_uninterrupted_result(tmp_path):
    straight = train(tiny_config(tmp_path / "a", model_id="straight", checkpoint_every=0))
    asked = iter([False, True])
    with pytest.raises(TrainingStopped) as stopped:
        train(
            tiny_config(tmp_path / "b", model_id="resumed", checkpoint_every=0),
            should_stop=lambda: next(asked),
        )
    assert stopped.value.step == 2 and stopped.value.checkpoint.is_file()
    events: list[TrainEvent] = []
    resumed = train(tiny_config(tmp_path / "b", model_id="resumed", checkpoint_every=0), events.append)

    assert events[0].message == "resuming from step 2" and events[1].step == 3
    a = load_file(straight.with_suffix(".safetensors"))
    b = load_file(resumed.with_suffix(".safetensors"))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    losses = [
        {k: v for k, v in row.items() if k != "time_s"} for row in read_log(tmp_path / "a" / "losses.jsonl")
    ]
    again = [
        {k: v for k, v in row.items() if k != "time_s"} for row in read_log(tmp_path / "b" / "losses.jsonl")
    ]
    assert losses == again  # same batches, same losses, each step logged once


def test_more_steps_continue_a_finished_run(tmp_path):
    train(tiny_config(tmp_path / "run", steps=2))
    events: list[TrainEvent] = []
    train(tiny_config(tmp_path / "run", steps=3), events.append)
    assert events[0].message == "resuming from step 2"
    assert [e.step for e in events if e.kind == "step"] == [3]


def test_the_learning_rate_falls_linearly_from_the_decay_step():
    config = tiny_config(Path("unused"), steps=10, lr_decay_from=6)
    assert [lr_scale(step, config) for step in range(5, 11)] == [1.0, 1.0, 1.0, 0.75, 0.5, 0.25]
    assert lr_scale(10, tiny_config(Path("unused"), steps=10)) == 1.0  # no decay asked


def test_a_falling_learning_rate_added_on_resume_equals_a_straight_run(tmp_path):
    def vae(out: str, model_id: str, **changes) -> Path:
        config = tiny_config(tmp_path / out, family="vae", extra=dict(VAE_TINY), model_id=model_id, **changes)
        return train(config)

    straight = vae("a", "straight", steps=6, lr_decay_from=3)
    vae("b", "first-part", steps=3)  # finished with a constant rate; then fine-tuned with a falling one
    resumed = vae("b", "resumed", steps=6, lr_decay_from=3)
    constant = vae("c", "constant", steps=6)
    a, b, c = (load_file(card.with_suffix(".safetensors")) for card in (straight, resumed, constant))
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not all(torch.equal(a[k], c[k]) for k in a)  # the schedule did change the training
    assert json.loads(resumed.read_text())["training"]["lr_decay_from"] == 3


def test_a_family_with_its_own_schedule_refuses_a_decay(tmp_path):
    with pytest.raises(ValueError, match="sets its own learning rate"):
        train(tiny_config(tmp_path / "run", lr_decay_from=2))
    with pytest.raises(ValueError, match="lr-decay-from must be"):
        train(tiny_config(tmp_path / "run", family="vae", extra=dict(VAE_TINY), lr_decay_from=4))
    assert not (tmp_path / "run").exists()


def test_a_checkpoint_of_a_different_run_is_refused(tmp_path):
    train(tiny_config(tmp_path / "run", steps=2))
    with pytest.raises(CheckpointError, match="lr 0.001 -> 0.01"):
        train(tiny_config(tmp_path / "run", steps=2, lr=1e-2))


def test_bad_requests_fail_before_any_work(tmp_path):
    with pytest.raises(ValueError, match="no trainer for family 'nope'.*classifier"):
        train(tiny_config(tmp_path / "run", family="nope"))
    with pytest.raises(ValueError, match="built-in model"):
        train(tiny_config(tmp_path / "run", model_id="opencv-telea"))
    with pytest.raises(ValueError, match="model id"):
        train(tiny_config(tmp_path / "run", model_id="../evil"))
    assert not (tmp_path / "run").exists()
