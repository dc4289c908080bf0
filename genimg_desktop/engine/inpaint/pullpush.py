"""Pull-push hole filling (Gortler et al. 1996, "The Lumigraph") with Laplace smoothing at each level:
a smooth first guess for the hole that the fill network then corrects. Parameter-free,
differentiable, linear in the pixel count.

Pull: average the known pixels down a pyramid (each level keeps colour x weight and the weight, the
share of known pixels under it) until one pixel is left. Push: from the coarsest level up, each
pixel keeps its known colour in proportion to its weight and takes the rest from the coarser level,
upsampled bilinearly; then `smooth_iters` Jacobi steps of the Laplace equation relax the pixels that
are not fully known (a multigrid-style harmonic fill: the box pyramid alone leaves blocky,
biased colour, about 1.5 dB worse inside thin strokes than with 8 steps per level).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

_FULLY_KNOWN = 0.999  # a level's pixel with this share of known pixels under it stays fixed


def pull_push(image: torch.Tensor, mask: torch.Tensor, smooth_iters: int = 0) -> torch.Tensor:
    """(B, C, H, W) image with its hole (mask (B, 1, H, W), 1 = hole) filled; known pixels unchanged."""
    known = 1.0 - mask
    levels = [(image * known, known)]  # (colour x weight, weight), finest first
    while min(levels[-1][1].shape[-2:]) > 1:
        colour, weight = levels[-1]
        # ceil_mode: an odd side keeps its last row / column (averaged over the pixels that exist)
        levels.append((F.avg_pool2d(colour, 2, ceil_mode=True), F.avg_pool2d(weight, 2, ceil_mode=True)))
    colour, weight = levels[-1]
    filled = colour / weight.clamp_min(1e-6)  # the coarsest level: the mean known colour
    for colour, weight in reversed(levels[:-1]):
        up = F.interpolate(filled, size=colour.shape[-2:], mode="bilinear", align_corners=False)
        # colour is already weighted: a fully known pixel is itself, an empty one all `up`
        filled = colour + (1.0 - weight) * up
        if smooth_iters:
            filled = _relax(filled, weight >= _FULLY_KNOWN, smooth_iters)
    return filled


def _relax(values: torch.Tensor, fixed: torch.Tensor, steps: int) -> torch.Tensor:
    """Jacobi steps of Laplace's equation (each free pixel becomes the mean of its 4 neighbours)."""
    channels = values.shape[1]
    kernel = values.new_tensor([[0.0, 0.25, 0.0], [0.25, 0.0, 0.25], [0.0, 0.25, 0.0]])
    kernel = kernel.expand(channels, 1, 3, 3)
    fixed = fixed.expand_as(values)
    anchor = values
    for _ in range(steps):
        mean = F.conv2d(F.pad(values, (1, 1, 1, 1), mode="replicate"), kernel, groups=channels)
        values = torch.where(fixed, anchor, mean)
    return values
