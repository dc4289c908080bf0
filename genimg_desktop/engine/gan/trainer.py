"""Training the GAN: one hinge-loss critic step and one generator step per batch, EMA of G."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from genimg_desktop.engine.gan import RECIPE
from genimg_desktop.engine.gan.augment import diff_augment, parse_policy
from genimg_desktop.engine.gan.config import GanConfig
from genimg_desktop.engine.gan.diversity import mode_seeking_loss
from genimg_desktop.engine.gan.networks import Discriminator, Generator
from genimg_desktop.engine.latent_common import spread_labels, trainer_config
from genimg_desktop.engine.training.ema import update_ema
from genimg_desktop.engine.training.family_trainer import (
    CheckpointedTrainer,
    DataInfo,
    TrainConfig,
)


def gan_config(config: TrainConfig, data: DataInfo) -> GanConfig:
    """The family's settings: `--set key=value` extras, with the data deciding size and classes."""
    return trainer_config(GanConfig, config.extra, config.size, data.channels, data.num_classes)


class GanTrainer(CheckpointedTrainer):
    __doc__ = RECIPE
    checkpointed = ("g", "d", "g_ema", "opt_g", "opt_d")
    warm_modules = ("g", "g_ema")  # the file holds the EMA generator; the discriminator starts fresh
    settings_name = "GAN"

    def __init__(self, config: TrainConfig, data: DataInfo, device: torch.device) -> None:
        super().__init__(config, data, device)
        self.gan = gan_config(config, data)
        self.g = Generator(self.gan).to(device)
        self.d = Discriminator(self.gan).to(device)
        self.g_ema = copy.deepcopy(self.g).eval().requires_grad_(False)
        self.g_train, self.d_train = self.wrap(self.g), self.wrap(self.d)
        betas = (self.gan.beta1, self.gan.beta2)
        self.opt_g = torch.optim.Adam(self.g.parameters(), lr=config.lr, betas=betas)
        self.opt_d = torch.optim.Adam(self.d.parameters(), lr=config.lr * self.gan.d_lr_scale, betas=betas)
        self.policy = parse_policy(self.gan.augment)
        self.step = 0

    def train_step(self, images: torch.Tensor, labels: torch.Tensor) -> dict[str, float]:
        images, labels = images.to(self.device), labels.to(self.device)  # (B, C, R, R), (B,)
        if self.gan.class_groups:  # consecutive images share a class, so do most stddev groups
            order = torch.argsort(labels, stable=True)
            images, labels = images[order], labels[order]
        z = torch.randn(images.shape[0], self.gan.z_dim, device=self.device)
        fake = self.g_train(z, labels)  # (B, C, R, R)
        losses = self._critic_step(images, fake.detach(), labels)
        # The generator's step goes through the bare critic with its weights frozen: no critic
        # gradients are computed (or all-reduced under DDP) for a step that would discard them.
        with _frozen(self.d):
            g_loss = -self.d(self._augment(fake), labels, self._group(images.shape[0])).mean()
        extra = {}
        if self.gan.diversity > 0:  # mode seeking: same-class samples must differ (diversity.py)
            seeking = mode_seeking_loss(fake, z, labels)
            g_loss = g_loss + self.gan.diversity * seeking
            extra["mode_seeking"] = seeking.item()
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        self._update_ema()
        self.step += 1
        return {**losses, "g_loss": g_loss.item(), **extra}

    def _critic_step(self, real: torch.Tensor, fake: torch.Tensor, labels: torch.Tensor) -> dict[str, float]:
        batch = real.shape[0]
        use_r1 = self.gan.r1_gamma > 0 and self.step % self.gan.r1_every == 0
        real = real.detach().requires_grad_(use_r1)
        # One forward over real and fake together: one DDP all-reduce per step.
        group = self._group(batch)
        seen = self._augment(torch.cat([real, fake]))  # R1 still differentiates w.r.t. `real`
        scores = self.d_train(seen, torch.cat([labels, labels]), group)  # (2B,)
        real_score, fake_score = scores[:batch], scores[batch:]
        loss = F.relu(1 - real_score).mean() + F.relu(1 + fake_score).mean()  # hinge
        out = {"d_loss": loss.item(), "d_real": real_score.mean().item(), "d_fake": fake_score.mean().item()}
        if use_r1:  # lazy R1 (StyleGAN2): every r1_every steps, scaled up by r1_every
            [grad] = torch.autograd.grad(real_score.sum(), real, create_graph=True)
            penalty = grad.pow(2).sum(dim=(1, 2, 3)).mean()
            loss = loss + 0.5 * self.gan.r1_gamma * self.gan.r1_every * penalty
            out["r1"] = penalty.item()
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        return out

    def _augment(self, images: torch.Tensor) -> torch.Tensor:
        return diff_augment(images, self.policy) if self.policy else images

    def _group(self, batch: int) -> int:
        """The largest minibatch-stddev group up to the configured size that divides the batch, so
        that no group straddles the real and the fake half of the critic's input."""
        return next(g for g in range(min(self.gan.mbstd_group, batch), 0, -1) if batch % g == 0)

    def _update_ema(self) -> None:
        update_ema(self.g_ema, self.g, self.step, self.gan.ema_decay, buffers=True)

    @torch.no_grad()
    def sample_grid(self, count: int, generator: torch.Generator) -> torch.Tensor:
        z = torch.randn(count, self.gan.z_dim, generator=generator).to(self.device)
        labels = spread_labels(count, self.gan.num_classes).to(self.device)
        return self.g_ema(z, labels)  # (count, C, R, R), class-major

    def settings_card(self) -> dict[str, Any]:
        return self.gan.to_card()

    def export(self) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
        weights = {name: t.detach().cpu().contiguous() for name, t in self.g_ema.state_dict().items()}
        return weights, {**self.gan.to_card(), "recipe": " ".join(RECIPE.split())}


@contextmanager
def _frozen(module: nn.Module) -> Iterator[None]:
    flags = [p.requires_grad for p in module.parameters()]
    module.requires_grad_(False)
    try:
        yield
    finally:
        for p, flag in zip(module.parameters(), flags, strict=True):
            p.requires_grad_(flag)
