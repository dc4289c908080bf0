"""Reading an ncnn model: the `.param` layer graph (text) and the `.bin` weights (raw, in layer order).

Only numpy: the files are data, never run. Format (Tencent/ncnn, docs "param and model file
structure"): the param file is the magic 7767517, "layer_count blob_count", then one line per layer
"Type name n_in n_out in... out... key=value..."; a key -233xx holds an array for key xx as
"count,v1,v2...". The bin file is each weighted layer's arrays in the param's order: a weight array
starts with a 4-byte flag word (0 = float32; 0x01306B47 = float16, padded to 4 bytes), a bias or
slope array is plain float32 without a flag.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAGIC = "7767517"
FP16_TAG = 0x01306B47
MAX_PARAM_BYTES = 2_000_000  # the largest known graph (x4plus) is 116 kB


class NcnnFormatError(ValueError):
    """The files are not an ncnn model this reader understands; the message says why."""


@dataclass(frozen=True)
class Layer:
    type: str
    name: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    params: dict[int, int | float | tuple[float, ...]] = field(default_factory=dict)

    def get(self, key: int, default: int | float = 0) -> int | float:
        value = self.params.get(key, default)
        if isinstance(value, tuple):
            raise NcnnFormatError(f"layer {self.name}: parameter {key} is an array, expected a number")
        return value


@dataclass(frozen=True)
class NcnnModel:
    layers: tuple[Layer, ...]
    weights: dict[str, tuple[np.ndarray, ...]]  # layer name -> its arrays in load order (flat)
    storage: str  # "float16", "float32" or "mixed": how the weight arrays were stored

    def of_type(self, *types: str) -> list[Layer]:
        return [layer for layer in self.layers if layer.type in types]


def read_ncnn(param_path: Path, bin_path: Path) -> NcnnModel:
    """Parse an ncnn pair; NcnnFormatError (naming the file) when it is not one or is damaged."""
    layers = parse_param(Path(param_path))
    data = Path(bin_path).read_bytes()
    reader = _BinReader(data, Path(bin_path).name)
    weights = {layer.name: _load_layer(layer, reader) for layer in layers}
    if reader.offset != len(data):
        raise NcnnFormatError(
            f"{Path(bin_path).name}: {len(data) - reader.offset} bytes left over after the last layer: "
            "the .bin does not belong to this .param"
        )
    kinds = reader.kinds or {"float32"}
    storage = kinds.pop() if len(kinds) == 1 else "mixed"
    return NcnnModel(tuple(layers), {k: v for k, v in weights.items() if v}, storage)


def parse_param(path: Path) -> list[Layer]:
    if path.stat().st_size > MAX_PARAM_BYTES:
        raise NcnnFormatError(f"{path.name}: {path.stat().st_size} bytes is too large for an ncnn .param")
    try:
        lines = path.read_text(encoding="ascii").split("\n")
    except UnicodeDecodeError:
        raise NcnnFormatError(
            f"{path.name}: not a text ncnn .param (a binary .param.bin is not read)"
        ) from None
    lines = [line.strip() for line in lines if line.strip()]
    if not lines or lines[0] != MAGIC:
        raise NcnnFormatError(f"{path.name}: not an ncnn .param (it does not start with {MAGIC})")
    try:
        count = int(lines[1].split()[0])
        layers = [_parse_layer(line) for line in lines[2:]]
    except (IndexError, ValueError) as exc:
        raise NcnnFormatError(f"{path.name}: malformed ncnn .param ({exc})") from None
    if count != len(layers):
        raise NcnnFormatError(f"{path.name}: says {count} layers but has {len(layers)}: truncated?")
    return layers


def _parse_layer(line: str) -> Layer:
    parts = line.split()
    kind, name, n_in, n_out = parts[0], parts[1], int(parts[2]), int(parts[3])
    inputs = tuple(parts[4 : 4 + n_in])
    outputs = tuple(parts[4 + n_in : 4 + n_in + n_out])
    if len(outputs) != n_out:
        raise ValueError(f"layer {name} lists fewer blobs than it says")
    params: dict[int, int | float | tuple[float, ...]] = {}
    for item in parts[4 + n_in + n_out :]:
        key, value = item.split("=", 1)
        k = int(key)
        if k <= -23300:  # an array: "-233xx=count,v1,v2,..."
            values = value.split(",")
            params[-k - 23300] = tuple(float(v) for v in values[1 : 1 + int(values[0])])
        else:
            params[k] = float(value) if any(c in value for c in ".eE") else int(value)
    return Layer(kind, name, inputs, outputs, params)


# Which arrays each weighted layer type loads, in order: (size from params, flagged?)
def _arrays(layer: Layer) -> list[tuple[int, bool]]:
    if layer.type in ("Convolution", "Deconvolution", "ConvolutionDepthWise", "DeconvolutionDepthWise"):
        if layer.get(8):
            raise NcnnFormatError(f"layer {layer.name}: int8-quantised convolutions are not supported")
        bias = [(int(layer.get(0)), False)] if layer.get(5) else []
        return [(int(layer.get(6)), True), *bias]
    if layer.type == "InnerProduct":
        if layer.get(8):
            raise NcnnFormatError(f"layer {layer.name}: int8-quantised layers are not supported")
        bias = [(int(layer.get(0)), False)] if layer.get(1) else []
        return [(int(layer.get(2)), True), *bias]
    if layer.type == "PReLU":
        return [(int(layer.get(0, 0)), False)]
    if layer.type in _WEIGHTLESS:
        return []
    raise NcnnFormatError(f"layer {layer.name}: ncnn layer type {layer.type} is not supported")


_WEIGHTLESS = {
    "Input", "Split", "Concat", "Eltwise", "BinaryOp", "Interp", "PixelShuffle", "Crop", "Pooling",
    "ReLU", "Sigmoid", "Noop", "Reshape", "Permute", "Padding", "Clip", "TanH",
}  # fmt: skip


def _load_layer(layer: Layer, reader: _BinReader) -> tuple[np.ndarray, ...]:
    return tuple(reader.read(size, flagged) for size, flagged in _arrays(layer))


class _BinReader:
    def __init__(self, data: bytes, name: str) -> None:
        self.data, self.name, self.offset = data, name, 0
        self.kinds: set[str] = set()

    def read(self, count: int, flagged: bool) -> np.ndarray:
        dtype = np.dtype("<f4")
        if flagged:
            tag = int(np.frombuffer(self._take(4), "<u4")[0])
            if tag == FP16_TAG:
                dtype = np.dtype("<f2")
            elif tag != 0:
                raise NcnnFormatError(
                    f"{self.name}: weights stored as {tag:#010x} (quantised?) are not supported"
                )
            self.kinds.add(dtype.name)
        size = count * dtype.itemsize
        array = np.frombuffer(self._take(size), dtype).copy()
        self._take(-size % 4)  # float16 arrays are padded to a 4-byte boundary
        return array

    def _take(self, size: int) -> bytes:
        if self.offset + size > len(self.data):
            raise NcnnFormatError(f"{self.name}: ends early (truncated, or not the .bin of this .param)")
        chunk = self.data[self.offset : self.offset + size]
        self.offset += size
        return chunk
