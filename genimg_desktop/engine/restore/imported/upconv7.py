"""waifu2x's UpConv7 (nagadomi): six unpadded 3x3 convolutions with leaky ReLU 0.1 and a 4x4
stride-2 transposed convolution. The network wants its input padded by 7 pixels on each side and
returns exactly 2x the unpadded size; the module pads by replication itself (as waifu2x-ncnn-vulkan
does), so callers see the plain contract: (N, 3, H, W) 0..1 -> (N, 3, 2H, 2W)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

CHANNELS = (16, 32, 64, 128, 128, 256)
PAD = 7  # six 3x3 convolutions (6 px) + the transposed convolution's border (1 px)


class UpConv7(nn.Module):
    scale = 2
    context = PAD  # tiled equals untiled
    prepad = PAD  # what the ncnn original expects its caller to add (the reference check adds it)

    def __init__(self, channels: Sequence[int] = CHANNELS) -> None:
        super().__init__()
        widths = [3, *channels]
        self.body = nn.Sequential(*(nn.Conv2d(a, b, 3) for a, b in zip(widths, widths[1:], strict=False)))
        self.up = nn.ConvTranspose2d(widths[-1], 3, 4, stride=2, padding=3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feat = F.pad(x, (PAD,) * 4, mode="replicate")
        for conv in self.body:
            feat = F.leaky_relu(conv(feat), 0.1)
        return self.up(feat)


def build_upconv7(config: Mapping[str, Any]) -> UpConv7:
    if int(config.get("scale", 2)) != 2:
        raise ValueError("upconv7: the network upscales x2 (scale 2)")
    return UpConv7(tuple(int(c) for c in config.get("channels", CHANNELS)))
