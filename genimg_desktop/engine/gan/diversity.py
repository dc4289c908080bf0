"""The mode-seeking term (Mao et al. 2019, MSGAN): two latents of the same class should give images
that differ in proportion to how far apart the latents are. A generator that maps a class's whole
latent space onto one image pays 1 / (image gap / latent gap), which grows without bound as the
class collapses and fades once the samples are as varied as their latents."""

from __future__ import annotations

import torch

EPS = 1e-5  # MSGAN's: bounds the term for identical images


def mode_seeking_loss(fake: torch.Tensor, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """fake (B, C, H, W), z (B, Z), labels (B,) -> scalar: the mean over same-class neighbour pairs
    (after a stable sort by class) of mean|z_a - z_b| / mean|x_a - x_b|; zero when no two samples
    share a class."""
    order = torch.argsort(labels, stable=True)
    first, second = order[:-1], order[1:]
    same = labels[first] == labels[second]
    first, second = first[same], second[same]
    if first.numel() == 0:
        return fake.new_zeros(())
    image_gap = (fake[first] - fake[second]).abs().flatten(1).mean(1)  # (P,)
    latent_gap = (z[first] - z[second]).abs().mean(1)  # (P,)
    return (1 / (image_gap / latent_gap + EPS)).mean()
