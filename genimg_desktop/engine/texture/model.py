"""The "texture" family as the app runs it: textures at any size (tileable on request), variations,
and the mask filled with the texture."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import torch

from genimg_desktop.core.colour_transfer import match_colours
from genimg_desktop.core.mask import mask_bbox
from genimg_desktop.core.model_card import ModelCard
from genimg_desktop.core.params import TaskSpec
from genimg_desktop.engine.base import GenerationModel
from genimg_desktop.engine.declared_shapes import build_checked
from genimg_desktop.engine.job import Job
from genimg_desktop.engine.latent_common import output_frames, to_rgb_uint8
from genimg_desktop.engine.texture.config import ARCH_KEYS, TextureConfig
from genimg_desktop.engine.texture.draw import (
    TextureNoise,
    cells_for,
    draw_noise,
    fit_to_size,
    local_noise,
    render,
    walk,
    with_local,
)
from genimg_desktop.engine.texture.networks import TextureGenerator
from genimg_desktop.engine.texture.tasks import texture_tasks

RING = 32  # pixels around the mask whose colours "Match surroundings" moves the texture to


class TextureModel(GenerationModel):
    """A trained texture generator (the EMA weights) rebuilt from the card's config."""

    family = "texture"
    oom_params = ("count",)
    channels_last = True

    def __init__(self, card: ModelCard, device: torch.device | str) -> None:
        super().__init__(card, device)
        self.config = _config(card)
        self._net: TextureGenerator | None = None

    @classmethod
    def task_specs(cls, card: ModelCard) -> tuple[TaskSpec, ...]:
        _config(card)  # a bad card is reported at listing time
        return texture_tasks()

    def load(self) -> None:
        net = build_checked(self.card.weights, lambda: TextureGenerator(self.config))
        self._net = self.load_state(net).requires_grad_(False)

    @property
    def net(self) -> TextureGenerator:
        return self._loaded(self._net)

    def _run(self, job: Job) -> list[np.ndarray]:
        if job.task.name == "fill":
            return [self._fill(job)]
        if job.task.name == "interpolate":
            return self._interpolate(job)
        params = job.params
        width, height, tile = params["width"], params["height"], params["tile"]
        noise = draw_noise(
            self.net, params["count"], cells_for(width, height, self.config.stride), tile, job.generator
        )
        if job.task.name == "variations":
            noise = self._vary(noise, params["strength"], job.generator)
        return to_rgb_uint8(self.draw(noise, width, height, job))

    def draw(self, noise: TextureNoise, width: int, height: int, job: Job) -> torch.Tensor:
        """The textures (B, 3, height, width) in [-1, 1], reporting progress strip by strip."""
        label = f"Drawing {width}×{height} ({self.card.name})"
        drawn = render(self.net, noise, self.device, lambda done: job.control.report(done, label))
        return fit_to_size(drawn, width, height, noise.tile)

    def _interpolate(self, job: Job) -> list[np.ndarray]:
        """Frames walking from the seed's texture to the second seed's (as Texture draws each)."""
        params = job.params
        width, height, tile = params["width"], params["height"], params["tile"]
        cells = cells_for(width, height, self.config.stride)
        start = draw_noise(self.net, 1, cells, tile, job.generator)
        end = draw_noise(self.net, 1, cells, tile, torch.Generator().manual_seed(int(params["seed_b"])))
        frames = to_rgb_uint8(self.draw(walk(start, end, params["frames"]), width, height, job))
        return output_frames(frames, params["strip"])

    def _vary(self, noise: TextureNoise, strength: float, generator: torch.Generator) -> TextureNoise:
        """The seed's first texture's global noise and phases for every variation, each moved by
        `strength` (rescaled: still unit Gaussian), with the local noise drawn anew for each."""
        count = len(noise.z_global)
        base = noise.z_global[:1].expand(count, -1)
        shift = torch.randn(noise.z_global.shape, generator=generator)
        z_global = (base + strength * shift) / math.sqrt(1 + strength**2)
        phase = noise.phase[:1].expand(count, -1).clone()
        local = local_noise(self.net, count, noise.cells, noise.tile, generator)
        return with_local(replace(noise, z_global=z_global, phase=phase), local)

    def _fill(self, job: Job) -> np.ndarray:
        """The picture with its masked pixels taken from a texture drawn over the mask's bounding box
        (at the picture's own scale); every other pixel is the picture's."""
        assert job.image is not None and job.mask is not None  # checked by run()
        box = mask_bbox(job.mask)
        assert box is not None  # run() refuses an empty mask
        left, top, width, height = box
        noise = draw_noise(self.net, 1, cells_for(width, height, self.config.stride), False, job.generator)
        texture = to_rgb_uint8(self.draw(noise, width, height, job))[0]
        hole = job.mask[top : top + height, left : left + width] > 0
        strength = job.params["match_colours"]
        if strength > 0:
            texture = match_colours(texture, _surroundings(job.image, job.mask, box), strength)
        out = np.array(job.image, copy=True)
        region = out[top : top + height, left : left + width]
        region[hole] = texture[hole]
        return out


def _surroundings(image: np.ndarray, mask: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The unmasked pixels within RING of the mask's box, as a (1, N, 3) picture (the whole picture
    when the mask covers all of that)."""
    left, top, width, height = box
    rows = slice(max(top - RING, 0), top + height + RING)
    cols = slice(max(left - RING, 0), left + width + RING)
    known = image[rows, cols][mask[rows, cols] == 0]
    if not len(known):
        known = image.reshape(-1, 3)
    return known[None]


def _config(card: ModelCard) -> TextureConfig:
    arch = {key: value for key, value in card.config.items() if key in ARCH_KEYS}
    return TextureConfig.from_mapping(arch)
