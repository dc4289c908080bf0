"""Our upscaler: a compact residual CNN over bicubic (ESPCN/FSRCNN class), fast on a laptop CPU.

Every convolution runs at the LOW resolution (the cost per input pixel is fixed, whatever the
scale): a 3x3 head, `depth` 3x3 layers of `width` channels with PReLU, and a 3x3 tail predicting
scale*scale sub-pixel values per colour, which pixel-shuffle lays out at the high resolution
(ESPCN). The network predicts only what bicubic misses: its output is added to the bicubic
enlargement of the input (VDSR's residual learning), so it starts as bicubic and trains fast.
Input and output: (N, 3, H, W) RGB in 0..1 -> (N, 3, H*scale, W*scale), any H and W.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

ARCHITECTURE = "residual-sr"


@dataclass(frozen=True)
class SrConfig:
    """The network's shape, as the card's `config` states it (beside "architecture")."""

    scale: int = 2
    width: int = 32  # channels of the low-resolution layers
    depth: int = 4  # 3x3 convolutions between head and tail
    # The input folded into fold x fold blocks first (pixel-unshuffle, as FFDNet): fold^2 times fewer
    # positions per convolution, so wider layers for the same time and a wider view.
    fold: int = 1

    @property
    def receptive_field(self) -> int:
        """Input pixels on each side that reach an output pixel: head + body + tail 3x3 layers, and
        bicubic's 2."""
        return (self.depth + 2) * self.fold + self.fold

    def to_card(self) -> dict[str, Any]:
        return {"architecture": ARCHITECTURE, **asdict(self)}

    @classmethod
    def from_card(cls, config: Mapping[str, Any]) -> SrConfig:
        names = {f.name for f in fields(cls)}
        made = cls(**{key: int(value) for key, value in config.items() if key in names})
        if not 2 <= made.scale <= 8 or made.width < 1 or made.depth < 0 or made.fold not in (1, 2):
            raise ValueError(f"{ARCHITECTURE} needs scale 2..8, width >= 1, depth >= 0 and fold 1 or 2")
        return made


class SrNet(nn.Module):
    def __init__(self, config: SrConfig | None = None) -> None:
        super().__init__()
        self.config = c = config or SrConfig()
        self.scale = c.scale
        self.fold = c.fold
        self.size_multiple = c.fold  # the fold's grid lies the same in a tile as in the picture
        self.context = c.receptive_field + 2  # a little more than needed: tiled == untiled
        folded = 3 * c.fold * c.fold
        layers: list[nn.Module] = [nn.Conv2d(folded, c.width, 3, padding=1), nn.PReLU(c.width)]
        for _ in range(c.depth):
            layers += [nn.Conv2d(c.width, c.width, 3, padding=1), nn.PReLU(c.width)]
        self.body = nn.Sequential(*layers)
        self.tail = nn.Conv2d(c.width, 3 * (c.scale * c.fold) ** 2, 3, padding=1)
        nn.init.zeros_(self.tail.weight)  # starts as plain bicubic
        nn.init.zeros_(self.tail.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (N, 3, H, W) -> (N, 3, sH, sW)
        base = F.interpolate(x, scale_factor=self.scale, mode="bicubic", align_corners=False)
        folded = F.pixel_unshuffle(x, self.fold) if self.fold > 1 else x
        detail = F.pixel_shuffle(self.tail(self.body(folded)), self.scale * self.fold)
        return base + detail


def build(config: Mapping[str, Any]) -> SrNet:
    """The builder architectures.py registers: the network a card's config describes."""
    return SrNet(SrConfig.from_card(config))
