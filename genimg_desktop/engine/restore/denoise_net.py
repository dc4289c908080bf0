"""The restorer: a blind FFDNet-style denoiser for Gaussian noise, JPEG damage and both at once.

The picture is folded into half-resolution planes (pixel-unshuffle by 2, as FFDNet does: four times
fewer positions per 3x3 convolution, twice the receptive field for the same depth). A small
estimator first reads the damage level from the picture itself: a per-pixel map of the RMS error of
the damage, in units of LEVEL_UNIT (trained against the true level of each training crop). The
denoiser then takes that map multiplied by the artist's strength (0..1) beside the picture and
predicts the damage, which is subtracted (residual learning, DnCNN). A lower strength is a lower
stated noise level: like FFDNet given a smaller sigma, it keeps some grain and detail instead of
blending the input back in.

With `grid` set (16: a JPEG's 8x8 luma blocks and 16x16 colour blocks at 4:2:0), the denoiser also
gets the position of each half-resolution pixel within that grid (one-hot column and row phase),
counted from the picture's top-left corner, where a JPEG file's grid starts: the block edges it must
smooth are then known instead of guessed from the picture. Tiles start at multiples of `grid` so that
a tile's corner lies on the picture's grid.

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
    grid: int = 0  # JPEG grid period (pixels) given as phase channels; 0: none (older cards)

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
        if made.grid < 0 or made.grid % 2:
            raise ValueError("denoise-ffd's grid must be 0 or an even number of pixels")
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
    # so a tiled run equals an untiled one (odd sides are still padded here, for direct callers). A
    # network told the JPEG grid raises it to the grid's period (__init__).
    size_multiple = 2

    def __init__(self, config: DenoiseConfig | None = None) -> None:
        super().__init__()
        self.config = config or DenoiseConfig()
        c = self.config
        self.context = c.receptive_field
        self.size_multiple = max(c.grid, 2)  # with a grid, tiles start on it
        self.phases = c.grid // 2  # grid period at half resolution
        self.estimator = _stack(12, c.est_width, c.est_depth, 1)
        # The new channels come last: a network without them is this one with their weights at zero.
        self.body = _stack(12 + 1 + 2 * self.phases, c.width, c.depth, 12)
        with torch.no_grad():  # starts close to the identity (output ~ input), not at it: a zero layer
            self.body[-1].weight.mul_(0.1)  # would leave the ones behind it without a gradient
            self.body[-1].bias.zero_()

    def level(self, image: torch.Tensor) -> torch.Tensor:
        """The estimated damage map (N, 1, H/2, W/2) of an even-sided picture, in LEVEL_UNITs."""
        return F.softplus(self.estimator(F.pixel_unshuffle(image - 0.5, 2)))

    def restore(self, image: torch.Tensor, level: torch.Tensor) -> torch.Tensor:
        """The restored even-sided picture given a half-resolution level map (N, 1, H/2, W/2)."""
        folded = F.pixel_unshuffle(image - 0.5, 2)  # (N, 12, H/2, W/2)
        damage = F.pixel_shuffle(self.body(torch.cat([folded, level, *self._grid_phase(folded)], 1)), 2)
        return image - damage

    def _grid_phase(self, folded: torch.Tensor) -> list[torch.Tensor]:
        """[] without a grid, else [(N, 2 * phases, H/2, W/2)]: one-hot column phase, then row phase,
        of each half-resolution pixel within the grid (counted from the top-left corner)."""
        if not self.phases:
            return []
        batch, _, height, width = folded.shape
        eye = torch.eye(self.phases, dtype=folded.dtype, device=folded.device)
        columns = eye[:, torch.arange(width, device=folded.device) % self.phases]  # (phases, W/2)
        rows = eye[:, torch.arange(height, device=folded.device) % self.phases]  # (phases, H/2)
        phase = torch.cat(
            [columns[:, None, :].expand(-1, height, -1), rows[:, :, None].expand(-1, -1, width)]
        )
        return [phase[None].expand(batch, -1, -1, -1)]

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
