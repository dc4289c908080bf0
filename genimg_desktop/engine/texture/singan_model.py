"""The "singan" family as the app runs it: a multi-scale GAN trained on one picture draws new versions
of it at any size and aspect ratio, variations that keep its layout, and animated walks."""

from __future__ import annotations

import numpy as np
import torch

from genimg_desktop.core.model_card import ModelCard
from genimg_desktop.core.params import TaskSpec
from genimg_desktop.engine.base import GenerationModel
from genimg_desktop.engine.declared_shapes import build_checked
from genimg_desktop.engine.job import Job
from genimg_desktop.engine.latent_common import output_frames, slerp_fields, to_rgb_uint8
from genimg_desktop.engine.texture.singan_config import ARCH_KEYS, SinGanConfig
from genimg_desktop.engine.texture.singan_networks import MultiScaleGenerator, enlarge, unit_noise
from genimg_desktop.engine.texture.singan_tasks import singan_tasks


class SinGanModel(GenerationModel):
    family = "singan"
    oom_params = ("count",)

    def __init__(self, card: ModelCard, device: torch.device | str) -> None:
        super().__init__(card, device)
        self.config = _config(card)
        self._net: MultiScaleGenerator | None = None

    @classmethod
    def task_specs(cls, card: ModelCard) -> tuple[TaskSpec, ...]:
        return singan_tasks(_config(card).scales)

    def load(self) -> None:
        net = build_checked(self.card.weights, lambda: MultiScaleGenerator(self.config))
        self._net = self.load_state(net).requires_grad_(False)

    @property
    def net(self) -> MultiScaleGenerator:
        return self._loaded(self._net)

    def _run(self, job: Job) -> list[np.ndarray]:
        params = job.params
        sizes = self.config.sizes(params["width"], params["height"])
        if job.task.name == "interpolate":
            return self._interpolate(job, sizes)
        noises = unit_noise(params["count"], sizes, job.generator)
        if job.task.name == "variations" and params["keep"] > 0:
            return self._draw(job, noises, sizes, params["keep"])
        return self._draw(job, noises, sizes)

    def _draw(
        self, job: Job, noises: list[torch.Tensor], sizes: list[tuple[int, int]], keep: int = 0
    ) -> list[np.ndarray]:
        """Pictures through every scale, scale by scale with progress; the `keep` coarsest scales are
        the picture's own reconstruction (stretched to the asked shape), the rest from `noises`."""
        start = None
        if keep:
            rec = self.net.reconstruction(keep - 1)
            start = rec.expand(len(noises[0]), -1, -1, -1)
            start = enlarge(start, sizes[keep - 1])
        x = start
        label = f"Drawing {sizes[-1][1]}×{sizes[-1][0]} ({self.card.name})"
        for k in range(keep, len(sizes)):
            job.control.report(k / len(sizes), label)
            noise = [n.to(self.device) for n in noises[: k + 1]]
            x = self.net.draw(noise, sizes, start=x, first=k, last=k)
        return to_rgb_uint8(x.clamp(-1, 1))

    def _interpolate(self, job: Job, sizes: list[tuple[int, int]]) -> list[np.ndarray]:
        params = job.params
        start = unit_noise(1, sizes, job.generator)
        end = unit_noise(1, sizes, torch.Generator().manual_seed(int(params["seed_b"])))
        t = torch.linspace(0, 1, params["frames"])
        noises = [slerp_fields(a, b, t) for a, b in zip(start, end, strict=True)]
        return output_frames(self._draw(job, noises, sizes), params["strip"])


def _config(card: ModelCard) -> SinGanConfig:
    arch = {key: value for key, value in card.config.items() if key in ARCH_KEYS}
    return SinGanConfig.from_mapping(arch)
