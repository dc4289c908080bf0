"""Shared by the test_training_* files: a classifier run small enough to train in a second."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from genimg_desktop.engine.training.family_trainer import TrainConfig

TINY = {"widths": [8, 16], "blocks": 1, "hidden": 16}


def tiny_config(out: Path, **changes: Any) -> TrainConfig:
    """A 4-step classifier run on 64 Fashion-MNIST images."""
    fields: dict[str, Any] = {
        "family": "classifier",
        "data": "fashion-mnist",
        "size": 28,
        "out": out,
        "steps": 4,
        "batch_size": 16,
        "lr": 1e-3,
        "limit": 64,
        "sample_every": 2,
        "checkpoint_every": 2,
        "model_id": "tiny-classifier",
        "extra": dict(TINY),
        "device": "cpu",
    }
    fields.update(changes)
    return TrainConfig(**fields)
