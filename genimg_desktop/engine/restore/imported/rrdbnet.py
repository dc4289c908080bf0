"""RRDBNet, the ESRGAN / Real-ESRGAN generator (Wang et al. 2018), with BasicSR's parameter names
(`conv_first`, `body.N.rdbK.convM`, `conv_body`, `conv_up1/2`, `conv_hr`, `conv_last`), so that the
community's `.pth` files and the converted ncnn files fill the same module."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

RESIDUAL = 0.2  # ESRGAN's residual scaling, inside each dense block and around each RRDB


def _conv(cin: int, cout: int) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, 3, padding=1)


class DenseBlock(nn.Module):
    """Five 3x3 convolutions, each seeing the block input and every earlier output."""

    def __init__(self, feat: int, grow: int) -> None:
        super().__init__()
        for i in range(4):
            setattr(self, f"conv{i + 1}", _conv(feat + i * grow, grow))
        self.conv5 = _conv(feat + 4 * grow, feat)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = [x]
        for i in range(4):
            conv = getattr(self, f"conv{i + 1}")
            features.append(F.leaky_relu(conv(torch.cat(features, 1)), 0.2))
        return self.conv5(torch.cat(features, 1)) * RESIDUAL + x


class RRDB(nn.Module):
    def __init__(self, feat: int, grow: int) -> None:
        super().__init__()
        self.rdb1, self.rdb2, self.rdb3 = (DenseBlock(feat, grow) for _ in range(3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.rdb3(self.rdb2(self.rdb1(x))) * RESIDUAL + x


class RRDBNet(nn.Module):
    """x4 (two nearest-neighbour x2 steps); input and output RGB 0..1."""

    context = 16  # input pixels a tile needs on each side (the network's reach is wider; 16 hides seams)

    def __init__(self, num_feat: int = 64, num_block: int = 23, num_grow: int = 32) -> None:
        super().__init__()
        self.conv_first = _conv(3, num_feat)
        self.body = nn.Sequential(*(RRDB(num_feat, num_grow) for _ in range(num_block)))
        self.conv_body = _conv(num_feat, num_feat)
        self.conv_up1 = _conv(num_feat, num_feat)
        self.conv_up2 = _conv(num_feat, num_feat)
        self.conv_hr = _conv(num_feat, num_feat)
        self.conv_last = _conv(num_feat, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (N, 3, H, W) -> (N, 3, 4H, 4W)
        feat = self.conv_first(x)
        feat = feat + self.conv_body(self.body(feat))
        for conv in (self.conv_up1, self.conv_up2):
            feat = F.leaky_relu(conv(F.interpolate(feat, scale_factor=2, mode="nearest")), 0.2)
        return self.conv_last(F.leaky_relu(self.conv_hr(feat), 0.2))


def build_rrdbnet(config: Mapping[str, Any]) -> RRDBNet:
    if int(config.get("scale", 4)) != 4:
        raise ValueError("rrdbnet: only the x4 network is supported (scale 4)")
    return RRDBNet(
        int(config.get("num_feat", 64)), int(config.get("num_block", 23)), int(config.get("num_grow", 32))
    )
