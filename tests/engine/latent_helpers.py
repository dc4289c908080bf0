"""Shared by the GAN and VAE tests: one torch thread, loading an installed tiny model, running tasks.

The tiny models themselves (and installing one) are in tests/support/tiny_models.py."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import numpy as np
import pytest
import torch

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
