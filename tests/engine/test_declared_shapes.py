"""A card's declared network checked against its weights' header before it is built (issue 24)."""

from __future__ import annotations

import struct

import pytest
import torch
from safetensors.torch import save_file
from torch import nn

from genimg_desktop.engine.declared_shapes import build_checked
from genimg_desktop.engine.weights import ModelLoadError, weight_shapes


def _stack(depth: int, width: int = 4) -> nn.Sequential:
    return nn.Sequential(*(nn.Linear(width, width) for _ in range(depth)))


def _header(text: bytes) -> bytes:
    return struct.pack("<Q", len(text)) + text


def _saved(module: nn.Module, path):
    save_file({k: v.contiguous() for k, v in module.state_dict().items()}, str(path))
    return path


def test_a_fitting_network_is_built_for_real(tmp_path):
    weights = _saved(_stack(2), tmp_path / "w.safetensors")
    assert weight_shapes(weights) == {"0.weight": (4, 4), "0.bias": (4,), "1.weight": (4, 4), "1.bias": (4,)}
    built = build_checked(weights, lambda: _stack(2))
    assert all(p.device.type == "cpu" for p in built.parameters())


def test_pickled_weights_give_their_shapes_too(tmp_path):
    path = tmp_path / "w.pt"
    torch.save(_stack(1).state_dict(), path)
    assert weight_shapes(path) == {"0.weight": (4, 4), "0.bias": (4,)}


def test_wider_and_deeper_declarations_are_refused_before_any_memory_is_used(tmp_path):
    weights = _saved(_stack(2), tmp_path / "w.safetensors")
    with pytest.raises(ModelLoadError, match=r"0.weight is \(4, 4\), expected \(100000, 100000\)"):
        build_checked(weights, lambda: _stack(2, width=100_000))  # 40 GB if it were built
    with pytest.raises(ModelLoadError, match="far more tensors"):
        build_checked(weights, lambda: _stack(1_000_000))  # stops long before a million layers
    assert len(_stack(200)) == 200  # the budget ends with the check: other modules build freely


@pytest.mark.parametrize(
    "header",
    [
        struct.pack("<Q", 10**12) + b"{}",  # a header longer than the file
        struct.pack("<Q", 5) + b"nope!",
        _header(b'{"w": {"dtype": "F32", "shape": [-1]}}'),
        _header(b'{"w": {"dtype": "F32", "shape": ["big"]}}'),
        _header(b'{"w": {"dtype": "F32"}}'),
        b"\x01",
    ],
)
def test_lying_headers_are_one_clear_error(tmp_path, header):
    path = tmp_path / "w.safetensors"
    path.write_bytes(header)
    with pytest.raises(ModelLoadError, match="w.safetensors: not a readable safetensors file"):
        weight_shapes(path)


def test_a_deeply_nested_header_is_one_clear_error(tmp_path):
    path = tmp_path / "w.safetensors"
    path.write_bytes(_header(("[" * 100_000 + "]" * 100_000).encode()))
    with pytest.raises(ModelLoadError, match="not a readable safetensors file"):
        weight_shapes(path)
