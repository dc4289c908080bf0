"""The GAN's networks: a mapping MLP + conditional-batchnorm generator, and a projection critic.

Generator:  z (B, Z) -> mapping MLP -> w (B, W) -> linear -> (B, C0, b, b) -> [4x4 stride-2
            transposed conv, conditional BN, ReLU] per stage -> 3x3 conv -> tanh -> (B, C, R, R).
            The class enters every normalisation as a gain and bias computed from a shared class
            embedding (BigGAN), so it can be interpolated and, for inpainting, optimised.
Critic:     (B, C, R, R) -> 3x3 conv -> 4x4 stride-2 conv per stage -> minibatch-stddev map ->
            3x3 conv, all with spectral norm and LeakyReLU -> spatial sum h (B, D)
            -> linear(h) + <embed(y), h> (projection discriminator).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from genimg_desktop.engine.gan.config import GanConfig
from genimg_desktop.engine.latent_common import stage_plan, stage_widths

LEAK = 0.2  # the mapping network's leaky ReLU slope


class MappingNetwork(nn.Module):
    """z -> w. Learnt, so w is not isotropic: its principal axes are meaningful (GANSpace)."""

    def __init__(self, config: GanConfig) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = config.z_dim
        for _ in range(config.mapping_layers):
            linear = nn.Linear(width, config.w_dim)
            # He init for the LeakyReLU: w keeps z's unit scale. torch's default shrinks the signal
            # ~2.5x per layer, leaving the stem's biases (a fixed template) to dominate, and the
            # generator then ignores z (each class collapses to one image early in training).
            nn.init.kaiming_normal_(linear.weight, a=LEAK)
            nn.init.zeros_(linear.bias)
            layers += [linear, nn.LeakyReLU(LEAK)]
            width = config.w_dim
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)  # (B, W)


class ConditionalBatchNorm(nn.Module):
    """BatchNorm without its own affine; gain and bias come from the condition vector (the class
    embedding, and with `style_from_w` also w)."""

    def __init__(self, channels: int, embed_dim: int) -> None:
        super().__init__()
        self.norm = nn.BatchNorm2d(channels, affine=False)
        # torch's default init, not zeros: from the first step each class has its own gains (about
        # 1 ± 0.5). Zero-initialised, Adam needs thousands of steps to make the classes differ, and
        # meanwhile the projection critic punishes a generator that cannot yet express the class.
        self.gain = nn.Linear(embed_dim, channels)
        self.bias = nn.Linear(embed_dim, channels)

    def forward(self, x: torch.Tensor, embedding: torch.Tensor) -> torch.Tensor:
        gain = 1 + self.gain(embedding)[:, :, None, None]  # (B, C, 1, 1)
        return self.norm(x) * gain + self.bias(embedding)[:, :, None, None]


class UpBlock(nn.Module):
    def __init__(self, c_in: int, c_out: int, embed_dim: int) -> None:
        super().__init__()
        # DCGAN's 4x4 stride-2 transposed conv: 4 taps per output pixel against 9 for upsample + 3x3,
        # which matters on a CPU; a kernel divisible by the stride keeps checkerboard artefacts faint.
        self.conv = nn.ConvTranspose2d(c_in, c_out, 4, stride=2, padding=1)
        self.norm = ConditionalBatchNorm(c_out, embed_dim)

    def forward(self, x: torch.Tensor, embedding: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.norm(self.conv(x), embedding))  # (B, c_out, 2H, 2W)


class Generator(nn.Module):
    def __init__(self, config: GanConfig) -> None:
        super().__init__()
        self.config = config
        self.base, stages = stage_plan(config.resolution)
        widths = stage_widths(stages, config.g_width, config.max_width)
        self.mapping = MappingNetwork(config)
        self.embed = nn.Embedding(config.num_classes, config.embed_dim)
        self.stem = nn.Linear(config.w_dim, widths[0] * self.base * self.base)
        # With style_from_w, w also sets every layer's gains and biases (StyleGAN's styles, BigGAN's
        # skip-z). Fed only to the stem, the latent's share of the signal shrinks ~3x per block under
        # the class biases every layer adds, and each class collapses onto one image.
        cond = config.embed_dim + (config.w_dim if config.style_from_w else 0)
        self.stem_norm = ConditionalBatchNorm(widths[0], cond)
        self.blocks = nn.ModuleList(UpBlock(a, b, cond) for a, b in zip(widths, widths[1:], strict=False))
        self.to_image = nn.Conv2d(widths[-1], config.channels, 3, padding=1)

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """z (B, Z), labels (B,) -> images (B, C, R, R) in [-1, 1]."""
        return self.synthesis(self.mapping(z), self.embed(labels))

    def synthesis(self, w: torch.Tensor, embedding: torch.Tensor) -> torch.Tensor:
        """w (B, W), class embedding (B, E) -> images (B, C, R, R). Tasks edit w or the embedding."""
        x = self.stem(w).view(w.shape[0], -1, self.base, self.base)  # (B, C0, b, b)
        cond = torch.cat([embedding, w], dim=1) if self.config.style_from_w else embedding  # (B, E [+ W])
        x = torch.relu(self.stem_norm(x, cond))
        for block in self.blocks:
            x = block(x, cond)  # (B, Ci, 2s, 2s)
        return torch.tanh(self.to_image(x))


def _sn_conv(c_in: int, c_out: int, kernel: int, stride: int) -> nn.Module:
    # padding 1 keeps the side for 3x3 stride 1 and halves it exactly for 4x4 stride 2
    return spectral_norm(nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=1))


def minibatch_std(x: torch.Tensor, group: int) -> torch.Tensor:
    """x (N, C, H, W) -> (N, C + 1, H, W): one more map holding the standard deviation of the
    features across each group of `group` consecutive samples (ProGAN/StyleGAN). A critic that sees
    single images cannot notice that every fake looks alike; with this it can, which keeps the
    generator from collapsing each class onto one image."""
    n, _, h, w = x.shape
    if group < 2 or n % group:
        group = 1  # no grouping possible: a zero map keeps the shapes
    grouped = x.view(n // group, group, *x.shape[1:])  # (M, G, C, H, W)
    std = (grouped.var(dim=1, unbiased=False) + 1e-8).sqrt().mean(dim=(1, 2, 3))  # (M,)
    if group == 1:
        std = torch.zeros_like(std)
    stat = std.view(-1, 1, 1, 1, 1).expand(-1, group, 1, h, w).reshape(n, 1, h, w)
    return torch.cat([x, stat], dim=1)


class Discriminator(nn.Module):
    def __init__(self, config: GanConfig) -> None:
        super().__init__()
        _, stages = stage_plan(config.resolution)
        widths = stage_widths(stages, config.d_width, config.max_width)[::-1]  # high res -> low res
        layers: list[nn.Module] = [_sn_conv(config.channels, widths[0], 3, 1), nn.LeakyReLU(0.2)]
        for c_in, c_out in zip(widths, widths[1:], strict=False):
            layers += [_sn_conv(c_in, c_out, 4, 2), nn.LeakyReLU(0.2)]  # halves the side
        self.features = nn.Sequential(*layers)
        self.group = config.mbstd_group
        self.mix = _sn_conv(widths[-1] + 1, widths[-1], 3, 1)  # sees the batch statistic
        self.linear = spectral_norm(nn.Linear(widths[-1], 1))
        self.embed = spectral_norm(nn.Embedding(config.num_classes, widths[-1]))

    def forward(self, images: torch.Tensor, labels: torch.Tensor, group: int | None = None) -> torch.Tensor:
        """images (B, C, R, R), labels (B,) -> realness scores (B,). Groups of `group` (default the
        config's mbstd_group) consecutive images are compared: never mix real and fake in one."""
        x = minibatch_std(self.features(images), self.group if group is None else group)  # (B, D + 1, b, b)
        h = F.leaky_relu(self.mix(x), 0.2).sum(dim=(2, 3))  # (B, D); a sum, as in SNGAN's critic
        projection = (self.embed(labels) * h).sum(dim=1)  # (B,): agreement of image and class
        return self.linear(h).squeeze(1) + projection
