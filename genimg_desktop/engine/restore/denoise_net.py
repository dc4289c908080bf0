"""The restorer: a blind FFDNet-style denoiser for Gaussian noise, JPEG damage and both at once.

The picture is folded into half-resolution planes (pixel-unshuffle by 2, as FFDNet does: four times
fewer positions per 3x3 convolution, twice the receptive field for the same depth). A small
estimator first reads the damage level from the picture itself: a per-pixel map of the RMS error of
the damage, in units of LEVEL_UNIT (trained against the true level of each training crop). The
denoiser then takes that map multiplied by the artist's strength (0..1) beside the picture and
predicts the damage, which is subtracted (residual learning, DnCNN). A lower strength is a lower
stated noise level: like FFDNet given a smaller sigma, it keeps some grain and detail instead of
blending the input back in.

Input and output: (N, 3, H, W) RGB in 0..1 (the caller clamps); any H and W (odd sides are padded).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

ARCHITECTURE = "denoise-ffd"
LEVEL_UNIT = 50.0 / 255.0  # a map value of 1.0 is an RMS damage of 50 grey levels
LEAK = 0.1  # negative slope of the hidden activations


@dataclass(frozen=True)
class DenoiseConfig:
    """The network's shape, as the card's `config` states it (beside "architecture" and "scale")."""

    width: int = 48  # channels of the denoiser's half-resolution layers
    depth: int = 8  # 3x3 convolutions of the denoiser
    est_width: int = 16  # channels of the level estimator
    est_depth: int = 4  # 3x3 convolutions of the level estimator

    @property
    def receptive_field(self) -> int:
        """Pixels of context each side that reach an output pixel (estimator, then denoiser, at half
        resolution, plus the fold): how far tiles must overlap for seamless results."""
        return 2 * (self.depth + self.est_depth) + 2

    def to_card(self) -> dict[str, Any]:
        return {"architecture": ARCHITECTURE, "scale": 1, **asdict(self)}

    @classmethod
    def from_card(cls, config: Mapping[str, Any]) -> DenoiseConfig:
        names = {f.name for f in fields(cls)}
        made = cls(**{key: int(value) for key, value in config.items() if key in names})
        if min(made.width, made.est_width) < 1 or min(made.depth, made.est_depth) < 2:
            raise ValueError("denoise-ffd needs width, est_width >= 1 and depth, est_depth >= 2")
        return made


def _stack(channels_in: int, width: int, depth: int, channels_out: int) -> nn.Sequential:
    """`depth` (>= 2) 3x3 convolutions: in -> width (ReLU) ... -> out, no activation at the end."""
    # Leaky: with plain ReLU a whole layer could die (every unit negative) early in training, when
    # Adam turns the tiny gradients behind the small last layer into full-size steps.
    layers: list[nn.Module] = [nn.Conv2d(channels_in, width, 3, padding=1), nn.LeakyReLU(LEAK, inplace=True)]
    for _ in range(depth - 2):
        layers += [nn.Conv2d(width, width, 3, padding=1), nn.LeakyReLU(LEAK, inplace=True)]
    for layer in layers[::2]:  # He init: torch's default shrinks the signal ~2x per layer, and
        nn.init.kaiming_normal_(layer.weight, a=LEAK, nonlinearity="leaky_relu")  # a plain stack
        nn.init.zeros_(layer.bias)  # then barely learns
    layers.append(nn.Conv2d(width, channels_out, 3, padding=1))
    return nn.Sequential(*layers)


class DenoiseNet(nn.Module):
    takes_noise_level = True  # the second input is the strength map (engine/restore/architectures.py)
    # Tiles start at even pixels: the fold's 2x2 grid then lies the same in a tile as in the picture,
    # so a tiled run equals an untiled one (odd sides are still padded here, for direct callers).
    size_multiple = 2

    def __init__(self, config: DenoiseConfig | None = None) -> None:
        super().__init__()
        self.config = config or DenoiseConfig()
        c = self.config
        self.context = c.receptive_field
        self.estimator = _stack(12, c.est_width, c.est_depth, 1)
        self.body = _stack(12 + 1, c.width, c.depth, 12)
        with torch.no_grad():  # starts close to the identity (output ~ input), not at it: a zero layer
            self.body[-1].weight.mul_(0.1)  # would leave the ones behind it without a gradient
            self.body[-1].bias.zero_()

    def level(self, image: torch.Tensor) -> torch.Tensor:
        """The estimated damage map (N, 1, H/2, W/2) of an even-sided picture, in LEVEL_UNITs."""
        return F.softplus(self.estimator(F.pixel_unshuffle(image - 0.5, 2)))

    def restore(self, image: torch.Tensor, level: torch.Tensor) -> torch.Tensor:
        """The restored even-sided picture given a half-resolution level map (N, 1, H/2, W/2)."""
        folded = F.pixel_unshuffle(image - 0.5, 2)  # (N, 12, H/2, W/2)
        damage = F.pixel_shuffle(self.body(torch.cat([folded, level], 1)), 2)
        return image - damage

    def forward(self, image: torch.Tensor, strength: torch.Tensor | None = None) -> torch.Tensor:
        height, width = image.shape[-2:]
        padded = F.pad(image, (0, width % 2, 0, height % 2), mode="replicate")
        level = self.level(padded)
        if strength is not None:
            strength = F.pad(strength, (0, width % 2, 0, height % 2), mode="replicate")
            level = level * F.avg_pool2d(strength, 2)
        return self.restore(padded, level)[..., :height, :width]


def build(config: Mapping[str, Any]) -> DenoiseNet:
    """The builder ARCHITECTURES names: the card's config -> the network (weights not loaded)."""
    return DenoiseNet(DenoiseConfig.from_card(config))
