"""The conditional VAE's networks.

Encoder q(z | x, y): (B, C, R, R) -> 3x3 conv -> [4x4 stride-2 conv] per stage -> flatten, concat
                     the class embedding -> linear -> mean and log-variance (B, Z) each.
Decoder p(x | z, y): concat(z, class embedding) -> linear -> (B, C0, b, b) -> [4x4 stride-2
                     transposed conv, 3x3 conv] per stage -> 3x3 conv -> per value the location and
                     log-scale of a discretized logistic (likelihood.py), (B, C, R, R) each.
SiLU everywhere, no normalisation layers: a batch-free model is the same in training and use.
"""

from __future__ import annotations

import torch
from torch import nn

from genimg_desktop.engine.latent_common import stage_plan, stage_widths
from genimg_desktop.engine.vae import likelihood
from genimg_desktop.engine.vae.config import VaeConfig


class Encoder(nn.Module):
    def __init__(self, config: VaeConfig) -> None:
        super().__init__()
        base, stages = stage_plan(config.resolution)
        widths = stage_widths(stages, config.width, config.max_width)[::-1]  # high res -> low res
        layers: list[nn.Module] = [nn.Conv2d(config.channels, widths[0], 3, padding=1), nn.SiLU()]
        for c_in, c_out in zip(widths, widths[1:], strict=False):
            layers += [nn.Conv2d(c_in, c_out, 4, stride=2, padding=1), nn.SiLU()]  # halves the side
        self.features = nn.Sequential(*layers, nn.Flatten())
        self.head = nn.Linear(widths[-1] * base * base + config.embed_dim, 2 * config.z_dim)

    def forward(self, x: torch.Tensor, embedding: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (B, C, R, R), embedding (B, E) -> mean, log-variance (B, Z) each."""
        h = torch.cat([self.features(x), embedding], dim=1)  # (B, F + E)
        mu, logvar = self.head(h).chunk(2, dim=1)
        return mu, logvar.clamp(-12.0, 8.0)  # keeps exp() finite in the first, wild steps


class Decoder(nn.Module):
    def __init__(self, config: VaeConfig) -> None:
        super().__init__()
        self.base, stages = stage_plan(config.resolution)
        widths = stage_widths(stages, config.width, config.max_width)  # low res -> high res
        self.stem = nn.Linear(config.z_dim + config.embed_dim, widths[0] * self.base * self.base)
        layers: list[nn.Module] = [nn.SiLU()]
        for c_in, c_out in zip(widths, widths[1:], strict=False):
            layers += [nn.ConvTranspose2d(c_in, c_out, 4, stride=2, padding=1), nn.SiLU()]  # doubles
            layers += [nn.Conv2d(c_out, c_out, 3, padding=1), nn.SiLU()]
        layers.append(nn.Conv2d(widths[-1], 2 * config.channels, 3, padding=1))
        self.body = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor, embedding: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """z (B, Z), embedding (B, E) -> location, log-scale (B, C, R, R) each."""
        x = self.stem(torch.cat([z, embedding], dim=1))
        x = self.body(x.view(z.shape[0], -1, self.base, self.base))  # (B, 2C, R, R)
        mean, log_scale = x.chunk(2, dim=1)
        return mean, log_scale


def mean_image(decoder: Decoder, z: torch.Tensor, embedding: torch.Tensor) -> torch.Tensor:
    """Float32 locations (B, C, R, R) in [-1, 1] from float32 inputs, computed in the decoder's dtype."""
    dtype = decoder.stem.weight.dtype
    return decoder(z.to(dtype), embedding.to(dtype))[0].float().clamp(-1, 1)


class ConditionalVAE(nn.Module):
    """Encoder, decoder, class embedding, and running statistics of the encoded training images."""

    def __init__(self, config: VaeConfig) -> None:
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.num_classes, config.embed_dim)
        self.encoder = Encoder(config)
        self.decoder = Decoder(config)
        # Mean and second moment of the posterior means seen in training: their principal axes are
        # the `edit` directions. They start as the prior's (0, I), so an untrained model still works.
        self.register_buffer("latent_mean", torch.zeros(config.z_dim))
        self.register_buffer("latent_moment", torch.eye(config.z_dim))

    def forward(
        self, x: torch.Tensor, labels: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """x (B, C, R, R) at bin centres, labels (B,) -> (-log p(x | z) (B,), KL (B,), mu (B, Z)).

        One reparameterised sample of z per image: (nll + kl) is an unbiased estimate of -ELBO."""
        embedding = self.embed(labels)
        mu, logvar = self.encoder(x, embedding)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return self.nll(x, z, embedding), likelihood.kl_to_standard_normal(mu, logvar), mu

    def nll(self, x: torch.Tensor, z: torch.Tensor, embedding: torch.Tensor) -> torch.Tensor:
        """-log p(x | z, y) per image (B,) in nats."""
        mean, log_scale = self.decoder(z, embedding)
        return -likelihood.log_prob(x, mean, log_scale).sum(dim=(1, 2, 3))

    def decode_mean(self, z: torch.Tensor, embedding: torch.Tensor) -> torch.Tensor:
        """The image to show for z: the logistics' locations (B, C, R, R) in [-1, 1]. Drawing the
        per-pixel noise as well would only add grain: the decoder models pixels as independent."""
        return mean_image(self.decoder, z, embedding)

    @torch.no_grad()
    def track(self, mu: torch.Tensor, momentum: float) -> None:
        """Update the running statistics with a batch of posterior means (B, Z)."""
        mu = mu.detach().to(self.latent_mean.dtype)
        self.latent_mean.lerp_(mu.mean(dim=0), momentum)
        self.latent_moment.lerp_(mu.T @ mu / mu.shape[0], momentum)
