"""Principal directions of a latent space, for edit sliders (GAN: GANSpace on w; VAE: encoded data)."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class LatentDirections:
    mean: torch.Tensor  # (D,) mean of the latents
    axes: torch.Tensor  # (K, D) unit principal axes, most variance first
    stds: torch.Tensor  # (K,) standard deviation of the latents along each axis

    @property
    def count(self) -> int:
        return int(self.axes.shape[0])

    def shift(self, latents: torch.Tensor, index: int, amount: float) -> torch.Tensor:
        """latents (B, D) moved `amount` standard deviations along axis `index`."""
        return latents + amount * self.stds[index] * self.axes[index]


def principal_axes(mean: torch.Tensor, covariance: torch.Tensor, count: int) -> LatentDirections:
    """The `count` (at most D) leading eigenvectors of a (D, D) covariance, on mean's device."""
    dtype, device = mean.dtype, mean.device
    covariance = covariance.detach().cpu().double()  # on the CPU: MPS has no float64, eigh wants it
    covariance = (covariance + covariance.T) / 2  # exactly symmetric for eigh
    eigenvalues, eigenvectors = torch.linalg.eigh(covariance)  # ascending
    order = torch.argsort(eigenvalues, descending=True)[: min(count, covariance.shape[0])]
    axes = eigenvectors[:, order].T  # (K, D)
    # An eigenvector's sign is arbitrary (it may differ between LAPACK builds): fix it so "+amount"
    # means the same edit everywhere.
    biggest = axes.gather(1, axes.abs().argmax(dim=1, keepdim=True))  # (K, 1)
    axes = axes * torch.where(biggest < 0, -1.0, 1.0).to(axes.dtype)
    stds = eigenvalues[order].clamp_min(0).sqrt()
    return LatentDirections(mean.detach(), axes.to(device, dtype), stds.to(device, dtype))


def sample_covariance(samples: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(mean (D,), covariance (D, D)) of samples (N, D), in double precision on the CPU."""
    x = samples.detach().cpu().double()
    mean = x.mean(dim=0)
    centred = x - mean
    return mean, centred.T @ centred / max(x.shape[0] - 1, 1)
