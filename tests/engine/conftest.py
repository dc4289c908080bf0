"""Fixtures for engine tests: a hole on the test photo, a card writer, the user models folder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from genimg_desktop.core import paths


@pytest.fixture
def hole_mask(photo_rgb: np.ndarray) -> np.ndarray:
    """A 40x60 hole on the astronaut's suit, away from the borders."""
    mask = np.zeros(photo_rgb.shape[:2], np.uint8)
    mask[300:340, 200:260] = 255
    return mask


@pytest.fixture
def user_models() -> Path:
    return paths.user_models_dir()


@pytest.fixture
def write_card() -> Callable[..., Path]:
    """write_card(folder, file_stem, **card_fields) -> path of the JSON card."""

    def write(folder: Path, stem: str, **fields) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{stem}.json"
        path.write_text(json.dumps(fields), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def _prepared_datasets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prepared_datasets")


@pytest.fixture
def shared_dataset_cache(_prepared_datasets: Path, isolated_home: Path) -> Path:
    """This test's prepared-dataset cache is one folder shared by the session, so Fashion-MNIST is
    decoded once rather than once per test (subprocesses with this GENIMG_HOME share it too)."""
    cache = isolated_home / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "datasets").symlink_to(_prepared_datasets, target_is_directory=True)
    return _prepared_datasets
