"""Training the multi-scale single-picture GAN coarse to fine: each scale in turn for an equal share
of the steps, the coarser stages frozen (singan_config.RECIPE)."""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from genimg_desktop.engine.texture.singan_config import ARCH_KEYS, RECIPE, SinGanConfig
from genimg_desktop.engine.texture.singan_networks import (
    MultiScaleGenerator,
    StageCritic,
    enlarge,
    unit_noise,
)
from genimg_desktop.engine.training.family_trainer import CheckpointedTrainer, DataInfo, TrainConfig


class SinGanTrainer(CheckpointedTrainer):
    __doc__ = RECIPE
    checkpointed = ("g", "d", "opt_g", "opt_d")
    warm_modules = ("g",)
    settings_name = "SinGAN"
    own_lr_schedule = True  # a rate per scale (drops within each), not one schedule over the run

    def __init__(self, config: TrainConfig, data: DataInfo, device: torch.device) -> None:
        super().__init__(config, data, device)
        if data.channels != 3:
            raise ValueError("a picture model trains on colour pictures: pass --channels 3 or RGB data")
        self.net = SinGanConfig.from_mapping({**config.extra, "train_size": config.size})
        self.g = MultiScaleGenerator(self.net).to(device)
        self.d = nn.ModuleList(StageCritic(self.net) for _ in range(self.net.scales)).to(device)
        betas = (self.net.beta1, self.net.beta2)
        # One optimiser for all stages: only the training stage has gradients, so Adam leaves the
        # frozen ones alone, and the checkpoint holds one state whatever the scale.
        self.opt_g = torch.optim.Adam(self.g.parameters(), lr=config.lr, betas=betas)
        self.opt_d = torch.optim.Adam(self.d.parameters(), lr=config.lr, betas=betas)
        self.sizes = self.net.sizes(config.size, config.size)
        self.per_scale = math.ceil(config.steps / self.net.scales)
        self.step = 0

    def scale(self, step: int) -> int:
        """The scale that (0-based) `step` trains."""
        return min(step // self.per_scale, self.net.scales - 1)

    def timing_plan(self) -> list[tuple[int, float]]:
        """Each scale costs as its picture's area: time a few steps of each."""
        return [(k * self.per_scale, 1 / self.net.scales) for k in range(self.net.scales)]

    def train_step(self, images: torch.Tensor, labels: torch.Tensor) -> dict[str, float]:
        k = self.scale(self.step)
        real = enlarge(images[:1].to(self.device), self.sizes[k])  # one picture: SinGAN learns one
        if self.step == k * self.per_scale:
            self._begin_scale(k, real)
        self._set_rate(k)
        for _ in range(self.net.repeats(k)):
            losses = self._update(k, real)
        self.step += 1
        return {**losses, "scale": float(k)}

    def _update(self, k: int, real: torch.Tensor) -> dict[str, float]:
        """One critic and one generator update at scale k."""
        stage, critic = self.g.stages[k], self.d[k]
        with torch.no_grad():
            coarser = self._coarser_sample(k)
            rec_in = self._coarser_reconstruction(k)
        noise = torch.randn(real.shape, device=self.device) * self.g.amps[k]
        fake = stage(coarser, noise)
        d_loss = F.relu(1 - critic(real)).mean() + F.relu(1 + critic(fake.detach())).mean()
        self.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_d.step()
        critic.requires_grad_(False)
        adv = -critic(fake).mean()
        critic.requires_grad_(True)
        rec_noise = self.g.z_rec if k == 0 else torch.zeros_like(real)
        rec = F.mse_loss(stage(rec_in, rec_noise), real)
        self.opt_g.zero_grad(set_to_none=True)
        (adv + self.net.rec_weight * rec).backward()
        self.opt_g.step()
        return {"d_loss": d_loss.item(), "g_loss": adv.item(), "rec": rec.item()}

    def _begin_scale(self, k: int, real: torch.Tensor) -> None:
        """A new scale starts from the one below's weights (same shapes), with its noise level set from
        how far the enlarged reconstruction of the scales below is from the picture at this scale."""
        if k == 0:
            return
        self.g.stages[k].load_state_dict(self.g.stages[k - 1].state_dict())
        self.d[k].load_state_dict(self.d[k - 1].state_dict())
        with torch.no_grad():
            error = F.mse_loss(self._coarser_reconstruction(k), real).sqrt()
            self.g.amps[k] = self.net.noise_amp * error

    def _set_rate(self, k: int) -> None:
        into = (self.step - k * self.per_scale) / self.per_scale
        rate = self.config.lr * (0.1 if into >= self.net.lr_drop else 1.0)
        for optimizer in (self.opt_g, self.opt_d):
            for group in optimizer.param_groups:
                group["lr"] = rate

    def _coarser_sample(
        self, k: int, count: int = 1, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """A random picture of the frozen scales below `k`, enlarged to scale k (zeros for k = 0)."""
        if k == 0:
            return torch.zeros(1, 3, *self.sizes[0], device=self.device)
        noises = [n.to(self.device) for n in unit_noise(1, self.sizes[:k], None)]
        return enlarge(self.g.draw(noises, self.sizes, last=k - 1), self.sizes[k])

    def _coarser_reconstruction(self, k: int) -> torch.Tensor:
        if k == 0:
            return torch.zeros(1, 3, *self.sizes[0], device=self.device)
        return enlarge(self.g.reconstruction(k - 1), self.sizes[k])

    @torch.no_grad()
    def sample_grid(self, count: int, generator: torch.Generator) -> torch.Tensor:
        """`count` random pictures through the scales trained so far, at the training size."""
        k = self.scale(max(self.step - 1, 0))
        noises = [n.to(self.device) for n in unit_noise(count, self.sizes[: k + 1], generator)]
        drawn = self.g.draw(noises, self.sizes, last=k)
        return enlarge(drawn, self.sizes[-1]).clamp(-1, 1).cpu()

    def settings_card(self) -> dict[str, Any]:
        return self.net.to_card()

    def export(self) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
        weights = {name: t.detach().cpu().contiguous() for name, t in self.g.state_dict().items()}
        arch = {key: value for key, value in self.net.to_card().items() if key in ARCH_KEYS}
        return weights, {**arch, "recipe": " ".join(RECIPE.split())}
