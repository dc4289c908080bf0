"""Prepacked oneDNN convolutions give torch's own results, with and without oneDNN."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from genimg_desktop.engine import packed_conv
from genimg_desktop.engine.packed_conv import (
    PackedConv2d,
    PackedConvTranspose2d,
    onednn_available,
    packed_layers,
)
from genimg_desktop.engine.precision import cpu_has_bf16

ONEDNN = onednn_available(torch.zeros(1))
ACTS = {"none": lambda x: x, "relu": torch.relu, "tanh": torch.tanh, "swish": F.silu}


def _inputs(batch: int, channels: int, side: int, dtype: torch.dtype) -> torch.Tensor:
    x = torch.randn(batch, channels, side, side, generator=torch.Generator().manual_seed(batch))
    return x.contiguous(memory_format=torch.channels_last).to(dtype)


def _assert_close(result: torch.Tensor, expected: torch.Tensor, dtype: torch.dtype) -> None:
    # bfloat16 keeps 8 significant bits: both sides round their sums differently
    tolerance = 1e-5 if dtype == torch.float32 else 2e-2
    torch.testing.assert_close(result.float(), expected, atol=tolerance, rtol=tolerance)


DTYPES = [torch.float32] + ([torch.bfloat16] if cpu_has_bf16() else [])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", ["none", "tanh", "swish"])
@pytest.mark.parametrize("batch", [1, 5])  # packed for one image, also run on more
def test_a_packed_convolution_equals_torchs(dtype, activation, batch):
    torch.manual_seed(0)
    weight, bias = torch.randn(6, 8, 3, 3).to(dtype), torch.randn(6).to(dtype)
    conv = PackedConv2d(weight, bias, (1, 8, 10, 10), padding=1, activation=activation)
    assert (conv.packed is not None) == ONEDNN  # the fast path is really taken where it exists
    x = _inputs(batch, 8, 10, dtype)
    expected = ACTS[activation](F.conv2d(x, weight, bias, padding=1)).float()
    _assert_close(conv(x), expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch", [1, 5])
def test_a_packed_transposed_convolution_equals_torchs(dtype, batch):
    torch.manual_seed(0)
    weight = torch.randn(8, 4, 4, 4).to(dtype)  # (in, out, k, k)
    up = PackedConvTranspose2d(weight, None, (1, 8, 7, 7), stride=2, padding=1, activation="relu")
    assert (up.packed is not None) == ONEDNN
    x = _inputs(batch, 8, 7, dtype)
    result = up(x)
    assert result.shape == (batch, 4, 14, 14)
    expected = torch.relu(F.conv_transpose2d(x, weight, stride=2, padding=1)).float()
    _assert_close(result, expected, dtype)


def test_without_onednn_torchs_functions_run(monkeypatch):
    monkeypatch.setattr(packed_conv, "onednn_available", lambda weight: False)
    weight, bias = torch.randn(2, 3, 3, 3), torch.randn(2)
    conv = PackedConv2d(weight, bias, (1, 3, 5, 5), padding=1, activation="tanh")
    assert conv.packed is None
    x = torch.randn(2, 3, 5, 5)
    assert torch.equal(conv(x), torch.tanh(F.conv2d(x, weight, bias, padding=1)))


def test_a_weight_onednn_cannot_pack_falls_back(monkeypatch):
    def refuse(*args: object) -> torch.Tensor:
        raise RuntimeError("unsupported")

    monkeypatch.setattr(PackedConvTranspose2d, "_pack", refuse)
    weight = torch.randn(3, 2, 4, 4)
    up = PackedConvTranspose2d(weight, None, (1, 3, 4, 4), stride=2, padding=1)
    assert up.packed is None
    x = torch.randn(1, 3, 4, 4)
    assert torch.equal(up(x), F.conv_transpose2d(x, weight, stride=2, padding=1))


@pytest.mark.skipif(not ONEDNN, reason="no oneDNN operators in this torch build")
def test_a_packed_kernel_that_computes_wrong_is_not_used(monkeypatch):
    # what a build whose oneDNN mishandles some shape or CPU would do: caught when the model loads
    right = PackedConv2d._prepacked
    monkeypatch.setattr(PackedConv2d, "_prepacked", lambda self, x, packed: right(self, x, packed) + 0.01)
    weight = torch.randn(2, 3, 3, 3)
    conv = PackedConv2d(weight, None, (1, 3, 5, 5), padding=1)
    assert conv.packed is None
    x = torch.randn(1, 3, 5, 5)
    assert torch.equal(conv(x), F.conv2d(x, weight, padding=1))


def test_an_unknown_activation_is_refused():
    with pytest.raises(KeyError):
        PackedConv2d(torch.randn(1, 1, 1, 1), None, (1, 1, 2, 2), activation="gelu-ish")


def test_a_chain_of_modules_packs_into_the_same_function():
    torch.manual_seed(3)
    chain = torch.nn.Sequential(
        torch.nn.SiLU(),  # no convolution before it: torch's function
        torch.nn.ConvTranspose2d(4, 6, 4, stride=2, padding=1),
        torch.nn.SiLU(),
        torch.nn.Conv2d(6, 5, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.Conv2d(5, 2, 4, stride=2, padding=1),
        torch.nn.Tanh(),
        torch.nn.Conv2d(2, 3, 1),
    ).eval()
    calls, shape = packed_layers(list(chain), (1, 4, 6, 6))
    assert len(calls) == 5 and shape == [1, 3, 6, 6]
    x = torch.randn(2, 4, 6, 6)
    result = x
    for call in calls:
        result = call(result)
    with torch.no_grad():
        torch.testing.assert_close(result, chain(x), atol=1e-5, rtol=1e-5)


def test_a_module_that_is_not_a_convolution_is_refused():
    with pytest.raises(TypeError, match="BatchNorm2d"):
        packed_layers([torch.nn.Conv2d(1, 1, 1), torch.nn.BatchNorm2d(1)], (1, 1, 4, 4))


@pytest.mark.parametrize(
    "layer",
    [
        torch.nn.Conv2d(2, 2, 3, groups=2),
        torch.nn.Conv2d(2, 2, 3, dilation=2),
        torch.nn.Conv2d(2, 2, (3, 1)),
        torch.nn.Conv2d(2, 2, 3, padding="same"),
        torch.nn.ConvTranspose2d(2, 2, 4, stride=2, output_padding=1),
    ],
)
def test_a_convolution_the_classes_cannot_express_is_refused(layer):
    with pytest.raises(TypeError, match="cannot pack"):
        packed_layers([layer], (1, 2, 6, 6))
