"""`genimg train --init-from`: a run that starts from an existing model's weights."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from genimg_desktop import cli
from genimg_desktop.cli.train import command_line, config_from_args
from genimg_desktop.engine.training.checkpoint import CheckpointError
from genimg_desktop.engine.training.events import TrainEvent, TrainingStopped
from genimg_desktop.engine.training.loop import train
from tests.engine.test_data_folder import picture
from tests.engine.training_helpers import TINY, tiny_config

pytestmark = pytest.mark.usefixtures("shared_dataset_cache")


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A tiny Fashion-MNIST classifier (10 classes) trained 4 steps, in the user's models folder."""
    return train(tiny_config(tmp_path / "source", model_id="source"))


def weights(card: Path) -> dict[str, torch.Tensor]:
    return load_file(str(card.with_suffix(".safetensors")))


def test_a_run_starts_from_the_models_weights_and_settings(source, tmp_path):
    events: list[TrainEvent] = []
    # No --set: the source's architecture settings are inherited. A vanishing rate keeps the weights.
    config = tiny_config(tmp_path / "tuned", model_id="tuned", init_from="source", extra={}, lr=1e-9, steps=1)
    card_path = train(config, events.append)
    before, after = weights(source), weights(card_path)
    assert before.keys() == after.keys()
    assert all(torch.allclose(before[k].float(), after[k].float(), atol=1e-5) for k in before)
    assert "starting from model 'source'" in events[0].message
    training = json.loads(card_path.read_text(encoding="utf-8"))["training"]
    source_card = json.loads(source.read_text(encoding="utf-8"))
    assert training["init_from"] == {"id": "source", "sha256": source_card["sha256"]}
    assert training["settings"] == TINY
    # The same run without --init-from starts from its own initialisation instead.
    scratch = weights(train(tiny_config(tmp_path / "scratch", model_id="scratch", lr=1e-9, steps=1)))
    assert any((before[k].float() - scratch[k].float()).abs().max() > 1e-4 for k in before)


def picture_folder(root: Path) -> Path:
    for cls, offset in (("cats", 0), ("dogs", 100), ("owls", 200)):
        (root / cls).mkdir(parents=True)
        for i in range(6):
            picture(offset + i, size=(32, 32)).save(root / cls / f"{i}.png")
    return root


def test_other_classes_keep_a_fresh_class_layer(source, tmp_path):
    """An artist's 3 classes on a 10-class model: every tensor but the class layer's is taken."""
    folder = picture_folder(tmp_path / "pics")
    events: list[TrainEvent] = []
    config = tiny_config(
        tmp_path / "own", model_id="own", data=str(folder), limit=None, init_from="source", extra={}, steps=2
    )
    card_path = train(config, events.append)
    card = json.loads(card_path.read_text(encoding="utf-8"))
    assert card["class_names"] == ["cats", "dogs", "owls"] and card["channels"] == 1  # the source's
    before, after = weights(source), weights(card_path)
    differing = [k for k in after if after[k].shape != before[k].shape]
    assert differing and all(k in events[0].message for k in differing[:3])
    assert "start fresh" in events[0].message


def test_a_model_that_cannot_start_the_run_is_refused_before_training(source, tmp_path):
    def attempt(**changes):
        with pytest.raises(ValueError, match=changes.pop("match")):
            train(tiny_config(tmp_path / "bad", model_id="bad", **{"init_from": "source", **changes}))

    attempt(match="no model 'nothing'", init_from="nothing")
    attempt(match="is a classifier model, not vae", family="vae")
    attempt(match="works at 28 px", size=32)
    attempt(match="has 1 channel", channels=3)
    attempt(match="do not fit this run", extra={"widths": [16, 32], "blocks": 1, "hidden": 32})
    assert not (tmp_path / "bad" / "checkpoint.pt").exists()


def test_a_resume_must_start_from_the_same_model(source, tmp_path):
    config = tiny_config(tmp_path / "run", model_id="run", init_from="source", extra={})
    with pytest.raises(TrainingStopped):
        train(config, should_stop=lambda: True)
    with pytest.raises(CheckpointError, match="init_from"):
        train(tiny_config(tmp_path / "run", model_id="run"))
    events: list[TrainEvent] = []
    train(config, events.append)  # the same command resumes, from its checkpoint's weights
    assert events[0].message.startswith("resuming from step 1")


def test_a_paused_run_resumes_after_its_source_model_is_gone(source, tmp_path):
    """The checkpoint holds the weights, the inherited settings and the origin: an artist who deleted
    (or replaced) the source model mid-run still finishes, and the card names the original source."""
    sha = json.loads(source.read_text(encoding="utf-8"))["sha256"]
    config = tiny_config(tmp_path / "run", model_id="run", init_from="source", extra={}, steps=3)
    stops = iter([False, True])
    with pytest.raises(TrainingStopped):
        train(config, should_stop=lambda: next(stops))
    for file in (source, source.with_suffix(".safetensors")):
        file.unlink()
    events: list[TrainEvent] = []
    card_path = train(config, events.append)
    assert events[0].message.startswith("resuming from step 2")
    training = json.loads(card_path.read_text(encoding="utf-8"))["training"]
    assert training["init_from"] == {"id": "source", "sha256": sha}
    assert training["settings"] == TINY  # inherited from the source, recorded by the checkpoint
    with pytest.raises(ValueError, match="no model 'source'"):  # a new run does need it
        train(tiny_config(tmp_path / "again", model_id="again", init_from="source", extra={}))


def test_the_recorded_command_keeps_init_from():
    given = "train --family gan --data emoji --size 64 --out run --init-from gan-emoji-64 --id mine"
    args = cli.build_parser().parse_args(shlex.split(given))
    assert "--seed 0 --init-from gan-emoji-64 --id mine" in command_line(args)
    assert config_from_args(args).init_from == "gan-emoji-64"
