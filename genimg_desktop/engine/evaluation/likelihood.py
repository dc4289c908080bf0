"""Likelihood metrics from the families that have one: PixelCNN's exact NLL, the VAE's ELBO bound."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

Score = Callable[[np.ndarray, np.ndarray | None], float]


def likelihood_metrics(
    model: Any, images: np.ndarray, labels: np.ndarray | None, seed: int, batch: int
) -> dict[str, float]:
    """{"bits_per_dim": ...} and/or {"elbo_bits_per_dim": ...}, whichever `model` supports, over the
    uint8 images (N, H, W, C); empty when it supports neither."""
    out: dict[str, float] = {}
    exact = getattr(model, "bits_per_dim", None)
    if callable(exact):
        out["bits_per_dim"] = round(batched_mean(exact, images, labels, batch), 4)
    elbo = getattr(model, "elbo_bits_per_dim", None)
    if callable(elbo):
        if "generator" in inspect.signature(elbo).parameters:
            generator = torch.Generator().manual_seed(seed)
            score: Score = lambda x, y: elbo(x, y, generator=generator)  # noqa: E731
        else:  # the family seeds its own posterior samples
            score = elbo
        out["elbo_bits_per_dim"] = round(batched_mean(score, images, labels, batch), 4)
    return out


def batched_mean(score: Score, images: np.ndarray, labels: np.ndarray | None, batch: int) -> float:
    """The per-image mean of `score` over all images, `batch` images per call (it returns batch means)."""
    total = 0.0
    with torch.inference_mode():
        for start in range(0, len(images), batch):
            chunk = images[start : start + batch]
            chunk_labels = None if labels is None else labels[start : start + batch]
            total += float(score(chunk, chunk_labels)) * len(chunk)
    return total / max(len(images), 1)
