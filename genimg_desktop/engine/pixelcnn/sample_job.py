"""What a PixelCNN sampler is given: the `SampleJob` (everything that decides the result) and the
per-row callback. Its own module so that the samplers (sampling.py, fast_sampling.py) and guidance.py
share it without importing each other; `sampling.make_job` builds one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class SampleJob:
    levels: torch.Tensor  # (B, C, H, W) int64: known values; unknown ones get overwritten
    known: torch.Tensor  # (B, H, W) bool: True = keep the given value
    labels: torch.Tensor | None  # (B,) int64 class indices, or None (unconditional)
    noise: torch.Tensor  # (B, D, H, W) uniform [0, 1), D = head.noise_dims
    temperature: float = 1.0
    # Classifier-free guidance: 1 samples the model as trained. Otherwise the batch is doubled, the
    # second half with label -1 (unconditional), and both halves take `guidance.draw`'s values.
    guidance: float = 1.0
    gumbel_seed: int | None = None  # guided colour jobs: seeds each row's Gumbel noise (`row_gumbel`)
    # Two-scale networks: context features of the small picture drawn first, (B, K, H, W).
    features: torch.Tensor | None = None


RowCallback = Callable[[int, torch.Tensor], None]  # (finished row, current levels (B, C, H, W))
