"""Completions: sample the unknown pixels several times, rank by likelihood, measure uncertainty."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from genimg_desktop.engine.pixelcnn import sampling, scoring
from genimg_desktop.engine.pixelcnn.imaging import heatmap
from genimg_desktop.engine.pixelcnn.network import PixelCNN


@dataclass(frozen=True)
class Completions:
    """Completions of one image at the model size, best (most likely) first."""

    levels: torch.Tensor  # (N, C, S, S)
    log_prob: list[float]  # log p(image) in nats: the ranking key
    bits_per_dim: list[float]
    hole_bits: list[float]  # -log2 p of the resampled pixels given the rest before them
    uncertainty: list[np.ndarray]  # (S, S) float32 entropy in bits, 0 where the pixel was kept
    order: list[int]  # index of each completion in the sampled batch

    def info(self, maps: list[np.ndarray], box: tuple[int, int, int, int], channels: int) -> dict[str, Any]:
        """What the result's info carries; `maps` are the uncertainty maps as laid over the result
        images in `box` (y0, y1, x0, x1), so the UI can overlay them where they belong."""
        top = 8.0 * channels  # entropy of a uniformly random pixel: the top of the colour scale
        return {
            "ranking": "log-likelihood of the completed model-size image, best first",
            "log_likelihood_nats": self.log_prob,
            "bits_per_dim": self.bits_per_dim,
            "hole_bits": self.hole_bits,
            # Stacked arrays, not lists: result.metadata() drops arrays but would try to save a list.
            "uncertainty_bits": np.stack(maps).astype(np.float32),  # (N, h, w)
            "uncertainty_rgb": np.stack([heatmap(m, top) for m in maps]),  # (N, h, w, 3) uint8
            "uncertainty_box": list(box),
            "uncertainty_max_bits": top,
        }


def complete_ranked(
    net: PixelCNN,
    levels: torch.Tensor,
    known: torch.Tensor,
    labels: torch.Tensor | None,
    count: int,
    generator: torch.Generator,
    temperature: float,
    on_row: sampling.RowCallback | None = None,
    guidance: float = 1.0,
) -> Completions:
    """`count` completions of levels (C, S, S) where known (S, S) is False; labels (count,) or None."""
    device = next(net.parameters()).device
    batch = levels[None].expand(count, -1, -1, -1).clone()
    out = sampling.complete(
        net, batch, known[None].expand(count, -1, -1), labels, generator, temperature, on_row, guidance
    )
    scores = scoring.score(net, out, labels)
    unknown = (~known).to(device)[None]  # (1, S, S)
    order = scores.log_prob.argsort(descending=True).tolist()
    entropy = (scores.entropy_bits * unknown).float().cpu().numpy()
    hole = (scores.nll_bits * unknown).sum(dim=(1, 2))
    return Completions(
        levels=out[order],
        log_prob=[float(scores.log_prob[i]) for i in order],
        bits_per_dim=[float(v) for v in scores.bits_per_dim(net.config.channels)[order]],
        hole_bits=[float(hole[i]) for i in order],
        uncertainty=[entropy[i] for i in order],
        order=order,
    )
