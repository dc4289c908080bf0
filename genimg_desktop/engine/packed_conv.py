"""Inference convolutions whose weights are reordered once, when a model loads, into oneDNN's layout.

On the CPU torch hands every convolution to oneDNN with the weight in torch's plain layout, and
oneDNN reorders that weight into its blocked layout on each call. For one image the reorder costs as
much as the arithmetic: the emoji GAN's 4x4 transposed convolution from 256 to 128 channels on a 4x4
map took 187 us in bfloat16 with a plain weight and 55 us with a prepacked one, and the Fashion
GAN's whole synthesis went from 312 to 244 us. Reordering once at load time is what torch.compile's
"freezing" does; the prepacked oneDNN operators it calls are used here directly, without a compiler.

The prepacked path runs only where this torch build has those operators (a CPU, oneDNN compiled
in); anywhere else (CUDA, MPS, another build) and if packing fails, torch's own functions run.
Both give the same numbers (tested), so a seed draws the same image either way. The weights are
packed for one image, the interactive case; larger batches run through the same packed weights
(measured no slower than torch's functions at batch 16).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

# oneDNN's post-op names and torch's equivalent for the fallback path
ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "none": lambda x: x,
    "relu": torch.relu,
    "tanh": torch.tanh,
    "swish": F.silu,
}
_OPS = (
    "_reorder_convolution_weight",
    "_reorder_convolution_transpose_weight",
    "_convolution_pointwise",
    "_convolution_transpose_pointwise",
)


def onednn_available(weight: torch.Tensor) -> bool:
    """True when `weight` lives on a CPU and this torch build has oneDNN's prepacked operators."""
    if weight.device.type != "cpu" or not torch.backends.mkldnn.is_available():
        return False
    return all(hasattr(torch.ops.mkldnn, name) for name in _OPS)


class _PackedConvolution:
    """The shared part: the weight packed for inputs of `input_shape` (N, C, H, W) when oneDNN can,
    else kept plain for torch's function. Square stride and padding, no dilation, no groups."""

    def __init__(
        self,
        weight: torch.Tensor,
        bias: torch.Tensor | None,
        input_shape: Sequence[int],
        stride: int = 1,
        padding: int = 0,
        activation: str = "none",
    ) -> None:
        self.weight, self.bias = weight.detach(), None if bias is None else bias.detach()
        self.stride, self.padding, self.activation = [stride] * 2, [padding] * 2, activation
        self._act = ACTIVATIONS[activation]  # KeyError for a name oneDNN would not know either
        self.packed: torch.Tensor | None = None
        if onednn_available(self.weight):
            self.packed = self._checked_pack(list(input_shape))

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self._act(self._plain(x)) if self.packed is None else self._prepacked(x, self.packed)

    def _checked_pack(self, input_shape: list[int]) -> torch.Tensor | None:
        """The packed weight, if packing works and the packed call gives torch's result on a seeded
        input; else None (torch's path). A build whose oneDNN lacks a kernel for this dtype, shape or
        CPU then costs speed, never a wrong image."""
        probe = torch.randn(input_shape, generator=torch.Generator().manual_seed(0)).to(self.weight.dtype)
        tolerance = 1e-4 if self.weight.dtype == torch.float32 else 5e-2
        try:
            with torch.no_grad():
                packed = self._pack(input_shape)
                fast, plain = self._prepacked(probe, packed).float(), self._act(self._plain(probe)).float()
        except RuntimeError:
            return None
        return packed if torch.allclose(fast, plain, rtol=tolerance, atol=tolerance) else None

    def _pack(self, input_shape: list[int]) -> torch.Tensor:
        raise NotImplementedError

    def _plain(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _prepacked(self, x: torch.Tensor, packed: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


class PackedConv2d(_PackedConvolution):
    """`activation(F.conv2d(x, weight, bias, stride, padding))`."""

    def _pack(self, input_shape: list[int]) -> torch.Tensor:
        return torch.ops.mkldnn._reorder_convolution_weight(
            self.weight, self.padding, self.stride, [1, 1], 1, input_shape
        )

    def _plain(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def _prepacked(self, x: torch.Tensor, packed: torch.Tensor) -> torch.Tensor:
        return torch.ops.mkldnn._convolution_pointwise(
            x, packed, self.bias, self.padding, self.stride, [1, 1], 1, self.activation, [], ""
        )


class PackedConvTranspose2d(_PackedConvolution):
    """`activation(F.conv_transpose2d(x, weight, bias, stride, padding))`, no output padding."""

    def _pack(self, input_shape: list[int]) -> torch.Tensor:
        return torch.ops.mkldnn._reorder_convolution_transpose_weight(
            self.weight, self.padding, [0, 0], self.stride, [1, 1], 1, input_shape
        )

    def _plain(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding)

    def _prepacked(self, x: torch.Tensor, packed: torch.Tensor) -> torch.Tensor:
        return torch.ops.mkldnn._convolution_transpose_pointwise(
            x, packed, self.bias, self.padding, [0, 0], self.stride, [1, 1], 1, self.activation, [], ""
        )


# torch modules that oneDNN can apply after a convolution, by its post-op name
_ACTIVATION_MODULES: dict[type[nn.Module], str] = {nn.ReLU: "relu", nn.Tanh: "tanh", nn.SiLU: "swish"}


def packed_layers(
    layers: Sequence[nn.Module], input_shape: Sequence[int], dtype: torch.dtype = torch.float32
) -> tuple[list[Callable[[torch.Tensor], torch.Tensor]], list[int]]:
    """A chain of Conv2d / ConvTranspose2d modules (square stride and padding, no dilation or
    groups), each optionally followed by a ReLU, Tanh or SiLU module, as packed calls in `dtype`;
    an activation module with no convolution before it becomes torch's function. Raises TypeError
    for any other module. Also returns the chain's output shape for `input_shape`."""
    calls: list[Callable[[torch.Tensor], torch.Tensor]] = []
    shape = list(input_shape)
    index = 0
    while index < len(layers):
        layer = layers[index]
        if type(layer) in _ACTIVATION_MODULES:
            calls.append(ACTIVATIONS[_ACTIVATION_MODULES[type(layer)]])
            index += 1
            continue
        if not isinstance(layer, nn.Conv2d | nn.ConvTranspose2d):
            raise TypeError(f"cannot pack a {type(layer).__name__}")
        following = layers[index + 1] if index + 1 < len(layers) else None
        activation = _ACTIVATION_MODULES.get(type(following), "none")  # type(None): "none"
        calls.append(pack_module(layer, shape, dtype, activation))
        shape = [shape[0], layer.out_channels, *(_output_side(layer, side) for side in shape[2:])]
        index += 1 if activation == "none" else 2
    return calls, shape


def pack_module(
    layer: nn.Conv2d | nn.ConvTranspose2d, shape: Sequence[int], dtype: torch.dtype, activation: str = "none"
) -> _PackedConvolution:
    """One convolution module, with its bias, packed for inputs of `shape`, computing in `dtype`.
    TypeError for a convolution these classes do not express (groups, dilation, output padding,
    unequal sides): refused rather than run as a different function."""
    transposed = isinstance(layer, nn.ConvTranspose2d)
    square = all(
        isinstance(v, tuple) and len(set(v)) == 1 for v in (layer.kernel_size, layer.stride, layer.padding)
    )
    plain = (
        layer.groups == 1
        and set(layer.dilation) == {1}
        and (not transposed or set(layer.output_padding) == {0})
    )
    if not (square and plain):
        raise TypeError(f"cannot pack {layer}: only square, ungrouped, undilated convolutions")
    kind = PackedConvTranspose2d if transposed else PackedConv2d
    bias = None if layer.bias is None else layer.bias.to(dtype)
    stride, padding = layer.stride[0], int(layer.padding[0])
    return kind(layer.weight.to(dtype), bias, shape, stride=stride, padding=padding, activation=activation)


def _output_side(layer: nn.Conv2d | nn.ConvTranspose2d, side: int) -> int:
    kernel, stride, padding = layer.kernel_size[0], layer.stride[0], int(layer.padding[0])
    if isinstance(layer, nn.ConvTranspose2d):
        return (side - 1) * stride - 2 * padding + kernel
    return (side + 2 * padding - kernel) // stride + 1
