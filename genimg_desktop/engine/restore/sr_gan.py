"""The adversarial part of a "sharp" upscaler fine-tune (SRGAN/ESRGAN-style, `--set adv=...`).

A small patch critic learns to tell real photo crops from the upscaler's; the upscaler is pushed
towards what it calls real (hinge loss) and towards the critic's features of the real crop (feature
matching, the feature term in place of a pretrained VGG, which no package here ships). Sharper
textures, lower PSNR: the artist picks "faithful" or "sharp".
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm


class PatchCritic(nn.Module):
    """Strided 4x4 convolutions with spectral norm: a realness score per patch, and the features."""

    def __init__(self, width: int = 32, layers: int = 3) -> None:
        super().__init__()
        blocks, channels = [], 3
        for i in range(layers):
            out = width * 2**i
            blocks.append(spectral_norm(nn.Conv2d(channels, out, 4, stride=2, padding=1)))
            channels = out
        self.blocks = nn.ModuleList(blocks)
        self.score = spectral_norm(nn.Conv2d(channels, 1, 3, padding=1))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        feats = []
        h = x * 2 - 1  # pictures in 0..1 -> -1..1
        for block in self.blocks:
            h = F.leaky_relu(block(h), 0.2)
            feats.append(h)
        return self.score(h), feats


def critic_loss(critic: nn.Module, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """Hinge loss on every patch score (fake is detached by the caller)."""
    real_s, _ = critic(real)
    fake_s, _ = critic(fake)
    return F.relu(1 - real_s).mean() + F.relu(1 + fake_s).mean()


def generator_terms(
    critic: nn.Module, real: torch.Tensor, fake: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(adversarial, feature-matching) losses for the upscaler, without critic gradients."""
    critic.requires_grad_(False)
    try:
        fake_s, fake_f = critic(fake)
        with torch.no_grad():
            _, real_f = critic(real)
    finally:
        critic.requires_grad_(True)
    matching = sum(F.l1_loss(f, r) for f, r in zip(fake_f, real_f, strict=True)) / len(fake_f)
    return -fake_s.mean(), matching  # type: ignore[return-value]
