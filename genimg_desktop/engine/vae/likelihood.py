"""The decoder's likelihood: a discretized logistic per pixel value (PixelCNN++, one component).

8-bit data are 256 bins; value k sits at the bin centre x = k / 127.5 - 1 in [-1, 1] and its bin is
[x - 1/255, x + 1/255], the end bins stretched to -inf and +inf. The probability of a bin is the
logistic CDF difference over it, so log p(x | z) is a proper discrete log-likelihood and the ELBO
(in bits per dimension) is a true bound on the data's code length, comparable across models.
A Gaussian or Bernoulli decoder would give a density, not a probability, and no such bound.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

HALF_BIN = 1.0 / 255.0  # half the width of one of the 256 bins on [-1, 1]
MIN_LOG_SCALE = -7.0  # as PixelCNN++: a bin is ~0.008 wide, a narrower logistic gains nothing


def quantise(x: torch.Tensor) -> torch.Tensor:
    """Snap [-1, 1] values to the nearest of the 256 bin centres."""
    return torch.round((x.clamp(-1, 1) + 1) * 127.5) / 127.5 - 1


def log_prob(x: torch.Tensor, mean: torch.Tensor, log_scale: torch.Tensor) -> torch.Tensor:
    """log P(x) per value, x at bin centres; all (B, C, H, W)."""
    log_scale = log_scale.clamp_min(MIN_LOG_SCALE)
    inv_scale = torch.exp(-log_scale)
    plus = inv_scale * (x - mean + HALF_BIN)  # standardised upper bin edge
    minus = inv_scale * (x - mean - HALF_BIN)  # standardised lower bin edge
    lowest = F.logsigmoid(plus)  # bin (-inf, x + half]
    highest = F.logsigmoid(-minus)  # bin [x - half, +inf)
    return torch.where(
        x < -1 + HALF_BIN, lowest, torch.where(x > 1 - HALF_BIN, highest, _log_mass(plus, minus))
    )


def _log_mass(plus: torch.Tensor, minus: torch.Tensor) -> torch.Tensor:
    """log(sigmoid(plus) - sigmoid(minus)) without cancellation: above the mean it is computed from
    the upper tails, whose log-sigmoids stay accurate where the CDFs both round to 1."""
    upper = (plus + minus) > 0
    high = torch.where(upper, F.logsigmoid(-minus), F.logsigmoid(plus))
    low = torch.where(upper, F.logsigmoid(-plus), F.logsigmoid(minus))
    return high + _log1mexp((low - high).clamp_max(-1e-12))


def _log1mexp(a: torch.Tensor) -> torch.Tensor:
    """log(1 - exp(a)) for a < 0, accurate at both ends (Maechler 2012)."""
    return torch.where(a > -math.log(2), torch.log(-torch.expm1(a)), torch.log1p(-torch.exp(a)))


def kl_to_standard_normal(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, exp(logvar)) || N(0, I)) per row, in nats: (B, Z) -> (B,)."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(dim=1)


def bits_per_dim(nats: torch.Tensor | float, dims: int) -> float:
    """Nats per image -> bits per pixel value."""
    return float(nats) / (dims * math.log(2))
