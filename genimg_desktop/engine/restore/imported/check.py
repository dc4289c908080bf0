"""How far a converted network is from its ncnn original: both run on the same small picture, the
largest absolute difference of their outputs (0..1 scale). Needs the `ncnn` package (a test
dependency); the app itself never runs ncnn."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from genimg_desktop.engine.restore.architectures import build_network
from genimg_desktop.engine.restore.imported.from_ncnn import Converted
from genimg_desktop.engine.restore.imported.ncnn_reference import run_ncnn


def sample_picture(height: int = 24, width: int = 28, seed: int = 0) -> torch.Tensor:
    """(1, 3, H, W) in 0..1: smooth colour blobs with some edges, like a small crop of a picture."""
    rng = np.random.default_rng(seed)
    coarse = torch.from_numpy(rng.random((1, 3, height // 4, width // 4), dtype=np.float32))
    smooth = F.interpolate(coarse, size=(height, width), mode="bicubic", align_corners=False)
    edges = torch.from_numpy((rng.random((1, 3, height, width)) > 0.9).astype(np.float32)) * 0.3
    return (smooth + edges).clamp(0, 1)


def network_from(converted: Converted) -> torch.nn.Module:
    network = build_network(converted.config)
    state = {name: torch.from_numpy(array) for name, array in converted.tensors.items()}
    network.load_state_dict(state)
    return network.eval()


def max_difference(
    param: Path, weights: Path, converted: Converted, picture: torch.Tensor | None = None
) -> float:
    """max |ours - ncnn| on `picture` (default: sample_picture())."""
    picture = sample_picture() if picture is None else picture
    network = network_from(converted)
    with torch.no_grad():
        ours = network(picture)[0].numpy()
    pad = int(getattr(network, "prepad", 0))
    given = F.pad(picture, (pad,) * 4, mode="replicate") if pad else picture
    reference = run_ncnn(param, weights, given[0].numpy())
    if reference.shape != ours.shape:
        raise ValueError(f"ncnn gives {reference.shape}, the converted network {ours.shape}")
    return float(np.abs(ours - reference).max())
