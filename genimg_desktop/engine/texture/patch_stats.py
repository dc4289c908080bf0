"""Multi-scale patch statistics of textures: the sliced Wasserstein distance between the distributions
of small patches of two sets of pictures, at several scales of a Gaussian pyramid (Rabin et al. 2011;
Karras et al. 2018 use it to judge GANs, Heitz et al. 2021 to synthesise textures).

The distribution of patches is what a stationary texture is, so two textures whose patches match at
every scale look alike; it needs no trained feature network, so it works offline on any picture.
The trainer uses it as a loss beside the critic (random directions each step), and the bench
reports it as a quality number against real crops (fixed directions, seeded)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

PATCH = 7
LEVELS = 4  # full size, 1/2, 1/4, 1/8: patches of 7 to 56 px of the picture
PATCHES_PER_LEVEL = 4096


def pyramid(images: torch.Tensor, levels: int) -> list[torch.Tensor]:
    """The images at full size and each halving (2x2 average: a cheap Gaussian-like blur)."""
    out = [images]
    for _ in range(levels - 1):
        out.append(F.avg_pool2d(out[-1], 2))
    return out


def random_patches(
    images: torch.Tensor, count: int, generator: torch.Generator | None = None
) -> torch.Tensor:
    """`count` PATCH x PATCH patches (count, PATCH * PATCH * C) from random places in the batch (colour
    kept: it is part of a texture)."""
    batch, channels, height, width = images.shape
    ys = torch.randint(0, height - PATCH + 1, (count,), generator=generator)
    xs = torch.randint(0, width - PATCH + 1, (count,), generator=generator)
    bs = torch.randint(0, batch, (count,), generator=generator)
    offsets = torch.arange(PATCH)
    rows = (ys[:, None] + offsets)[:, :, None].expand(-1, -1, PATCH)  # (N, P, P)
    cols = (xs[:, None] + offsets)[:, None, :].expand(-1, PATCH, -1)
    patches = images[bs[:, None, None], :, rows.to(images.device), cols.to(images.device)]  # (N, P, P, C)
    return patches.reshape(count, -1)


def sliced_wasserstein(a: torch.Tensor, b: torch.Tensor, directions: torch.Tensor) -> torch.Tensor:
    """Mean squared difference of the sorted projections of point sets a (N, D) and b (N, D) on the
    unit `directions` (D, K): the sliced Wasserstein-2 distance, squared."""
    pa = torch.sort(a @ directions, dim=0).values
    pb = torch.sort(b @ directions, dim=0).values
    return (pa - pb).pow(2).mean()


def unit_directions(
    dim: int, count: int, generator: torch.Generator | None, device: torch.device
) -> torch.Tensor:
    d = torch.randn(dim, count, generator=generator).to(device)
    return d / d.norm(dim=0, keepdim=True)


def patch_distance(
    fake: torch.Tensor,
    real: torch.Tensor,
    directions: int = 64,
    generator: torch.Generator | None = None,
    levels: int = LEVELS,
) -> torch.Tensor:
    """The multi-scale patch SWD between two batches (B, 3, H, W) in [-1, 1]: the mean over scales."""
    total = fake.new_zeros(())
    for small_fake, small_real in zip(pyramid(fake, levels), pyramid(real, levels), strict=True):
        if min(small_fake.shape[-2:] + small_real.shape[-2:]) < PATCH:
            break
        a = random_patches(small_fake, PATCHES_PER_LEVEL, generator)
        b = random_patches(small_real, PATCHES_PER_LEVEL, generator)
        total = total + sliced_wasserstein(
            a, b, unit_directions(a.shape[1], directions, generator, fake.device)
        )
    return total / levels
