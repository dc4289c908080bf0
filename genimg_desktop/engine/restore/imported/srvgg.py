"""SRVGGNetCompact, Real-ESRGAN's compact upscaler (realesr-animevideov3, realesr-general-x4v3):
plain 3x3 convolutions with PReLU, a pixel shuffle, plus the nearest-upsampled input. BasicSR's
parameter names (`body.N`), so community `.pth` files fill it too. The published x2 and x3 ncnn
files are the x4 network followed by a bicubic downscale; `scale` < `net_scale` does the same."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn


class SRVGGNetCompact(nn.Module):
    def __init__(
        self, num_feat: int = 64, num_conv: int = 16, net_scale: int = 4, scale: int | None = None
    ) -> None:
        super().__init__()
        self.net_scale = net_scale
        self.scale = scale or net_scale
        layers: list[nn.Module] = [nn.Conv2d(3, num_feat, 3, padding=1), nn.PReLU(num_feat)]
        for _ in range(num_conv):
            layers += [nn.Conv2d(num_feat, num_feat, 3, padding=1), nn.PReLU(num_feat)]
        layers.append(nn.Conv2d(num_feat, 3 * net_scale * net_scale, 3, padding=1))
        self.body = nn.Sequential(*layers)
        self.context = num_conv + 2  # one pixel per 3x3 convolution: tiled equals untiled

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (N, 3, H, W) -> (N, 3, sH, sW)
        out = F.pixel_shuffle(self.body(x), self.net_scale)
        out = out + F.interpolate(x, scale_factor=self.net_scale, mode="nearest")
        if self.scale != self.net_scale:
            size = (x.shape[-2] * self.scale, x.shape[-1] * self.scale)
            out = F.interpolate(out, size=size, mode="bicubic", align_corners=False)
        return out


def build_srvgg(config: Mapping[str, Any]) -> SRVGGNetCompact:
    net_scale = int(config.get("net_scale", config.get("scale", 4)))
    scale = int(config.get("scale", net_scale))
    if not 1 <= scale <= net_scale:
        raise ValueError(f"srvgg-compact: scale {scale} must be between 1 and the network's {net_scale}")
    return SRVGGNetCompact(int(config.get("num_feat", 64)), int(config.get("num_conv", 16)), net_scale, scale)
