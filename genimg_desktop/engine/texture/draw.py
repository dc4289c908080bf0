"""Drawing a texture of any size: the noise field for a picture (plain or wrapped around so that the
picture tiles), and the generator run over it in overlapping strips.

Each output pixel depends on the noise cells within `margin` cells of it only (the generator is
fully convolutional, TextureGenerator.margin_cells), so a strip computed from its own rows plus
`margin` rows of noise above and below, then cropped, gives exactly the pixels one pass over the
whole field would: memory follows the strip, not the picture, and no seam can show.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import torch
import torch.nn.functional as F

from genimg_desktop.engine.latent_common import slerp_fields
from genimg_desktop.engine.texture.networks import TextureGenerator

STRIP_PIXELS = 1 << 23  # output pixels (margin included) computed at once: ~0.4 GB of activations


@dataclass(frozen=True)
class TextureNoise:
    """The randomness of `count` textures: global noise (B, G), wave phases (B, P) and the local noise
    field (B, L, rows + 2 margin, cols + 2 margin) over the picture's cells and a margin around them."""

    z_global: torch.Tensor
    phase: torch.Tensor
    local: torch.Tensor
    levels: tuple[torch.Tensor, ...]  # (B, 1, 2**k (rows + 2m), 2**k (cols + 2m)) for k = 1..n
    cells: tuple[int, int]  # (cols, rows) of the picture itself
    margin: int
    tile: bool


def draw_noise(
    net: TextureGenerator, count: int, cells: tuple[int, int], tile: bool, generator: torch.Generator
) -> TextureNoise:
    """Noise for `count` pictures of `cells` (cols, rows), drawn on the CPU from `generator`: global
    noise and phases first, so a seed keeps its overall look at every size."""
    config = net.config
    z_global = torch.randn(count, config.global_dim, generator=generator)
    phase = torch.rand(count, config.periodic_dim, generator=generator) * (2 * math.pi)
    local, levels = local_noise(net, count, cells, tile, generator)
    return TextureNoise(z_global, phase, local, levels, cells, TextureGenerator.margin_cells(config), tile)


def local_noise(
    net: TextureGenerator, count: int, cells: tuple[int, int], tile: bool, generator: torch.Generator
) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    """The local noise (count, L, rows + 2m, cols + 2m) and the noise map of each finer resolution;
    with `tile` the picture's own noise repeated around it, so every pixel drawn is periodic with
    the picture."""
    margin = TextureGenerator.margin_cells(net.config)
    local = _field(count, net.config.local_dim, cells, margin, 1, tile, generator)
    scales = [2 ** (k + 1) for k in range(len(net.config.width_list()))]
    return local, tuple(_field(count, 1, cells, margin, scale, tile, generator) for scale in scales)


def _field(
    count: int,
    channels: int,
    cells: tuple[int, int],
    margin: int,
    scale: int,
    tile: bool,
    generator: torch.Generator,
) -> torch.Tensor:
    """Gaussian noise (count, channels, scale (rows + 2m), scale (cols + 2m)): `scale` values per cell."""
    cols, rows = cells[0] * scale, cells[1] * scale
    pad = margin * scale
    if not tile:
        return torch.randn(count, channels, rows + 2 * pad, cols + 2 * pad, generator=generator)
    core = torch.randn(count, channels, rows, cols, generator=generator)
    ys = torch.arange(-pad, rows + pad) % rows
    xs = torch.arange(-pad, cols + pad) % cols
    return core[:, :, ys][:, :, :, xs]


def with_local(noise: TextureNoise, local: tuple[torch.Tensor, tuple[torch.Tensor, ...]]) -> TextureNoise:
    """`noise` with the local noise and noise maps `local_noise` drew in place of its own."""
    return replace(noise, local=local[0], levels=local[1])


def walk(start: TextureNoise, end: TextureNoise, frames: int) -> TextureNoise:
    """`frames` noise fields on the way from `start` to `end` (one texture each): every Gaussian part
    along the great circle between the two (slerp: each frame's noise stays unit Gaussian, so no frame
    is washed out), the wave phases along the shorter arc. The first and last frames are the ends'."""
    t = torch.linspace(0, 1, frames)

    def between(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return slerp_fields(a[:1], b[:1], t)

    turn = torch.remainder(end.phase[:1] - start.phase[:1] + math.pi, 2 * math.pi) - math.pi
    return replace(
        start,
        z_global=between(start.z_global, end.z_global),
        phase=start.phase[:1] + t[:, None] * turn,
        local=between(start.local, end.local),
        levels=tuple(between(a, b) for a, b in zip(start.levels, end.levels, strict=True)),
    )


def render(
    net: TextureGenerator,
    noise: TextureNoise,
    device: torch.device,
    progress: Callable[[float], None] | None = None,
    strip_pixels: int = STRIP_PIXELS,
) -> torch.Tensor:
    """The textures (B, 3, rows * stride, cols * stride) in [-1, 1] on the CPU, drawn strip by strip."""
    stride, margin = net.config.stride, noise.margin
    cols, rows = noise.cells
    z_global, phase = noise.z_global.to(device), noise.phase.to(device)
    waves = net.waves(z_global, (cols, rows) if noise.tile else None)
    width_px = (cols + 2 * margin) * stride
    strip = max(1, strip_pixels // (width_px * stride * len(z_global)) - 2 * margin)
    out = torch.empty(len(z_global), 3, rows * stride, cols * stride)
    for top in range(0, rows, strip):
        bottom = min(top + strip, rows)
        local = noise.local[:, :, top : bottom + 2 * margin].to(device)
        field = net.field(local, z_global, phase, waves, (-margin, top - margin))
        levels = [
            level[:, :, top * (2**k) : (bottom + 2 * margin) * (2**k)].to(device)
            for k, level in enumerate(noise.levels, 1)
        ]
        pixels = net(field, levels)
        keep = slice(margin * stride, (margin + bottom - top) * stride)
        out[:, :, top * stride : bottom * stride] = pixels[
            :, :, keep, margin * stride : (margin + cols) * stride
        ]
        if progress is not None:
            progress(bottom / rows)
    return out


def cells_for(width: int, height: int, stride: int) -> tuple[int, int]:
    """(cols, rows) of noise cells that cover width x height pixels."""
    return -(-width // stride), -(-height // stride)


def fit_to_size(images: torch.Tensor, width: int, height: int, tile: bool) -> torch.Tensor:
    """Drawn textures (B, 3, H', W') at width x height: cropped, or for a tile (which must repeat
    every width x height pixels) resampled around the wrap so that it still tiles exactly."""
    drawn_h, drawn_w = images.shape[-2:]
    if (drawn_h, drawn_w) == (height, width):
        return images
    if not tile:
        return images[:, :, :height, :width]
    pad = 3  # bicubic reads 2 pixels each side
    wrapped = F.pad(images, (pad, pad, pad, pad), mode="circular")
    # Pixel centres of the new grid, in the drawn picture's pixels, as grid_sample's [-1, 1] coordinates
    # of the padded one (align_corners=True: -1 and 1 are the first and last pixel centres).
    xs = (torch.arange(width) + 0.5) * drawn_w / width - 0.5 + pad
    ys = (torch.arange(height) + 0.5) * drawn_h / height - 0.5 + pad
    gx = xs / (drawn_w + 2 * pad - 1) * 2 - 1
    gy = ys / (drawn_h + 2 * pad - 1) * 2 - 1
    grid = torch.stack(torch.meshgrid(gy, gx, indexing="ij")[::-1], dim=-1)[None].expand(
        len(images), -1, -1, -1
    )
    return F.grid_sample(wrapped, grid, mode="bicubic", align_corners=True).clamp(-1, 1)
