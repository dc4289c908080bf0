"""Real-CUGAN's x2 network (bilibili/ailab, UpCunet2x): two cascaded U-Nets of unpadded convolutions,
with squeeze-and-excitation blocks in the "se" models (none in "nose"). The network wants its input
padded by 18 pixels on each side and an even size; the module pads by replication itself (as
realcugan-ncnn-vulkan does), so callers see (N, 3, H, W) 0..1 -> (N, 3, 2H, 2W) for even H and W
(`size_multiple` = 2 tells the tiler to pad odd sides). The SE blocks average over the whole tile,
so tiled output can differ slightly from untiled (realcugan-ncnn-vulkan shares the averages
across tiles; we do not)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

PAD = 18  # what the network trims: 2 x 18 in, 2 x 36 out at x2


def _lrelu(x: torch.Tensor) -> torch.Tensor:
    return F.leaky_relu(x, 0.1)


class SEBlock(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels // 8, 1)
        self.conv2 = nn.Conv2d(channels // 8, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weights = x.mean(dim=(2, 3), keepdim=True)
        return x * torch.sigmoid(self.conv2(F.relu(self.conv1(weights))))


class UNetConv(nn.Module):
    def __init__(self, cin: int, mid: int, cout: int, se: bool) -> None:
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(cin, mid, 3), nn.Conv2d(mid, cout, 3))
        self.seblock = SEBlock(cout) if se else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for conv in self.conv:
            x = _lrelu(conv(x))
        return self.seblock(x) if self.seblock is not None else x


def _crop(x: torch.Tensor, border: int) -> torch.Tensor:
    return x[..., border:-border, border:-border]


class UNet1(nn.Module):
    def __init__(self, se: bool) -> None:
        super().__init__()
        self.conv1 = UNetConv(3, 32, 64, se=False)
        self.conv1_down = nn.Conv2d(64, 64, 2, 2)
        self.conv2 = UNetConv(64, 128, 64, se=se)
        self.conv2_up = nn.ConvTranspose2d(64, 64, 2, 2)
        self.conv3 = nn.Conv2d(64, 64, 3)
        self.conv_bottom = nn.ConvTranspose2d(64, 3, 4, 2, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x1 = self.conv1(x)
        x2 = _lrelu(self.conv2_up(self.conv2(_lrelu(self.conv1_down(x1)))))
        return self.conv_bottom(_lrelu(self.conv3(_crop(x1, 4) + x2)))


class UNet2(nn.Module):
    def __init__(self, se: bool) -> None:
        super().__init__()
        self.conv1 = UNetConv(3, 32, 64, se=False)
        self.conv1_down = nn.Conv2d(64, 64, 2, 2)
        self.conv2 = UNetConv(64, 64, 128, se=se)
        self.conv2_down = nn.Conv2d(128, 128, 2, 2)
        self.conv3 = UNetConv(128, 256, 128, se=se)
        self.conv3_up = nn.ConvTranspose2d(128, 128, 2, 2)
        self.conv4 = UNetConv(128, 64, 64, se=se)
        self.conv4_up = nn.ConvTranspose2d(64, 64, 2, 2)
        self.conv5 = nn.Conv2d(64, 64, 3)
        self.conv_bottom = nn.Conv2d(64, 3, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x1 = self.conv1(x)
        x2 = self.conv2(_lrelu(self.conv1_down(x1)))
        x3 = _lrelu(self.conv3_up(self.conv3(_lrelu(self.conv2_down(x2)))))
        x4 = _lrelu(self.conv4_up(self.conv4(_crop(x2, 4) + x3)))
        return self.conv_bottom(_lrelu(self.conv5(_crop(x1, 16) + x4)))


class UpCunet2x(nn.Module):
    scale = 2
    size_multiple = 2
    context = PAD
    prepad = PAD  # what the ncnn original expects its caller to add (the reference check adds it)

    def __init__(self, se: bool = True) -> None:
        super().__init__()
        self.unet1 = UNet1(se)
        self.unet2 = UNet2(se)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (N, 3, H, W), H and W even
        x = self.unet1(F.pad(x, (PAD,) * 4, mode="replicate"))
        return self.unet2(x) + _crop(x, 20)


def build_cugan(config: Mapping[str, Any]) -> UpCunet2x:
    if int(config.get("scale", 2)) != 2:
        raise ValueError("cugan: only Real-CUGAN's x2 network is supported (scale 2)")
    return UpCunet2x(bool(config.get("se", True)))
