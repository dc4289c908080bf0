"""The fill network (a U-Net whose bottleneck is a stack of dilated residual blocks) and the patch
discriminator that trains it. Tensors: (B, C, H, W) in [-1, 1]; masks (B, 1, H, W), 1 = hole."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import spectral_norm

from genimg_desktop.engine.inpaint.config import InpaintConfig
from genimg_desktop.engine.inpaint.pullpush import pull_push


def _act() -> nn.Module:
    return nn.LeakyReLU(0.2, inplace=True)


class DilatedBlock(nn.Module):
    """x + conv(act(conv_dilated(x))): the dilation widens the view without lowering resolution."""

    def __init__(self, channels: int, dilation: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=dilation, dilation=dilation)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)
        self.act = _act()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(self.act(self.conv1(x)))


class FourierBlock(nn.Module):
    """x + conv(act(spectral(x))), LaMa's Fourier unit (Suvorov et al. 2022): a 1x1 convolution over
    the real and imaginary parts of the picture's 2-D FFT mixes every position with every other, so
    one block sees the whole crop (repeating texture, long straight edges) at any size."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.spectral = nn.Conv2d(2 * channels, 2 * channels, 1)
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)
        nn.init.zeros_(self.conv.weight)  # starts as the identity: added to a trained network, it
        nn.init.zeros_(self.conv.bias)  # changes nothing until it has learned something
        self.act = _act()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        height, width = x.shape[-2:]
        freq = torch.fft.rfft2(x.float(), norm="ortho")  # (B, C, H, W // 2 + 1) complex
        mixed = self.act(self.spectral(torch.cat([freq.real, freq.imag], dim=1)))
        real, imag = mixed.chunk(2, dim=1)
        spatial = torch.fft.irfft2(torch.complex(real, imag), s=(height, width), norm="ortho").to(x.dtype)
        return x + self.conv(self.act(spatial))


class NoiseInjection(nn.Module):
    """x + weight * noise inside the hole: one map of Gaussian noise (B, 1, H, W) broadcast over the
    channels, each channel with its own learned weight (zero at the start: a trained network keeps its
    fill until it has learned to use the noise). Outside the hole the features are left alone, so the
    kept pixels' context does not change with the seed."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1, channels, 1, 1))

    def forward(self, x: torch.Tensor, mask: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        batch, _, height, width = x.shape
        noise = torch.randn(batch, 1, height, width, generator=generator)  # on the CPU: same on any device
        hole = F.adaptive_max_pool2d(mask, (height, width))  # a cell that touches the hole counts
        return x + self.weight * noise.to(x.device, x.dtype) * hole


class FillNet(nn.Module):
    """Input: the image with its hole filled smoothly by pull-push, plus the mask (4 channels);
    output: RGB, that first guess plus a learned correction (clamp to [-1, 1] for display).

    The network only has to learn what a smooth fill gets wrong (edges, texture), not to paint colour
    from nothing, which trains far faster on a CPU budget. Fully convolutional: any H, W that are
    multiples of `config.stride` (the model pads to that). Encoder features are added to the
    decoder's at each level (U-Net skips, added rather than concatenated to keep the decoder cheap),
    so pixels near the hole's edge keep their detail. With `config.noise`, noise maps (NoiseInjection)
    enter at the bottleneck and after each decoder stage: the fill then depends on the generator's
    seed."""

    def __init__(self, config: InpaintConfig) -> None:
        super().__init__()
        widths = [min(config.width * 2**i, config.max_width) for i in range(config.levels + 1)]
        self.smooth_iters = config.smooth_iters
        self.stem = nn.Conv2d(4, widths[0], 5, padding=2)
        self.down = nn.ModuleList(
            nn.Conv2d(widths[i], widths[i + 1], 3, stride=2, padding=1) for i in range(config.levels)
        )
        dilated = [DilatedBlock(widths[-1], d) for d in config.dilation_list()]
        self.middle = nn.Sequential(*dilated, *(FourierBlock(widths[-1]) for _ in range(config.fourier)))
        self.up = nn.ModuleList(
            nn.Conv2d(widths[i + 1], widths[i], 3, padding=1) for i in reversed(range(config.levels))
        )
        self.upsample = config.upsample
        # one injection at the bottleneck, then one after each decoder stage (coarse to fine)
        self.noise = nn.ModuleList(
            NoiseInjection(widths[i]) for i in reversed(range(config.levels + 1) if config.noise else ())
        )
        self.head = nn.Conv2d(widths[0], 3, 3, padding=1)
        nn.init.zeros_(self.head.weight)  # start as the pull-push fill itself
        nn.init.zeros_(self.head.bias)
        self.act = _act()

    def forward(
        self,
        image: torch.Tensor,
        mask: torch.Tensor,
        guess: torch.Tensor | None = None,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """`guess`: a first fill to correct instead of pull-push's (a coarse fill scaled up, when the
        app refines a downscaled result at full size); its known pixels must be the image's.
        `generator`: a CPU generator for the noise maps (None: torch's global one, as in training)."""
        if guess is None:
            guess = pull_push(image, mask, self.smooth_iters)  # (B, 3, H, W): the hole filled smoothly
        x = self.act(self.stem(torch.cat([guess, mask], dim=1)))  # (B, w0, H, W)
        skips = [x]
        for conv in self.down:
            x = self.act(conv(x))
            skips.append(x)
        # one injection per stage (bottleneck, then each decoder stage), or none at all
        stages: list[NoiseInjection | None] = list(self.noise) or [None] * (len(self.up) + 1)
        x = self.middle(_noisy(stages[0], x, mask, generator))  # (B, w_max, H / stride, W / stride)
        for conv, skip, injection in zip(self.up, reversed(skips[:-1]), stages[1:], strict=True):
            x = F.interpolate(x, scale_factor=2.0, mode=self.upsample)
            x = _noisy(injection, self.act(conv(x)) + skip, mask, generator)
        return guess + self.head(x)


def _noisy(
    injection: NoiseInjection | None, x: torch.Tensor, mask: torch.Tensor, generator: torch.Generator | None
) -> torch.Tensor:
    return x if injection is None else injection(x, mask, generator)


class PatchDiscriminator(nn.Module):
    """Spectral-normalised strided convolutions scoring overlapping patches; sees image + mask so it
    can learn where fakes are. `forward` returns (scores (B, 1, h, w), hidden features)."""

    def __init__(self, config: InpaintConfig) -> None:
        super().__init__()
        w = config.d_width
        chans = [4, w, 2 * w, 4 * w]
        self.blocks = nn.ModuleList(
            spectral_norm(nn.Conv2d(chans[i], chans[i + 1], 4, stride=2, padding=1)) for i in range(3)
        )
        self.out = spectral_norm(nn.Conv2d(chans[-1], 1, 3, padding=1))
        self.act = _act()

    def forward(self, image: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        x = torch.cat([image, mask], dim=1)
        features = []
        for conv in self.blocks:
            x = self.act(conv(x))
            features.append(x)
        return self.out(x), features
