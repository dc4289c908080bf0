"""Model files are untrusted: pickles with code are refused unrun; bad checksums, truncated files and
weights of another architecture each give one clear ModelLoadError. Loaded through the registry."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save_file
from torch import nn

from genimg_desktop.core import hash_cache, paths
from genimg_desktop.core.params import TaskSpec
from genimg_desktop.engine.base import GenerationModel
from genimg_desktop.engine.registry import FAMILIES, ModelRegistry
from genimg_desktop.engine.weights import ModelLoadError, load_weights


class TinyNet(nn.Module):
    def __init__(self, width: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, width, 3)
        self.norm = nn.BatchNorm2d(width)  # has buffers too: they must be in the file as well
        self.head = nn.Linear(width, 2)


class TinyFamily(GenerationModel):
    """Test-only family whose architecture (width) comes from the card, like real ones."""

    family = "test-tiny"

    @classmethod
    def task_specs(cls, card):
        return (TaskSpec("sample", "Sample"),)

    def load(self) -> None:
        self.net = self.load_state(TinyNet(int(self.card.config.get("width", 4))))

    def _run(self, job):
        return [np.zeros((2, 2, 3), np.uint8)]


def reference_state(width: int = 4) -> dict[str, torch.Tensor]:
    torch.manual_seed(0)
    return {k: v.clone() for k, v in TinyNet(width).state_dict().items()}


@pytest.fixture
def install(monkeypatch):
    """install(file_name, write=callable(path) | state dict, **card) -> ModelRegistry with model 'tiny'."""
    monkeypatch.setitem(FAMILIES, "test-tiny", TinyFamily)

    def install(name: str, content, **card) -> ModelRegistry:
        folder = paths.user_models_dir()
        weights = folder / name
        if callable(content):
            content(weights)
        elif weights.suffix == ".safetensors":
            save_file(content, str(weights))
        else:
            torch.save(content, weights)
        fields = {"id": "tiny", "family": "test-tiny", "weights": name, "config": {"width": 4}} | card
        (folder / "tiny.json").write_text(json.dumps(fields), encoding="utf-8")
        registry = ModelRegistry()
        registry.refresh()
        assert registry.errors == []
        return registry

    return install


def loaded_state(model: GenerationModel) -> dict[str, torch.Tensor]:
    return model.net.state_dict()


@pytest.mark.parametrize("name", ["model.safetensors", "model.pt", "model.pth", "model.PTH"])
def test_each_allowed_format_loads(install, name):
    registry = install(name, reference_state())
    model = registry.load("tiny", "cpu")
    for key, value in reference_state().items():
        assert torch.equal(loaded_state(model)[key], value), key
    assert not model.net.training  # eval mode: BatchNorm uses its stored statistics


def test_training_checkpoint_with_state_dict_inside(install):
    registry = install("model.ckpt", {"epoch": 3, "state_dict": reference_state()})
    assert torch.equal(
        loaded_state(registry.load("tiny", "cpu"))["head.bias"], reference_state()["head.bias"]
    )


class Payload:
    """Unpickling this runs code: it writes `marker`. A real attack would do worse."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({str(self.marker)!r}, 'w').write('pwned')",))


def torch_saved(payload: Payload):
    return lambda path: torch.save({"conv.weight": payload}, path)


def raw_pickle(payload: Payload):
    return lambda path: path.write_bytes(pickle.dumps({"conv.weight": payload}))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")  # torch notes the raw pickle's protocol
@pytest.mark.parametrize("writer", [torch_saved, raw_pickle])
def test_pickle_with_a_code_payload_is_refused_and_never_runs(install, tmp_path, writer):
    # First prove the payload is live: plain unpickling does run it.
    control = tmp_path / "control-marker"
    pickle.loads(pickle.dumps(Payload(control)))
    assert control.read_text() == "pwned"

    marker = tmp_path / "marker"
    registry = install("model.pt", writer(Payload(marker)))
    with pytest.raises(ModelLoadError) as caught:
        registry.load("tiny", "cpu")
    message = str(caught.value)
    assert message.startswith("cannot load model 'tiny': model.pt: refused")
    assert "could run on load" in message and len(message.splitlines()) == 1
    assert not marker.exists()


def test_checksum_mismatch(install):
    registry = install("model.safetensors", reference_state(), sha256="ab" * 32)
    with pytest.raises(ModelLoadError, match=r"model.safetensors: checksum does not match the model card"):
        registry.load("tiny", "cpu")


def test_matching_checksum_loads(install, tmp_path):
    probe = tmp_path / "w.safetensors"
    save_file(reference_state(), str(probe))
    digest = hashlib.sha256(probe.read_bytes()).hexdigest()
    registry = install("model.safetensors", lambda path: shutil.copy(probe, path), sha256=digest.upper())
    registry.load("tiny", "cpu")


@pytest.mark.parametrize("suffix", [".safetensors", ".pt"])
@pytest.mark.parametrize("keep", [0, 7, 0.5, -16])
def test_truncated_file(install, tmp_path, suffix, keep):
    whole = tmp_path / f"whole{suffix}"
    if suffix == ".safetensors":
        save_file(reference_state(), str(whole))
    else:
        torch.save(reference_state(), whole)
    data = whole.read_bytes()
    cut = data[: int(len(data) * keep) if isinstance(keep, float) else keep] if keep else b""
    registry = install(f"model{suffix}", lambda path: path.write_bytes(cut))
    with pytest.raises(ModelLoadError, match=rf"model{suffix}: not a readable .*truncated or corrupt"):
        registry.load("tiny", "cpu")


@pytest.mark.parametrize(
    ("state", "card", "message"),
    [
        (
            reference_state(4),
            {"config": {"width": 8}},
            r"wrong shape: conv.weight is \(4, 3, 3, 3\), expected \(8,",
        ),
        ({k: v for k, v in reference_state().items() if k != "head.bias"}, {}, "missing head.bias"),
        (reference_state() | {"extra.weight": torch.zeros(1)}, {}, "unexpected extra.weight"),
        (
            {k: v for k, v in reference_state().items() if k.startswith("conv")},
            {},
            r"missing .* and \d+ more",
        ),
    ],
)
def test_weights_of_another_architecture(install, state, card, message):
    registry = install("model.safetensors", state, **card)
    with pytest.raises(ModelLoadError, match=message) as caught:
        registry.load("tiny", "cpu")
    assert "do not fit this model's architecture" in str(caught.value)
    assert len(str(caught.value).splitlines()) == 1


def test_a_pickle_that_is_not_a_state_dict(install):
    registry = install("model.pt", torch.zeros(3))
    with pytest.raises(ModelLoadError, match="expected a mapping of names to tensors, found Tensor"):
        registry.load("tiny", "cpu")


def test_listing_never_hashes_and_loading_hashes_once(install, monkeypatch, tmp_path):
    hashed = []
    real = hash_cache.hash_file
    monkeypatch.setattr(hash_cache, "hash_file", lambda path: hashed.append(path) or real(path))
    probe = tmp_path / "w.safetensors"
    save_file(reference_state(), str(probe))
    digest = real(probe)
    registry = install("model.safetensors", lambda path: shutil.copy(probe, path), sha256=digest)
    for _ in range(3):
        registry.refresh()
    assert hashed == []
    registry.load("tiny", "cpu")
    registry.load("tiny", "cpu")
    ModelRegistry().load("tiny", "cpu")  # a new registry (or a new run of the app) uses the file cache
    assert len(hashed) == 1
    weights = paths.user_models_dir() / "model.safetensors"
    st = weights.stat()
    os.utime(weights, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # "changed": hashed again
    registry.load("tiny", "cpu")
    assert len(hashed) == 2


def test_a_malformed_sha256_is_reported_at_listing(install, monkeypatch):
    monkeypatch.setitem(FAMILIES, "test-tiny", TinyFamily)
    folder = paths.user_models_dir()
    save_file(reference_state(), str(folder / "w.safetensors"))
    card = {"id": "x", "family": "test-tiny", "weights": "w.safetensors", "sha256": "abc"}
    (folder / "x.json").write_text(json.dumps(card), encoding="utf-8")
    registry = ModelRegistry()
    assert "x" not in {d.id for d in registry.refresh()}
    assert registry.errors == ["x.json: 'sha256' must be 64 hex digits"]


def test_load_weights_directly(tmp_path):
    path = tmp_path / "w.pth"
    torch.save({"a": torch.ones(2)}, path)
    assert load_weights(path)["a"].tolist() == [1, 1]
    with pytest.raises(ModelLoadError, match="weights file is missing"):
        load_weights(tmp_path / "gone.pt")
    with pytest.raises(ModelLoadError, match="not 64 hex digits"):
        load_weights(path, expected_sha256="xyz")
