"""Training the VAE: maximise the ELBO (one reparameterised latent per image), Adam."""

from __future__ import annotations

from typing import Any

import torch

from genimg_desktop.engine.latent_common import spread_labels, trainer_config
from genimg_desktop.engine.training.batches import DeviceImages
from genimg_desktop.engine.training.family_trainer import (
    CheckpointedTrainer,
    DataInfo,
    TrainConfig,
)
from genimg_desktop.engine.vae import RECIPE, likelihood
from genimg_desktop.engine.vae.config import VaeConfig
from genimg_desktop.engine.vae.networks import ConditionalVAE
from genimg_desktop.engine.vae.prior import ClassMixture, fit_class_mixture, prior_description

ENCODE_BATCH = 256  # images per encoder pass when fitting the latent prior


def vae_config(config: TrainConfig, data: DataInfo) -> VaeConfig:
    """The family's settings: `--set key=value` extras, with the data deciding size and classes."""
    return trainer_config(VaeConfig, config.extra, config.size, data.channels, data.num_classes)


class VaeTrainer(CheckpointedTrainer):
    __doc__ = RECIPE
    checkpointed = ("vae", "optimiser")
    warm_modules = ("vae",)  # the file's latent prior is not taken: `finish` fits a new one
    settings_name = "VAE"

    def __init__(self, config: TrainConfig, data: DataInfo, device: torch.device) -> None:
        super().__init__(config, data, device)
        self.vae_config = vae_config(config, data)
        self.vae = ConditionalVAE(self.vae_config).to(device)
        self.vae_train = self.wrap(self.vae)
        self.optimiser = torch.optim.Adam(self.vae.parameters(), lr=config.lr)
        self.step = 0
        self.prior: ClassMixture | None = None  # fitted by `finish`, after the last step

    def train_step(self, images: torch.Tensor, labels: torch.Tensor) -> dict[str, float]:
        x = likelihood.quantise(images.to(self.device))  # (B, C, R, R) at the 256 bin centres
        nll, kl, mu = self.vae_train(x, labels.to(self.device))  # (B,), (B,), (B, Z)
        warmup = self.vae_config.kl_warmup
        beta = min(1.0, (self.step + 1) / warmup) if warmup > 0 else 1.0
        dims = self.vae_config.dims
        loss = (nll + beta * kl).mean() / dims  # nats per value: the step size does not depend on R
        self.optimiser.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(self.vae.parameters(), self.vae_config.grad_clip)
        self.optimiser.step()
        self.vae.track(mu, self.vae_config.stats_momentum)
        self.step += 1
        nll_mean, kl_mean = nll.mean().item(), kl.mean().item()
        return {
            "bpd": likelihood.bits_per_dim(nll_mean + kl_mean, dims),  # -ELBO, the number to watch
            "recon_bpd": likelihood.bits_per_dim(nll_mean, dims),
            "kl_bpd": likelihood.bits_per_dim(kl_mean, dims),
            "grad_norm": float(grad_norm),
        }

    @torch.no_grad()
    def sample_grid(self, count: int, generator: torch.Generator) -> torch.Tensor:
        z = torch.randn(count, self.vae_config.z_dim, generator=generator).to(self.device)
        labels = spread_labels(count, self.vae_config.num_classes).to(self.device)
        if self.prior is not None:
            z = self.prior.to(self.device).latents(z, labels, generator)
        return self.vae.decode_mean(z, self.vae.embed(labels))  # (count, C, R, R), class-major

    @torch.no_grad()
    def finish(self, images: DeviceImages) -> bool:
        """Fit the latent prior (prior.py) to the posterior means of every training image."""
        means = []
        for start in range(0, len(images), ENCODE_BATCH):
            x, labels = images.batch(torch.arange(start, min(start + ENCODE_BATCH, len(images))))
            mu, _ = self.vae.encoder(likelihood.quantise(x), self.vae.embed(labels))
            means.append(mu.float().cpu())
        self.prior = fit_class_mixture(
            torch.cat(means), images.labels.cpu(), self.vae_config.num_classes, self.config.seed
        )
        return True

    def settings_card(self) -> dict[str, Any]:
        return self.vae_config.to_card()

    def export(self) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
        weights = {name: t.detach().cpu().contiguous() for name, t in self.vae.state_dict().items()}
        card = {**self.vae_config.to_card(), "recipe": " ".join(RECIPE.split())}
        if self.prior is not None:
            weights.update(self.prior.tensors())
            card["latent_prior"] = prior_description(self.prior)
        return weights, card
