"""Converting an ncnn model into one of our architectures: recognise the graph, read its settings,
and fill the module's parameters in the graph's order (both follow the original PyTorch module).

The weights keep the precision they were published in (float16 in all the known files): stored that
way in our safetensors they are exactly the original numbers at half the size of float32.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from torch import nn

from genimg_desktop.engine.restore.architectures import build_network
from genimg_desktop.engine.restore.imported.ncnn_file import NcnnFormatError, NcnnModel


@dataclass(frozen=True)
class Converted:
    config: dict[str, Any]  # the card's config: architecture, scale and its own settings
    tensors: dict[str, np.ndarray]  # state_dict name -> array


def convert_ncnn(model: NcnnModel) -> Converted:
    """Our architecture and weights for `model`; NcnnFormatError when the graph is none we know."""
    for recognise in RECOGNISERS:
        config = recognise(model)
        if config is not None:
            return Converted(config, fill(build_network(config), model))
    kinds = sorted({layer.type for layer in model.layers})
    raise NcnnFormatError(
        "not a network this app can convert (known: Real-ESRGAN RRDBNet, SRVGGNetCompact, waifu2x "
        f"upconv_7, Real-CUGAN x2); its layers are {', '.join(kinds)}"
    )


def fill(network: nn.Module, model: NcnnModel) -> dict[str, np.ndarray]:
    """The ncnn arrays under the network's parameter names, in order, each reshaped to the parameter's
    shape (a transposed convolution's weight is stored output-major by ncnn, input-major by torch)."""
    arrays = [(layer, a) for layer in model.layers for a in model.weights.get(layer.name, ())]
    params = list(network.named_parameters())
    if len(arrays) != len(params):
        raise NcnnFormatError(
            f"{len(arrays)} weight arrays for a network with {len(params)}: not this architecture"
        )
    tensors = {}
    for (name, param), (layer, array) in zip(params, arrays, strict=True):
        shape = tuple(param.shape)
        if array.size != param.numel():
            raise NcnnFormatError(f"layer {layer.name}: {array.size} numbers for {name} of shape {shape}")
        if layer.type == "Deconvolution" and param.dim() == 4:
            array = array.reshape(shape[1], shape[0], *shape[2:]).transpose(1, 0, 2, 3)
        tensors[name] = np.ascontiguousarray(array.reshape(shape))
    return tensors


def _conv_outputs(model: NcnnModel) -> list[int]:
    return [int(layer.get(0)) for layer in model.of_type("Convolution")]


def _interp_scales(model: NcnnModel, mode: int) -> list[float]:
    return [float(layer.get(1, 1.0)) for layer in model.of_type("Interp") if int(layer.get(0)) == mode]


def recognise_rrdbnet(model: NcnnModel) -> dict[str, Any] | None:
    """ESRGAN's generator: dense blocks (Concat + Eltwise with 0.2 residual scaling), two nearest x2."""
    outputs = _conv_outputs(model)
    if not model.of_type("Concat") or _interp_scales(model, 1) != [2.0, 2.0] or len(outputs) < 21:
        return None
    blocks, rest = divmod(len(outputs) - 6, 15)
    if rest:
        return None
    return {
        "architecture": "rrdbnet",
        "scale": 4,
        "num_feat": outputs[0],
        "num_block": blocks,
        "num_grow": outputs[1],
    }


def recognise_srvgg(model: NcnnModel) -> dict[str, Any] | None:
    """Real-ESRGAN's compact net: Conv+PReLU pairs, a pixel shuffle, the input added nearest-upsampled;
    a trailing bicubic Interp (the published x2/x3) scales the x4 result down."""
    shuffles = model.of_type("PixelShuffle")
    if not model.of_type("PReLU") or len(shuffles) != 1:
        return None
    net_scale = int(shuffles[0].get(0))
    bicubic = _interp_scales(model, 3)
    scale = round(net_scale * bicubic[0]) if bicubic else net_scale
    outputs = _conv_outputs(model)
    return {
        "architecture": "srvgg-compact",
        "scale": scale,
        "net_scale": net_scale,
        "num_feat": outputs[0],
        "num_conv": len(outputs) - 2,
    }


def recognise_upconv7(model: NcnnModel) -> dict[str, Any] | None:
    """waifu2x upconv_7: six unpadded convolutions and one 4x4 stride-2 deconvolution."""
    deconvs = model.of_type("Deconvolution")
    convs = model.of_type("Convolution")
    if len(deconvs) != 1 or len(convs) != 6 or any(int(c.get(4)) for c in convs):
        return None
    return {"architecture": "upconv7", "scale": 2, "channels": _conv_outputs(model)}


def recognise_cugan(model: NcnnModel) -> dict[str, Any] | None:
    """Real-CUGAN x2: two U-Nets (unpadded convolutions, Crop skips), the first ending in a 4x4
    stride-2 deconvolution to 3 channels; squeeze-excitation (Pooling + InnerProduct) in "se"."""
    bottoms = [d for d in model.of_type("Deconvolution") if int(d.get(0)) == 3]
    if len(model.of_type("Crop")) != 4 or len(bottoms) != 1 or len(model.of_type("Convolution")) != 18:
        return None
    if (int(bottoms[0].get(1)), int(bottoms[0].get(3)), int(bottoms[0].get(4))) != (4, 2, 3):
        return None  # the x3 and x4 networks upsample differently
    return {"architecture": "cugan", "scale": 2, "se": bool(model.of_type("InnerProduct"))}


RECOGNISERS: tuple[Callable[[NcnnModel], dict[str, Any] | None], ...] = (
    recognise_rrdbnet,
    recognise_srvgg,
    recognise_upconv7,
    recognise_cugan,
)
