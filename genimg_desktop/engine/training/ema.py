"""The exponential moving average of a network's weights that the shipped models are: one update rule
for every family's trainer."""

from __future__ import annotations

import torch
from torch import nn


@torch.no_grad()
def update_ema(average: nn.Module, live: nn.Module, step: int, decay: float, buffers: bool = False) -> None:
    """Move `average`'s parameters towards `live`'s. Early on the decay is lower (warm-up: the average
    must follow the fast-moving weights, not the random start). `buffers` also copies the live
    network's buffers (e.g. batch-norm running statistics), which are not averaged."""
    rate = 1 - min(decay, (1 + step) / (10 + step))
    for kept, current in zip(average.parameters(), live.parameters(), strict=True):
        kept.lerp_(current, rate)
    if buffers:
        for kept, current in zip(average.buffers(), live.buffers(), strict=True):
            kept.copy_(current)
