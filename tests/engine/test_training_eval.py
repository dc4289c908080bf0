"""`genimg eval`: the metrics' JSON, with a stand-in generator whose samples are real images."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
import torch

from genimg_desktop import cli
from genimg_desktop.core import paths
from genimg_desktop.core.params import ParamSpec, TaskSpec
from genimg_desktop.engine.base import GenerationModel
from genimg_desktop.engine.evaluation import EvalOptions, evaluate
from genimg_desktop.engine.registry import FAMILIES, ModelRegistry
from genimg_desktop.engine.training.batches import to_unit_range
from genimg_desktop.engine.training.data import load_dataset
from genimg_desktop.engine.training.loop import train
from tests.engine.training_helpers import tiny_config

pytestmark = pytest.mark.usefixtures("shared_dataset_cache")  # decode Fashion-MNIST once


class EchoModel(GenerationModel):
    """Implements the evaluation API (see engine/evaluation/__init__.py) without a network: its
    "samples" are training images of the asked class, so they should score like real ones."""

    family = "test-echo"
    likelihood_note = "echo: the bits/dim of a uniform distribution"  # evaluate passes it on

    @classmethod
    def task_specs(cls, card: Any) -> tuple[TaskSpec, ...]:
        return (TaskSpec("sample", "Sample", params=(ParamSpec("brightness", "float", 0.0),)),)

    def load(self) -> None:
        data = load_dataset("fashion-mnist", 28, "train", limit=300)
        self.images = to_unit_range(torch.from_numpy(data.images.transpose(0, 3, 1, 2).copy()))
        self.labels = torch.as_tensor(data.labels)

    def _run(self, *args: Any) -> list[np.ndarray]:
        raise NotImplementedError

    def sample_tensor(
        self, count: int, class_index: int | None, generator: torch.Generator, settings=None
    ) -> torch.Tensor:
        pool = self.images[self.labels == class_index]
        picked = pool[torch.randint(len(pool), (count,), generator=generator)]
        return (picked + self.sampling_settings(settings)["brightness"]).clamp(-1, 1)

    def bits_per_dim(self, images: np.ndarray, labels: np.ndarray | None = None) -> float:
        assert images.dtype == np.uint8 and images.shape[1:] == (28, 28, 1) and labels is not None
        return 8.0  # a uniform distribution over the 256 levels

    def elbo_bits_per_dim(self, images: np.ndarray, labels: Any = None, generator: Any = None) -> float:
        assert isinstance(generator, torch.Generator) and len(images) == len(labels)
        return 8.5


@pytest.fixture(autouse=True)
def _echo_family(monkeypatch):
    """Cards of the family "test-echo" load as EchoModel."""
    monkeypatch.setitem(FAMILIES, EchoModel.family, EchoModel)


def _write_echo_card() -> None:
    names = list(load_dataset("fashion-mnist", 28, "test", limit=4).class_names)
    card = {"id": "echo", "family": "test-echo", "dataset": "fashion-mnist", "resolution": 28, "channels": 1,
            "class_names": names}  # fmt: skip
    (paths.user_models_dir() / "echo.json").write_text(json.dumps(card), encoding="utf-8")


def test_without_a_classifier_only_likelihoods_are_measured():
    _write_echo_card()
    only_user_models = ModelRegistry([(paths.user_models_dir(), False)])  # no built-in classifiers
    result = evaluate("echo", only_user_models, device="cpu", options=EvalOptions(samples=20, limit=40))
    assert result["bits_per_dim"] == 8.0 and result["elbo_bits_per_dim"] == 8.5
    assert result["notes"][0] == EchoModel.likelihood_note
    assert "fd" not in result and "no evaluation classifier for 'fashion-mnist'" in result["notes"][1]


def test_eval_json_has_every_metric_and_can_go_into_the_card(tmp_path, capsys):
    _write_echo_card()
    train(tiny_config(tmp_path / "clf", steps=2))
    args = ["eval", "--model", "echo", "--json", "--limit", "200", "--samples", "60", "--write-card"]
    args += ["--classifier", "tiny-classifier"]  # not the shipped one: this test must not depend on it
    assert cli.main(args) == 0
    result = json.loads(capsys.readouterr().out)
    expected = {"model", "family", "dataset", "split", "test_images", "seed", "bits_per_dim",
                "elbo_bits_per_dim", "classifier", "classifier_test_accuracy", "samples", "sample_accuracy",
                "sample_accuracy_per_class", "fd", "fd_floor", "fd_images", "fd_reference_images", "device",
                "precision", "wall_s", "notes", "sampling", "per_class", "collapsed",
                "collapse_thresholds"}  # fmt: skip
    assert set(result) == expected
    assert result["classifier"] == "tiny-classifier" and result["test_images"] == 200
    assert result["sampling"] == {"brightness": 0.0}  # the sample task's defaults, stated
    assert result["precision"] == "float32"
    assert result["samples"] >= 60 and len(result["sample_accuracy_per_class"]) == 10
    assert (
        result["fd_images"] == 60
        and result["fd_reference_images"] == 100
        and result["fd"] >= 0
        and result["fd_floor"] >= 0
    )
    # 6 samples a class: those with fewer than k + 2 samples or real test images are left out
    assert len(result["per_class"]) >= 5 and set(result["per_class"]) <= set(
        result["sample_accuracy_per_class"]
    )
    for scores in result["per_class"].values():
        assert set(scores) == {"precision", "recall", "diversity", "fd", "fd_floor"}
    card = json.loads((paths.user_models_dir() / "echo.json").read_text(encoding="utf-8"))
    assert card["metrics"]["fd"] == result["fd"] and card["metrics"]["command"].startswith("genimg eval")

    assert cli.main([*args, "--param", "brightness=0.8"]) == 0  # brighter samples: further away
    bright = json.loads(capsys.readouterr().out)
    assert bright["sampling"] == {"brightness": 0.8} and bright["fd"] > result["fd"]
    card = json.loads((paths.user_models_dir() / "echo.json").read_text(encoding="utf-8"))
    assert card["metrics"]["command"].endswith("--param brightness=0.8")

    assert cli.main([*args, "--classifier", "tiny-classifier"]) == 0  # a second opinion: the same network
    twice = json.loads(capsys.readouterr().out)
    [second] = twice["second_opinions"]
    assert second["agreement"] == 1.0 and second["per_class"] == twice["per_class"]
    card = json.loads((paths.user_models_dir() / "echo.json").read_text(encoding="utf-8"))
    assert card["metrics"]["command"].endswith("--classifier tiny-classifier --classifier tiny-classifier")

    assert cli.main(["eval", "--model", "tiny-classifier", "--json", "--limit", "50"]) == 0
    own = json.loads(capsys.readouterr().out)
    assert 0 <= own["accuracy"] <= 1 and len(own["accuracy_per_class"]) <= 10
