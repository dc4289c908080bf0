"""The "gan" family as the app runs it: sample, interpolate, variations, GANSpace directions, inpaint."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from genimg_desktop.core.model_card import ModelCard
from genimg_desktop.core.params import TaskSpec
from genimg_desktop.core.progress import JobControl
from genimg_desktop.engine.declared_shapes import build_checked
from genimg_desktop.engine.gan.config import GanConfig
from genimg_desktop.engine.gan.directions import gan_directions
from genimg_desktop.engine.gan.fused import FusedMapping, FusedSynthesis
from genimg_desktop.engine.gan.inpaint import gan_crop_fit
from genimg_desktop.engine.gan.networks import Generator
from genimg_desktop.engine.gan.tasks import gan_tasks
from genimg_desktop.engine.job import Job
from genimg_desktop.engine.latent_common import (
    SAME,
    edit_amounts,
    output_frames,
    slerp,
    to_rgb_uint8,
)
from genimg_desktop.engine.latent_inpaint import CropFit
from genimg_desktop.engine.latent_model import Handler, LatentModel
from genimg_desktop.engine.latent_pca import LatentDirections


class GanModel(LatentModel):
    """A class-conditional GAN generator (the EMA weights) rebuilt from the card's config."""

    family = "gan"
    oom_params = ("count",)

    def __init__(self, card: ModelCard, device: torch.device | str) -> None:
        super().__init__(card, device)
        self.config = GanConfig.from_card(card)
        self._net: Generator | None = None
        self._mapping: FusedMapping | None = None
        self._directions: LatentDirections | None = None

    @classmethod
    def task_specs(cls, card: ModelCard) -> tuple[TaskSpec, ...]:
        return gan_tasks(card, GanConfig.from_card(card))

    def load(self) -> None:
        # Never inference tensors, even if loaded inside a job: inpainting backpropagates through them.
        with torch.inference_mode(False):
            generator = build_checked(self.card.weights, lambda: Generator(self.config))
            net = self.load_state(generator).requires_grad_(False)  # eval: running BN stats
            config = self.config
            self._directions = gan_directions(
                net.mapping, config.z_dim, config.directions, config.direction_samples
            )
        self._net = net
        self._mapping = FusedMapping(net.mapping)
        self._check_draw(lambda dtype: FusedSynthesis(net, dtype), net.mapping, net.embed)

    @property
    def net(self) -> Generator:
        """The generator module: what autograd users (the inpaint fit) call."""
        return self._loaded(self._net)

    def map(self, z: torch.Tensor) -> torch.Tensor:
        """w (B, W) for latents z (B, Z): the mapping network in its inference form (fused.py)."""
        return self._loaded(self._mapping)(z)

    def synthesize(self, w: torch.Tensor, embedding: torch.Tensor) -> torch.Tensor:
        """Images (B, C, R, R) from w (B, W) and class embeddings (B, E), by the folded inference form
        of the generator (engine/gan/fused.py), in the checked precision: what every task but
        inpainting draws with."""
        return self.draw(w, embedding)

    # ---- for `genimg eval` ---------------------------------------------------------------------------

    def sampling_settings(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        """Evaluation judges the model itself: untruncated unless asked, whatever the app's default
        (the judged numbers in docs/MODELS.md were drawn at truncation 0)."""
        return super().sampling_settings({"truncation": 0.0, **(given or {})})

    def _eval_images(
        self, z: torch.Tensor, labels: torch.Tensor, params: dict[str, Any], gen: torch.Generator
    ) -> torch.Tensor:
        """Evaluation samples (see LatentModel.sample_tensor), with the task's truncation."""
        w = self._truncate(self.map(z), params["truncation"])
        return self.synthesize(w, self.net.embed(labels))

    # ---- tasks ---------------------------------------------------------------------------------------

    def _handlers(self) -> dict[str, Handler]:
        return {
            "sample": self._sample,
            "interpolate": self._interpolate,
            "variations": self._variations,
            "directions": self._directions_strip,
        }

    def _inpaint_fit(self, params: dict[str, Any], control: JobControl, gen: torch.Generator) -> CropFit:
        return gan_crop_fit(self.net, params, self.card.class_names, self._noise(gen), control)

    def _sample(self, job: Job) -> list[np.ndarray]:
        params, gen = job.params, job.generator
        z = self._latents(params["count"], gen)  # z first: the class leaves it alone
        labels = self._labels(params["class"], params["count"], gen)
        w = self._truncate(self.map(z), params["truncation"])
        return to_rgb_uint8(self.synthesize(w, self.net.embed(labels)))

    def _interpolate(self, job: Job) -> list[np.ndarray]:
        params, gen = job.params, job.generator
        z_a = self._latents(1, gen)[0]  # (Z,)
        label_a = self._labels(params["class"], 1, gen)
        gen_b = torch.Generator().manual_seed(int(params["seed_b"]))
        z_b = self._latents(1, gen_b)[0]
        label_b = label_a if params["class_b"] == SAME else self._labels(params["class_b"], 1, gen_b)
        t = torch.linspace(0, 1, params["frames"], device=self.device)  # (T,)
        z = slerp(z_a, z_b, t)  # (T, Z)
        # The class enters through its embedding, which blends linearly between the two classes.
        embedding = torch.lerp(self.net.embed(label_a), self.net.embed(label_b), t[:, None])  # (T, E)
        w = self._truncate(self.map(z), params["truncation"])  # (T, W)
        frames = to_rgb_uint8(self.synthesize(w, embedding))
        return output_frames(frames, params["strip"])

    def _variations(self, job: Job) -> list[np.ndarray]:
        params, gen = job.params, job.generator
        count, strength = params["count"], params["strength"]
        z0 = self._latents(1, gen)  # (1, Z)
        labels = self._labels(params["class"], 1, gen).expand(count)
        noise = self.noise(count, self.config.z_dim, generator=gen)  # (N, Z)
        # Rescaled so each z is again a unit Gaussian: images stay typical at any strength.
        z = (z0 + strength * noise) / math.sqrt(1 + strength**2)
        w = self._truncate(self.map(z), params["truncation"])  # as Sample draws the seed's image
        return to_rgb_uint8(self.synthesize(w, self.net.embed(labels)))

    def _directions_strip(self, job: Job) -> list[np.ndarray]:
        params, gen = job.params, job.generator
        assert self._directions is not None  # computed by load()
        z = self._latents(1, gen)
        label = self._labels(params["class"], 1, gen)
        w = self._truncate(self.map(z), params["truncation"])  # (1, W): the seed's image as Sample draws it
        amounts = edit_amounts(params["amount"], params["steps"])
        index = min(params["direction"], self._directions.count - 1)
        ws = torch.cat([self._directions.shift(w, index, a) for a in amounts])  # (T, W)
        embedding = self.net.embed(label).expand(len(amounts), -1)  # (T, E)
        return output_frames(to_rgb_uint8(self.synthesize(ws, embedding)), params["strip"])

    # ---- latents and classes ---------------------------------------------------------------------------

    def _latents(self, count: int, gen: torch.Generator) -> torch.Tensor:
        """(count, Z) Gaussian latents, drawn on the CPU from the job's generator."""
        return self.noise(count, self.config.z_dim, generator=gen)

    def _truncate(self, w: torch.Tensor, truncation: float) -> torch.Tensor:
        """The truncation trick in w (StyleGAN): w pulled towards the average w by `truncation`
        (0: unchanged, 1: the average). Truncating z instead shrinks w towards mapping(0), which is
        not a typical latent: with this mapping network it gave dark, atypical images."""
        if truncation <= 0:
            return w
        assert self._directions is not None  # computed by load(); its mean is the average w
        return torch.lerp(w, self._directions.mean.to(w.dtype), min(truncation, 1.0))
