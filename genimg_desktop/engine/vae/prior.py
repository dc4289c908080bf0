"""Where the VAE draws its latents from: a Gaussian mixture per class, fitted to the encoded training
images after training ("ex-post density estimation", Ghosh et al. 2020; the two-stage VAE of Dai and
Wipf 2019 makes the same point).

Why: on a small, varied data set the posterior means of the training images fill only part of the
N(0, I) prior (the encoder's posteriors are narrow, std ~0.06 on the emoji, and their union leaves
holes), so a latent drawn from N(0, I) mostly decodes to a blend of looks that no class has. The
decoder itself reconstructs the training images well; drawing from a density fitted to where the
encoder puts each class's images gives samples from the regions it has learnt to decode. The emoji
VAE went from 23% to 63% of samples in the asked group, the Fashion-MNIST one from 56% to 91%
(docs/MODELS.md).

The mixture is fitted per class by EM with full covariances, each shrunk halfway towards the class's
pooled within-component covariance (and that towards the covariance of all classes when a class has
few images), so a few dozen images per class still give a proper density. Models written before
this have no mixture and keep drawing from N(0, I).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

PREFIX = "prior."  # the weights file's keys for the mixture, beside the network's
COMPONENTS = 8  # per class (emoji VAE sample accuracy: 4 -> 60%, 8 -> 63%, 16 -> 62%)
SHRINK = 0.5  # each component's covariance: this share of the pooled one, the rest its own
EM_STEPS = 50
MIN_PER_COMPONENT = 8  # a class with fewer images per component gets fewer components


@dataclass(frozen=True)
class ClassMixture:
    """Per class k: component weights (K, M), means (K, M, Z) and Cholesky factors (K, M, Z, Z);
    components a class does not use have weight 0."""

    weights: torch.Tensor
    means: torch.Tensor
    scale_tril: torch.Tensor

    def latents(self, noise: torch.Tensor, labels: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Latents (B, Z) for standard normal `noise` (B, Z) (already scaled by the temperature) and
        classes (B,): a component drawn per image from `generator` (on the CPU, like all noise), then
        its mean plus its Cholesky factor times the noise."""
        picks = torch.rand(labels.shape[0], generator=generator).to(labels.device)
        cumulative = self.weights[labels].cumsum(dim=1)  # (B, M)
        index = torch.searchsorted(cumulative, (picks * cumulative[:, -1])[:, None]).clamp(
            max=self.weights.shape[1] - 1
        )[:, 0]
        means = self.means[labels, index]  # (B, Z)
        tril = self.scale_tril[labels, index]  # (B, Z, Z)
        return means + torch.einsum("bij,bj->bi", tril, noise.to(means.dtype))

    def to(self, device: torch.device | str) -> ClassMixture:
        return ClassMixture(self.weights.to(device), self.means.to(device), self.scale_tril.to(device))

    def tensors(self) -> dict[str, torch.Tensor]:
        """The weights file's entries."""
        return {
            f"{PREFIX}weights": self.weights,
            f"{PREFIX}means": self.means,
            f"{PREFIX}scale_tril": self.scale_tril,
        }

    @classmethod
    def from_tensors(cls, state: dict[str, torch.Tensor]) -> ClassMixture | None:
        """The mixture in a weights file's entries, None when it has none (an older model)."""
        names = ("weights", "means", "scale_tril")
        if not any(f"{PREFIX}{name}" in state for name in names):
            return None
        try:
            mixture = cls(*(state[f"{PREFIX}{name}"].float() for name in names))
        except KeyError as exc:
            raise ValueError(f"the latent prior is incomplete: no {exc.args[0]}") from None
        mixture.check()
        return mixture

    def check(self) -> None:
        k, m = self.weights.shape
        z = self.means.shape[-1]
        if self.means.shape != (k, m, z) or self.scale_tril.shape != (k, m, z, z):
            raise ValueError(
                f"the latent prior's shapes disagree: weights {tuple(self.weights.shape)}, means "
                f"{tuple(self.means.shape)}, scale_tril {tuple(self.scale_tril.shape)}"
            )
        if not all(bool(t.isfinite().all()) for t in (self.weights, self.means, self.scale_tril)):
            raise ValueError("the latent prior holds values that are not finite numbers (NaN or inf)")
        if (self.weights < 0).any() or (self.weights.sum(dim=1) <= 0).any():
            raise ValueError(
                "the latent prior's component weights must be >= 0 with a positive sum per class"
            )


def fit_class_mixture(
    latents: torch.Tensor, labels: torch.Tensor, num_classes: int, seed: int, components: int = COMPONENTS
) -> ClassMixture:
    """Fit the per-class mixtures to posterior means `latents` (N, Z) of classes `labels` (N,)."""
    x = latents.detach().double().cpu()
    y = labels.detach().long().cpu()
    pooled = _covariance(x, torch.eye(x.shape[1], dtype=torch.float64))
    generator = torch.Generator().manual_seed(seed)
    fits = [_fit_class(x[y == k], pooled, components, generator) for k in range(num_classes)]
    return ClassMixture(*(torch.stack([f[i] for f in fits]).float() for i in range(3)))


def _fit_class(
    x: torch.Tensor, pooled: torch.Tensor, components: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """EM for one class's images (n, Z): weights (M,), means (M, Z), Cholesky factors (M, Z, Z)."""
    n, z = x.shape
    weights = torch.zeros(components, dtype=torch.float64)
    means = torch.zeros(components, z, dtype=torch.float64)
    covs = torch.eye(z, dtype=torch.float64).expand(components, z, z).clone()
    if n == 0:  # a class without images keeps the standard normal
        weights[0] = 1.0
        return weights, means, torch.linalg.cholesky(covs)
    # The class's own covariance, held up by the pooled one in proportion to how few images it has.
    base = (n * _covariance(x, pooled) + z * pooled) / (n + z)
    used = max(1, min(components, n // MIN_PER_COMPONENT))
    mu = _spread_starts(x, used, generator)
    cov = base.expand(used, z, z).clone()
    w = torch.full((used,), 1.0 / used, dtype=torch.float64)
    for _ in range(EM_STEPS if used > 1 else 0):
        log_p = (
            torch.distributions.MultivariateNormal(mu, covariance_matrix=cov).log_prob(x[:, None]) + w.log()
        )
        r = torch.softmax(log_p, dim=1)  # (n, M) responsibilities
        mass = r.sum(dim=0) + 1e-9
        w, mu = mass / n, (r.T @ x) / mass[:, None]
        d = x[:, None] - mu[None]  # (n, M, Z)
        own = torch.einsum("nk,nki,nkj->kij", r, d, d) / mass[:, None, None]
        tied = (w[:, None, None] * own).sum(dim=0)  # the within-component spread, pooled
        cov = (1 - SHRINK) * own + SHRINK * (n * tied + z * base) / (n + z)
    if used == 1:
        mu = x.mean(dim=0, keepdim=True)
    weights[:used], means[:used], covs[:used] = w, mu, cov
    return weights, means, torch.linalg.cholesky(covs)


def _spread_starts(x: torch.Tensor, count: int, generator: torch.Generator) -> torch.Tensor:
    """`count` rows of x as EM's starting means, chosen k-means++ style (each next one with
    probability growing with its squared distance to those chosen), so distinct looks start apart."""
    chosen = [int(torch.randint(x.shape[0], (1,), generator=generator))]
    for _ in range(count - 1):
        gap = torch.cdist(x, x[chosen]).min(dim=1).values.square()
        chosen.append(int(torch.multinomial(gap + 1e-12, 1, generator=generator)))
    return x[chosen].clone()


def _covariance(x: torch.Tensor, fallback: torch.Tensor) -> torch.Tensor:
    """The covariance of rows x (n, Z) with a small ridge (so it factorises); `fallback` for n < 2."""
    if x.shape[0] < 2:
        return fallback.clone()
    cov = torch.cov(x.T)
    ridge = 1e-4 * float(cov.diagonal().mean().clamp(min=1e-8))
    return cov + ridge * torch.eye(x.shape[1], dtype=x.dtype)


def prior_description(mixture: ClassMixture) -> str:
    """One line for the card's config."""
    used = int((mixture.weights > 0).sum())
    classes, components = mixture.weights.shape
    return (
        f"a Gaussian mixture per class (up to {components} components, {used} in all over {classes} "
        f"classes, full covariances shrunk {SHRINK:g} towards their pooled one), fitted by EM to the "
        "posterior means of the training images after training; samples draw from it"
    )
