"""How close generated texture is to real crops of the same texture, by two classifier-free numbers:

- patch SWD: the multi-scale patch sliced Wasserstein distance of patch_stats.py, with fixed seeded
  directions (x1000). The trainer pulls on this statistic (with random directions each step), so it
  is reported as what it is, not as an independent judge.
- random-feature Gram distance: Gram matrices (channel correlations, Gatys et al. 2015) of the
  activations of a fixed, seeded, untrained 3-layer conv network (random features suffice for texture
  statistics, Ustyuzhaninov et al. 2017), compared as the relative Frobenius distance averaged over
  layers. Nothing was trained on it.

Both are given with the same number for two disjoint sets of real crops (the noise floor: what a
perfect model would score) so a value can be read.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from genimg_desktop.engine.texture.patch_stats import patch_distance

SEED = 2027
WIDTH = 64
DIRECTIONS = 128


def _random_layers() -> list[torch.Tensor]:
    generator = torch.Generator().manual_seed(SEED)
    shapes = [(WIDTH, 3, 3, 3), (WIDTH, WIDTH, 3, 3), (WIDTH, WIDTH, 3, 3)]
    return [torch.randn(shape, generator=generator) / (shape[1] * 9) ** 0.5 for shape in shapes]


def gram_matrices(images: torch.Tensor) -> list[torch.Tensor]:
    """Per layer, the mean Gram matrix (C, C) over the batch (B, 3, H, W) in [-1, 1]."""
    grams, x = [], images
    for weight in _random_layers():
        x = F.relu(F.conv2d(x, weight, padding=1))
        flat = x.flatten(2)  # (B, C, HW)
        grams.append((flat @ flat.transpose(1, 2)).mean(0) / flat.shape[-1])
        x = F.avg_pool2d(x, 2)
    return grams


def gram_distance(a: torch.Tensor, b: torch.Tensor) -> float:
    distances = [
        float((ga - gb).norm() / gb.norm().clamp_min(1e-8))
        for ga, gb in zip(gram_matrices(a), gram_matrices(b), strict=True)
    ]
    return sum(distances) / len(distances)


def swd(a: torch.Tensor, b: torch.Tensor) -> float:
    generator = torch.Generator().manual_seed(SEED)
    return 1000 * float(patch_distance(a, b, DIRECTIONS, generator))


@torch.no_grad()
def texture_scores(fake: torch.Tensor, real: torch.Tensor, real_again: torch.Tensor) -> dict[str, float]:
    """Both numbers for `fake` crops against `real` ones, and for `real_again` (other real crops)."""
    return {
        "patch_swd": swd(fake, real),
        "patch_swd_real": swd(real_again, real),
        "gram": gram_distance(fake, real),
        "gram_real": gram_distance(real_again, real),
    }
