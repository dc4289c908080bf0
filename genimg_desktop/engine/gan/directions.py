"""GANSpace (Härkönen et al., 2020): interpretable edit directions without labels.

The mapping network makes w = mapping(z) anisotropic; the principal axes of many sampled w are the
directions along which the generator's inputs vary most, and moving w along them changes coarse
attributes (size, shape, brightness) consistently across seeds and classes. Computed once per loaded
model from a fixed seed, so the same direction index means the same edit every session.
"""

from __future__ import annotations

import torch

from genimg_desktop.engine.gan.networks import MappingNetwork
from genimg_desktop.engine.latent_pca import LatentDirections, principal_axes, sample_covariance

DIRECTIONS_SEED = 20200406  # fixed: direction k is the same on every load and machine


@torch.no_grad()
def gan_directions(mapping: MappingNetwork, z_dim: int, count: int, samples: int) -> LatentDirections:
    """PCA of `samples` seeded w = mapping(z); keeps `count` axes (at most W)."""
    generator = torch.Generator().manual_seed(DIRECTIONS_SEED)
    device = next(mapping.parameters()).device
    z = torch.randn(samples, z_dim, generator=generator).to(device)  # (N, Z), drawn on the CPU
    w = mapping(z)  # (N, W)
    mean, covariance = sample_covariance(w)
    return principal_axes(mean.to(w.device, w.dtype), covariance, count)
