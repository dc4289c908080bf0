"""Shared by the GAN and VAE tests: one torch thread, installing a trained tiny model, running tasks."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from genimg_desktop.core.progress import JobControl
from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.engine.base import GenerationModel
from genimg_desktop.engine.registry import ModelRegistry

ModelT = TypeVar("ModelT", bound=GenerationModel)


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Tiny networks gain nothing from threads, and on a shared CPU two threads waiting on each
    other make each step ~20x slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def install_trained(trainer: Any, folder: Path, model_id: str, name: str, classes: tuple[str, ...]) -> Path:
    """What `genimg train` does at the end: weights + card into a models folder."""
    folder.mkdir(parents=True, exist_ok=True)
    weights, config = trainer.export()
    path = folder / f"{model_id}.safetensors"
    save_file(weights, str(path))
    card = {
        "id": model_id,
        "name": name,
        "family": trainer.config.family,
        "weights": path.name,
        "resolution": trainer.config.size,
        "channels": trainer.data.channels,
        "class_names": list(classes),
        "config": config,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }
    (folder / f"{model_id}.json").write_text(json.dumps(card), encoding="utf-8")
    return path


def load_installed(folder: Path, model_id: str, cls: type[ModelT]) -> ModelT:
    loaded = ModelRegistry([(folder, False)]).load(model_id, "cpu")
    assert isinstance(loaded, cls)
    return loaded


def run_task(
    model: GenerationModel, model_id: str, task: str, seed: int, image, mask, control, params: dict
) -> list[np.ndarray]:
    request = GenerationRequest(model_id, task, params, seed, image, mask)
    return model.run(request, control or JobControl()).images


def hole_canvas(
    height: int, width: int, seed: int, rows: slice, cols: slice
) -> tuple[np.ndarray, np.ndarray]:
    """A random colour image and a mask with a rectangular hole."""
    image = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    mask = np.zeros((height, width), np.uint8)
    mask[rows, cols] = 255
    return image, mask
