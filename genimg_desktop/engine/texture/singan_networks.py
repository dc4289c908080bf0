"""The multi-scale single-picture GAN's networks: per scale a small fully convolutional generator that
adds detail (and noise) to the coarser scale's picture enlarged, and a patch critic.

Stage:   (B, 3, h, w) coarser picture enlarged + noise -> `layers` 3x3 convs (LeakyReLU, last tanh)
         -> plus the coarser picture: (B, 3, h, w).
Critic:  (B, 3, h, w) -> `layers` spectral-normalised 3x3 convs -> a score per 11 px patch.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from genimg_desktop.engine.texture.singan_config import SinGanConfig

LEAK = 0.2
REC_SEED = 1234  # the fixed noise map the coarsest scale reconstructs the picture from


def _convs(config: SinGanConfig, wrap: bool) -> list[nn.Module]:
    widths = [3] + [config.width] * (config.layers - 1) + [3 if not wrap else 1]
    layers: list[nn.Module] = []
    for i, (c_in, c_out) in enumerate(zip(widths, widths[1:], strict=False)):
        conv = nn.Conv2d(c_in, c_out, 3, padding=1)
        layers.append(spectral_norm(conv) if wrap else conv)
        if i < config.layers - 1:
            layers.append(nn.LeakyReLU(LEAK))
    return layers


class Stage(nn.Module):
    def __init__(self, config: SinGanConfig) -> None:
        super().__init__()
        self.body = nn.Sequential(*_convs(config, wrap=False))

    def forward(self, coarser: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.body(coarser + noise)) + coarser


class StageCritic(nn.Module):
    def __init__(self, config: SinGanConfig) -> None:
        super().__init__()
        self.net = nn.Sequential(*_convs(config, wrap=True))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images)


class MultiScaleGenerator(nn.Module):
    """The stages, coarsest first, with each scale's noise level (`amps`, set as training reaches it)
    and the fixed noise map the picture is reconstructed from (`z_rec`)."""

    def __init__(self, config: SinGanConfig) -> None:
        super().__init__()
        self.config = config
        self.stages = nn.ModuleList(Stage(config) for _ in range(config.scales))
        self.register_buffer("amps", torch.ones(config.scales))
        height, width = config.sizes(config.train_size, config.train_size)[0]
        z_rec = torch.randn(1, 3, height, width, generator=torch.Generator().manual_seed(REC_SEED))
        self.register_buffer("z_rec", z_rec)

    def draw(
        self,
        noises: list[torch.Tensor],
        sizes: list[tuple[int, int]],
        start: torch.Tensor | None = None,
        first: int = 0,
        last: int | None = None,
    ) -> torch.Tensor:
        """The picture through scales `first` .. `last` (default all): each stage gets the one below's
        output enlarged (`start`, or zeros, below `first`) plus its unit noise x its level."""
        last = len(self.stages) - 1 if last is None else last
        x = start if start is not None else noises[first].new_zeros(noises[first].shape)
        for k in range(first, last + 1):
            x = enlarge(x, sizes[k])
            x = self.stages[k](x, self.amps[k] * noises[k])
        return x

    def reconstruction(self, last: int) -> torch.Tensor:
        """The picture as the stages up to `last` rebuild it (fixed noise, then none), (1, 3, h, w)."""
        size = self.config.train_size
        sizes = self.config.sizes(size, size)
        noises = [self.z_rec] + [self.z_rec.new_zeros(1, 3, *s) for s in sizes[1:]]
        return self.draw(noises, sizes, last=last)


def enlarge(images: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """`images` resampled to `size` (h, w): bilinear up, area-like (antialiased) down."""
    if tuple(images.shape[-2:]) == tuple(size):
        return images
    return F.interpolate(images, size=size, mode="bilinear", align_corners=False, antialias=True)


def unit_noise(
    count: int, sizes: list[tuple[int, int]], generator: torch.Generator | None
) -> list[torch.Tensor]:
    """Gaussian noise (count, 3, h, w) for each scale, coarsest first, drawn on the CPU."""
    return [torch.randn(count, 3, h, w, generator=generator) for h, w in sizes]
