"""Converting the community's PyTorch checkpoints (`.pth`, read with the weights-only unpickler) of
ESRGAN/RRDBNet and SRVGGNetCompact into our modules' parameter names.

Layouts understood (the original repositories'): BasicSR / Real-ESRGAN (`conv_first`, `body.N.rdb1`,
`conv_body`, ..., optionally under "params_ema" or "params"), ESRGAN's 2019 "new arch"
(`RRDB_trunk`, `trunk_conv`, `upconv1`, `HRconv`), ESRGAN's first release and the old community
models (`model.0`, `model.1.sub.N.RDB1.conv1.0`, `model.3`...), and SRVGGNetCompact (`body.N`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genimg_desktop.engine.restore.architectures import build_network
from genimg_desktop.engine.restore.imported.from_ncnn import Converted
from genimg_desktop.engine.weights import ModelLoadError, load_into, load_pickle

WRAPPERS = ("params_ema", "params", "state_dict", "model")

_NEW_ARCH = (
    (r"^RRDB_trunk\.", "body."),
    (r"\.RDB([123])\.", r".rdb\1."),
    (r"^trunk_conv\.", "conv_body."),
    (r"^upconv([12])\.", r"conv_up\1."),
    (r"^HRconv\.", "conv_hr."),
)
_OLD_ARCH = (
    (r"^model\.0\.", "conv_first."),
    (r"^model\.1\.sub\.(\d+)\.RDB([123])\.conv(\d)\.0\.", r"body.\1.rdb\2.conv\3."),
    (r"^model\.3\.", "conv_up1."),
    (r"^model\.6\.", "conv_up2."),
    (r"^model\.8\.", "conv_hr."),
    (r"^model\.10\.", "conv_last."),
)


def convert_pth(path: Path) -> Converted:
    """Our architecture and weights for the checkpoint at `path`; ModelLoadError saying why not."""
    path = Path(path)
    state = _state_dict(load_pickle(path), path.name)
    if "conv_first.weight" in state or "RRDB_trunk.0.RDB1.conv1.weight" in state or "model.0.weight" in state:
        state = _rrdb_names(state)
        config = _rrdb_config(state, path.name)
    elif "body.0.weight" in state:
        config = _srvgg_config(state, path.name)
    else:
        raise ModelLoadError(
            f"{path.name}: not an ESRGAN/RRDBNet or SRVGGNetCompact checkpoint (its first keys: "
            f"{', '.join(list(state)[:3])})"
        )
    load_into(build_network(config), state, path.name)  # every key and shape checked, one message
    return Converted(config, {name: _array(tensor) for name, tensor in state.items()})


def _state_dict(loaded: Any, name: str) -> dict[str, torch.Tensor]:
    for key in WRAPPERS:  # BasicSR saves {"params_ema": ..., "params": ...}: the EMA is the one to use
        if isinstance(loaded, Mapping) and isinstance(loaded.get(key), Mapping):
            loaded = loaded[key]
            break
    if not isinstance(loaded, Mapping) or not all(torch.is_tensor(v) for v in loaded.values()):
        raise ModelLoadError(f"{name}: expected a mapping of names to tensors")
    return {str(k).removeprefix("module."): v for k, v in loaded.items()}


def _rrdb_names(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    if "model.0.weight" in state:
        blocks = {int(m.group(1)) for k in state if (m := re.match(r"model\.1\.sub\.(\d+)\.RDB", k))}
        trunk = f"model.1.sub.{len(blocks)}."  # the conv after the last block
        rules = ((rf"^{re.escape(trunk)}", "conv_body."), *_OLD_ARCH)
    elif "RRDB_trunk.0.RDB1.conv1.weight" in state:
        rules = _NEW_ARCH
    else:
        return state
    renamed = {}
    for key, value in state.items():
        for pattern, replacement in rules:
            key = re.sub(pattern, replacement, key)
        renamed[key] = value
    return renamed


def _rrdb_config(state: Mapping[str, torch.Tensor], name: str) -> dict[str, Any]:
    first = state.get("conv_first.weight")
    if first is None or first.dim() != 4 or first.shape[1] != 3 or "conv_up2.weight" not in state:
        raise ModelLoadError(f"{name}: only x4 ESRGAN/RRDBNet networks (RGB in, two x2 steps) are supported")
    blocks = {int(m.group(1)) for k in state if (m := re.match(r"body\.(\d+)\.", k))}
    return {
        "architecture": "rrdbnet",
        "scale": 4,
        "num_feat": int(first.shape[0]),
        "num_block": len(blocks),
        "num_grow": int(state["body.0.rdb1.conv1.weight"].shape[0])
        if "body.0.rdb1.conv1.weight" in state
        else 32,
    }


def _srvgg_config(state: Mapping[str, torch.Tensor], name: str) -> dict[str, Any]:
    convs = [k for k, v in state.items() if k.startswith("body.") and k.endswith(".weight") and v.dim() == 4]
    slopes = [k for k, v in state.items() if k.startswith("body.") and k.endswith(".weight") and v.dim() == 1]
    if len(convs) < 3 or len(slopes) != len(convs) - 1:
        raise ModelLoadError(f"{name}: only SRVGGNetCompact networks with PReLU activations are supported")
    last = state[max(convs, key=lambda k: int(k.split(".")[1]))]
    net_scale = math.isqrt(last.shape[0] // 3)
    if 3 * net_scale * net_scale != last.shape[0]:
        raise ModelLoadError(f"{name}: a last layer of {last.shape[0]} channels is not 3 x scale²")
    return {
        "architecture": "srvgg-compact",
        "scale": net_scale,
        "net_scale": net_scale,
        "num_feat": int(state["body.0.weight"].shape[0]),
        "num_conv": len(convs) - 2,
    }


def _array(tensor: torch.Tensor) -> np.ndarray:
    tensor = tensor.detach().cpu()
    if tensor.dtype not in (torch.float16, torch.float32):
        tensor = tensor.float()  # bfloat16/float64 checkpoints: stored as float32
    return np.ascontiguousarray(tensor.numpy())
