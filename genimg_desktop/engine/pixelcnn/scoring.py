"""Exact likelihoods and uncertainties from one teacher-forced forward pass (the network is causal, so
one pass gives every conditional p(x_i | x_<i) of an image at once)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from genimg_desktop.engine.pixelcnn.heads import LN2, levels_to_unit
from genimg_desktop.engine.pixelcnn.network import PixelCNN

BATCH = 64  # images per forward pass when scoring many


@dataclass(frozen=True)
class Scores:
    """Per image of a batch: log p in nats (B,), per-pixel NLL and predictive entropy in bits (B, H, W)."""

    log_prob: torch.Tensor
    nll_bits: torch.Tensor
    entropy_bits: torch.Tensor

    def bits_per_dim(self, channels: int) -> torch.Tensor:
        """(B,) the NLL in bits per sub-pixel."""
        height, width = self.nll_bits.shape[1:]
        return -self.log_prob / (LN2 * channels * height * width)


def score(net: PixelCNN, levels: torch.Tensor, labels: torch.Tensor | None) -> Scores:
    """Scores of levels (B, C, H, W) under the given classes (B,) or unconditionally."""
    out = net(levels_to_unit(levels), labels)
    log_map = net.log_prob_from(out, levels, labels)  # (B, H, W) nats
    entropy = net.head.entropy(out, levels)  # of each pixel given the rest (and the small picture)
    return Scores(log_map.sum(dim=(1, 2)), -log_map / LN2, entropy / LN2)


def log_prob(net: PixelCNN, levels: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
    """log p(x | y) in nats (N,) for many images, in batches; labels None on a conditional net: the
    marginal p(x) with a uniform class prior."""
    parts = []
    for start in range(0, levels.shape[0], BATCH):
        chunk = levels[start : start + BATCH]
        if labels is not None:
            parts.append(_log_prob(net, chunk, labels[start : start + BATCH]))
        else:
            prior = math.log(max(net.config.num_classes, 1))  # uniform over classes
            parts.append(class_log_probs(net, chunk).logsumexp(dim=1) - prior)
    return torch.cat(parts)


def class_log_probs(net: PixelCNN, levels: torch.Tensor) -> torch.Tensor:
    """log p(x | y) for every class y, (B, num_classes); (B, 1) for an unconditional net."""
    if net.config.num_classes == 0:
        return _log_prob(net, levels, None)[:, None]
    columns = []
    for y in range(net.config.num_classes):
        labels = torch.full((levels.shape[0],), y, dtype=torch.long, device=levels.device)
        columns.append(_log_prob(net, levels, labels))
    return torch.stack(columns, dim=1)


def _log_prob(net: PixelCNN, levels: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
    return net.log_prob_map(levels, labels).sum(dim=(1, 2))


def bits_per_dim(net: PixelCNN, levels: torch.Tensor, labels: torch.Tensor | None) -> float:
    """Mean NLL in bits per sub-pixel over all images (N, C, H, W)."""
    total = log_prob(net, levels, labels).double().sum().item()
    return -total / (LN2 * levels.numel())
