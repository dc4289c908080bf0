"""The texture GAN's networks: a fully convolutional generator over a spatial noise field, and a
patch critic.

Generator:  noise field (B, L + G + P, h, w), one cell per `stride` output pixels: L local channels
            (new noise at every cell), G global channels (one vector per image, the same at every
            cell) and P periodic channels sin(k . (x, y) + phase), whose wave vectors k an MLP
            computes from the global vector -> 3x3 conv, pixel norm, ReLU -> per further width:
            2x nearest upsampling, plus a noise map at that resolution (a learnt gain per channel),
            3x3 conv, pixel norm, ReLU -> a last 2x upsampling + noise, 3x3 conv to RGB, tanh
            -> (B, 3, stride * h, stride * w). Pixel norm, not batch norm: the same in training and
            drawing, and local, so strips stay exact.
Critic:     (B, 3, H, W) -> 4x4 stride-2 convs with spectral norm and LeakyReLU -> 3x3 conv -> a map
            of patch scores (B, 1, H / 2**d_layers, W / 2**d_layers).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from genimg_desktop.engine.texture.config import TextureConfig

LEAK = 0.2


class PixelNorm(nn.Module):
    """Each pixel's feature vector scaled to unit mean square (ProGAN). Unlike batch norm it is the
    same in training and drawing and depends on that pixel alone, so strips stay exact."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(dim=1, keepdim=True) + 1e-8)


class TextureGenerator(nn.Module):
    def __init__(self, config: TextureConfig) -> None:
        super().__init__()
        self.config = config
        widths = config.width_list()
        self.wave = (
            nn.Sequential(
                nn.Linear(config.global_dim, config.wave_hidden),
                nn.ReLU(),
                nn.Linear(config.wave_hidden, 2 * config.periodic_dim),
            )
            if config.periodic_dim
            else None
        )
        self.stem = nn.Sequential(
            nn.Conv2d(config.field_dim, widths[0], 3, padding=1), PixelNorm(), nn.ReLU()
        )
        self.ups = nn.ModuleList(
            nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), PixelNorm(), nn.ReLU())
            for c_in, c_out in zip(widths, widths[1:], strict=False)
        )
        # One learnt gain per channel for the noise map added at each resolution (StyleGAN's noise
        # inputs): fine detail that is not a function of the position within a cell.
        self.noise_gains = nn.ParameterList(nn.Parameter(torch.zeros(1, c, 1, 1)) for c in widths)
        self.to_rgb = nn.Conv2d(widths[-1], 3, 3, padding=1)

    @staticmethod
    def margin_cells(config: TextureConfig) -> int:
        """Cells of noise beyond an output area that its pixels can depend on, rounded up, plus one:
        the stem's 3x3 reaches 1 cell, each 2x upsampling and 3x3 conv after it at most 1 pixel of
        the coarser resolution (half as far, in cells, as the one before)."""
        reach = 1.0 + sum(0.5**i for i in range(len(config.width_list())))
        return math.ceil(reach) + 1

    def waves(self, z_global: torch.Tensor, period: tuple[int, int] | None = None) -> torch.Tensor:
        """Wave vectors (B, P, 2) as (kx, ky) in radians per cell, at most pi (the field's Nyquist
        limit). With `period` (cells across, cells down) each is rounded to a whole number of waves
        over it, so the periodic channels repeat exactly with the picture."""
        if self.wave is None:
            return z_global.new_zeros(z_global.shape[0], 0, 2)
        k = math.pi * torch.tanh(self.wave(z_global)).view(z_global.shape[0], -1, 2)
        if period is not None:
            sizes = torch.tensor(period, dtype=k.dtype, device=k.device)  # (2,): x period, y period
            k = torch.round(k * sizes / (2 * math.pi)) * (2 * math.pi) / sizes
        return k

    def field(
        self,
        local: torch.Tensor,
        z_global: torch.Tensor,
        phase: torch.Tensor,
        waves: torch.Tensor,
        origin: tuple[int, int],
    ) -> torch.Tensor:
        """The noise field (B, L + G + P, h, w) over the cells of `local` (B, L, h, w), whose top-left
        cell sits at `origin` (x, y) in the picture's cell coordinates."""
        batch, _, height, width = local.shape
        parts = [local, z_global[:, :, None, None].expand(-1, -1, height, width)]
        if waves.shape[1]:
            ys = torch.arange(height, dtype=local.dtype, device=local.device) + origin[1]
            xs = torch.arange(width, dtype=local.dtype, device=local.device) + origin[0]
            angle = (
                waves[..., 0, None, None] * xs[None, None, None, :]
                + waves[..., 1, None, None] * ys[None, None, :, None]
                + phase[:, :, None, None]
            )  # (B, P, h, w)
            parts.append(torch.sin(angle))
        return torch.cat(parts, dim=1)

    def forward(self, field: torch.Tensor, noises: list[torch.Tensor]) -> torch.Tensor:
        """Pixels (B, 3, stride * h, stride * w) in [-1, 1] from the field and one noise map (B, 1,
        ...) per resolution from 2x the field's up to full size (draw.level_noise)."""
        x = self.stem(field)
        for up, gain, noise in zip([*self.ups, None], self.noise_gains, noises, strict=True):
            x = F.interpolate(x, scale_factor=2.0, mode="nearest") + gain * noise
            x = self.to_rgb(x) if up is None else up(x)
        return torch.tanh(x)


class PatchCritic(nn.Module):
    def __init__(self, config: TextureConfig) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c_in = 3
        for i in range(config.d_layers):
            c_out = config.d_width * 2 ** min(i, 3)
            layers += [spectral_norm(nn.Conv2d(c_in, c_out, 4, 2, 1)), nn.LeakyReLU(LEAK)]
            c_in = c_out
        layers.append(spectral_norm(nn.Conv2d(c_in, 1, 3, padding=1)))
        self.net = nn.Sequential(*layers)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images)  # (B, 1, h, w) patch scores
