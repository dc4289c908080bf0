"""VAE inpainting: the posterior mode of z given only the pixels around the hole.

Loss per latent, per known value: (-log p(x_known | z, y) + prior * |z|^2 / 2) / known values, the
model's own discretized-logistic likelihood of the known pixels plus its N(0, I) prior (prior = 1:
maximum a posteriori). The first start is the encoder's guess for the crop with the hole filled by
the mean known colour, the others are draws around it. With class "auto" the class embedding is a
softmax mixture of the learnt class embeddings whose weights are optimised too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from genimg_desktop.core.progress import JobControl
from genimg_desktop.engine.latent_inpaint import (
    MIN_STARTS,
    CropFit,
    CropTarget,
    class_embedding,
    crop_fill,
    crop_target,
    fit_latents,
    ranked_fills,
)
from genimg_desktop.engine.vae import likelihood
from genimg_desktop.engine.vae.networks import ConditionalVAE


def vae_crop_fit(
    vae: ConditionalVAE,
    params: dict[str, Any],
    class_names: tuple[str, ...],
    noise: Callable[..., torch.Tensor],
    control: JobControl,
) -> CropFit:
    """A CropFit (see latent_inpaint) for this VAE and the task's parameters."""
    config = vae.config
    device = vae.latent_mean.device

    def fit(
        crop: np.ndarray, hole: np.ndarray, preview: Callable[[np.ndarray], np.ndarray]
    ) -> list[np.ndarray]:
        target = crop_target(crop, hole, config.resolution, config.channels, device)
        x = likelihood.quantise(target.target)
        starts = max(params["count"], MIN_STARTS)
        variables, embedding = class_embedding(vae.embed.weight, params["class"], class_names, starts)
        z = _starts(vae, target, embedding().detach(), noise(starts, config.z_dim)).requires_grad_(True)
        prior = params["prior"]

        def objective() -> tuple[torch.Tensor, torch.Tensor]:
            e = embedding()  # (S, E)
            mean, log_scale = vae.decoder(z, e)  # (S, C, R, R) each
            nll = -(likelihood.log_prob(x, mean, log_scale) * target.known).sum(dim=(1, 2, 3))  # (S,)
            return (nll + prior * 0.5 * (z**2).sum(dim=1)) / target.known_count, mean.clamp(-1, 1)

        def show(image: torch.Tensor) -> np.ndarray:
            return preview(crop_fill(image, target.crop_shape))

        losses, images = fit_latents([z, *variables], objective, params["steps"], params["lr"], control, show)
        return ranked_fills(losses, images, params["count"], target)

    return fit


def _starts(
    vae: ConditionalVAE, target: CropTarget, embedding: torch.Tensor, eps: torch.Tensor
) -> torch.Tensor:
    """(S, Z) starting latents: the encoder's mean for the crop (hole = mean known colour), then
    draws from its posterior around it."""
    known = target.known  # (1, 1, R, R)
    fill = (target.target * known).sum(dim=(2, 3), keepdim=True) / known.sum().clamp_min(1)  # (1, C, 1, 1)
    guess = target.target * known + fill * (1 - known)
    with torch.no_grad():
        mu, logvar = vae.encoder(guess.expand(eps.shape[0], -1, -1, -1), embedding)  # (S, Z) each
    eps = eps.clone()
    eps[0] = 0  # the first start is the mean itself
    return (mu + torch.exp(0.5 * logvar) * eps).detach()
