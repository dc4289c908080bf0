"""GAN inpainting: find z (and a soft class) whose image matches the pixels around the hole.

Loss per latent, per known value: squared error / (2 sigma^2) + prior * |z|^2 / 2, i.e. the MAP
objective of a Gaussian pixel model with noise sigma under the N(0, I) prior on z (prior = 1).
With class "auto" the class embedding is a softmax mixture of the learnt class embeddings whose
weights are optimised too, so it stays among real classes while it finds the one that fits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from genimg_desktop.core.progress import JobControl
from genimg_desktop.engine.gan.networks import Generator
from genimg_desktop.engine.latent_inpaint import (
    MIN_STARTS,
    CropFit,
    class_embedding,
    crop_fill,
    crop_target,
    fit_latents,
    ranked_fills,
)

PIXEL_SIGMA = 0.1  # assumed pixel noise (in [-1, 1] units, ~13 of 255 levels) of the reconstruction


def gan_crop_fit(
    net: Generator,
    params: dict[str, Any],
    class_names: tuple[str, ...],
    noise: Callable[..., torch.Tensor],
    control: JobControl,
) -> CropFit:
    """A CropFit (see latent_inpaint) for this generator and the task's parameters."""
    config = net.config
    device = net.stem.weight.device

    def fit(
        crop: np.ndarray, hole: np.ndarray, preview: Callable[[np.ndarray], np.ndarray]
    ) -> list[np.ndarray]:
        target = crop_target(crop, hole, config.resolution, config.channels, device)
        starts = max(params["count"], MIN_STARTS)
        z = noise(starts, config.z_dim).requires_grad_(True)  # (S, Z)
        variables, embedding = class_embedding(net.embed.weight, params["class"], class_names, starts)
        prior = params["prior"]

        def objective() -> tuple[torch.Tensor, torch.Tensor]:
            images = net.synthesis(net.mapping(z), embedding())  # (S, C, R, R)
            error = ((images - target.target) ** 2 * target.known).sum(dim=(1, 2, 3))  # (S,)
            log_prior = 0.5 * (z**2).sum(dim=1)  # (S,) -log N(z; 0, I) up to a constant
            return (error / (2 * PIXEL_SIGMA**2) + prior * log_prior) / target.known_count, images

        def show(image: torch.Tensor) -> np.ndarray:
            return preview(crop_fill(image, target.crop_shape))

        losses, images = fit_latents([z, *variables], objective, params["steps"], params["lr"], control, show)
        return ranked_fills(losses, images, params["count"], target)

    return fit
