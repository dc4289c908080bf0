"""Output distributions of a pixel given the network's features: log-likelihood, sampling, entropy.

Two heads, both exact over the 256 intensity levels of each channel:
- `SoftmaxHead` (gray): a 256-way categorical per pixel, no assumption about the shape of the
  distribution (the classic choice, what the MNIST bits/dim figures are measured with).
- `LogisticMixtureHead` (colour, PixelCNN++ by Salimans et al. 2017): a mixture of K discretized
  logistics per pixel, with G's mean linear in R and B's in R and G. It is chosen for colour because a
  per-channel softmax needs 768 outputs per pixel, channel-group masks in every layer and three
  network evaluations per pixel when sampling; the mixture needs 10*K (50 for K=5) outputs, the
  network stays pixel-causal and one evaluation samples a whole pixel. Its ordinal shape (neighbouring
  levels get similar probability) also learns faster from the few dozen images an artist may have.

Tensor conventions: `out` is the raw network output (B, O, H, W); `levels` are int64 (B, C, H, W) in
0..255; log-probabilities are natural logs per pixel (all channels), shape (B, H, W).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import torch
import torch.nn.functional as F

LEVELS = 256
HALF_BIN = 1.0 / 255.0  # half the width of one level's bin in [-1, 1]
LN2 = math.log(2.0)  # nats per bit


def levels_to_unit(levels: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """0..255 -> [-1, 1] (the network's input scale)."""
    return levels.to(dtype) / 127.5 - 1.0


def unit_to_levels(x: torch.Tensor) -> torch.Tensor:
    """[-1, 1] -> nearest level 0..255 (int64)."""
    return ((x + 1.0) * 127.5).round().clamp(0, LEVELS - 1).long()


def inverse_cdf(probs: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """Index drawn from each row of `probs` (B, N) with uniform numbers `u` (B,): deterministic given u,
    so a seed gives the same sample whichever sampler runs."""
    cdf = probs.cumsum(dim=1)
    return (cdf < u[:, None] * cdf[:, -1:]).sum(dim=1).clamp(max=probs.shape[1] - 1)


def _entropy(log_p: torch.Tensor, dim: int) -> torch.Tensor:
    return -(log_p.exp() * log_p).sum(dim=dim)


class SoftmaxHead:
    """256 logits per pixel for one (gray) channel."""

    def __init__(self, channels: int) -> None:
        if channels != 1:
            raise ValueError("the softmax head models gray images (1 channel); use 'logistic' for colour")
        self.channels = 1
        self.out_channels = LEVELS
        self.noise_dims = 1  # one uniform number per pixel

    def log_prob(self, out: torch.Tensor, levels: torch.Tensor) -> torch.Tensor:
        return F.log_softmax(out, dim=1).gather(1, levels).squeeze(1)  # (B, H, W)

    def entropy(self, out: torch.Tensor, levels: torch.Tensor) -> torch.Tensor:
        return _entropy(F.log_softmax(out, dim=1), dim=1)  # (B, H, W) nats

    def sample(self, out: torch.Tensor, noise: torch.Tensor, temperature: float) -> torch.Tensor:
        """out (B, 256) at one pixel, noise (B, 1) -> levels (B, 1)."""
        probs = F.softmax(out.float() / temperature, dim=1)
        return inverse_cdf(probs, noise[:, 0])[:, None]


class LogisticMixtureHead:
    """K discretized logistics per pixel; channel c's mean is shifted linearly by channels < c."""

    def __init__(self, channels: int, mixtures: int) -> None:
        if mixtures < 1:
            raise ValueError("the logistic head needs at least 1 mixture component")
        self.channels = channels
        self.mixtures = mixtures
        self.pairs = channels * (channels - 1) // 2  # coefficients: G<-R; B<-R, B<-G
        self.out_channels = mixtures * (1 + 2 * channels + self.pairs)
        self.noise_dims = 1 + channels  # the component, then one uniform per channel

    def split(self, out: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """(B, O, H, W) -> logits (B, K, H, W), means and log-scales (B, K, C, H, W),
        coefficients (B, K, P, H, W)."""
        k, c = self.mixtures, self.channels
        b, _, height, width = out.shape
        logits, means, scales, coeffs = out.split([k, k * c, k * c, k * self.pairs], dim=1)
        means = means.reshape(b, k, c, height, width)
        # The clamp keeps exp() finite both ways; 7 is far beyond the width of one level either side.
        scales = scales.reshape(b, k, c, height, width).clamp(-7.0, 7.0)
        coeffs = torch.tanh(coeffs.reshape(b, k, self.pairs, height, width))
        return logits, means, scales, coeffs

    def channel_mean(
        self, means: torch.Tensor, coeffs: torch.Tensor, x: torch.Tensor, c: int
    ) -> torch.Tensor:
        """Mean (B, K, ...) of channel c given the earlier channels' values x (B, C, ...) in [-1, 1];
        means is (B, K, C, ...) and coeffs (B, K, P, ...), with the same trailing (spatial) axes."""
        mean = means[:, :, c]  # (B, K, ...)
        first = c * (c - 1) // 2  # the coefficients of channel c start here
        for prev in range(c):
            mean = mean + coeffs[:, :, first + prev] * x[:, None, prev]
        return mean

    def log_prob(self, out: torch.Tensor, levels: torch.Tensor) -> torch.Tensor:
        logits, means, scales, coeffs = self.split(out)
        x = levels_to_unit(levels, out.dtype)
        total = F.log_softmax(logits, dim=1)  # (B, K, H, W)
        for c in range(self.channels):
            mean = self.channel_mean(means, coeffs, x, c)
            total = total + bin_log_prob(levels[:, None, c], mean, scales[:, :, c])
        return torch.logsumexp(total, dim=1)  # (B, H, W)

    def entropy(self, out: torch.Tensor, levels: torch.Tensor) -> torch.Tensor:
        """H(R) + H(G | R=r) + H(B | R=r, G=g) per pixel, with r, g the values in `levels`: the exact
        entropy of each channel's 256-level distribution given what came before it."""
        logits, means, scales, coeffs = self.split(out)
        x = levels_to_unit(levels, out.dtype)
        weights = F.log_softmax(logits, dim=1)  # (B, K, H, W): component posterior so far
        grid = torch.arange(LEVELS, device=out.device)[None, None, :, None, None]  # (1, 1, 256, 1, 1)
        total = torch.zeros_like(logits[:, 0])
        for c in range(self.channels):
            mean = self.channel_mean(means, coeffs, x, c)
            table = bin_log_prob(grid, mean[:, :, None], scales[:, :, c, None])  # (B, K, 256, H, W)
            log_p = torch.logsumexp(weights[:, :, None] + table, dim=1)  # (B, 256, H, W)
            total = total + _entropy(log_p, dim=1)
            weights = F.log_softmax(weights + bin_log_prob(levels[:, None, c], mean, scales[:, :, c]), dim=1)
        return total

    def sample(self, out: torch.Tensor, noise: torch.Tensor, temperature: float) -> torch.Tensor:
        """out (B, O) at one pixel, noise (B, 1 + C) -> levels (B, C).

        Temperature divides the component logits and multiplies the logistic scales. A continuous
        logistic draw rounded to the nearest level (edges take the tails) is exactly the discretized
        distribution, and the rounded value is what the next channel's mean uses, as in training."""
        logits, means, scales, coeffs = (t[..., 0, 0] for t in self.split(out.float()[:, :, None, None]))
        k = inverse_cdf(F.softmax(logits / temperature, dim=1), noise[:, 0])  # (B,)
        rows = torch.arange(out.shape[0], device=out.device)
        # The chosen component, keeping a K axis of 1: (B, 1, C), (B, 1, C), (B, 1, P).
        means, scales, coeffs = means[rows, k, None], scales[rows, k, None], coeffs[rows, k, None]
        u = noise[:, 1:].clamp(1e-6, 1.0 - 1e-6)
        logistic = torch.log(u) - torch.log1p(-u)  # (B, C) standard logistic draws
        x = torch.zeros_like(logistic)  # (B, C) values chosen so far, in [-1, 1]
        for c in range(self.channels):
            mean = self.channel_mean(means, coeffs, x, c)[:, 0]  # (B,)
            value = mean + scales[:, 0, c].exp() * temperature * logistic[:, c]
            x[:, c] = levels_to_unit(unit_to_levels(value))
        return unit_to_levels(x)

    def guided_sample(
        self,
        cond: torch.Tensor,
        uncond: torch.Tensor,
        gumbel: torch.Tensor,
        temperature: float,
        guidance: float,
    ) -> torch.Tensor:
        """Classifier-free guidance: out (B, O) of the conditional and the unconditional pass at one
        pixel, Gumbel noise (B, C, 256) -> levels (B, C): each channel is the argmax of its guided
        logits plus its Gumbel noise (the Gumbel-max trick, an exact draw from their softmax; a
        margin between the best two levels, not a CDF boundary among 256, is what keeps the cached
        sampler's rounding guard quiet). See `guided_channels`."""
        levels = torch.zeros((cond.shape[0], self.channels), dtype=torch.long, device=cond.device)
        for c, logits, _ in self.guided_channels(cond, uncond, temperature, guidance, levels):
            levels[:, c] = (logits + gumbel[:, c]).argmax(dim=1)
        return levels

    def guided_channels(
        self,
        cond: torch.Tensor,
        uncond: torch.Tensor,
        temperature: float,
        guidance: float,
        levels: torch.Tensor,
        with_sensitivity: bool = False,
    ) -> Iterator[tuple[int, torch.Tensor, torch.Tensor | None]]:
        """Channel by channel: (c, guided logits (B, 256), sensitivity (B, 256) or None). The logits are
        log p_u + g (log p_c - log p_u) over the 256 levels, each distribution exact given the
        channels drawn so far, divided by the temperature. The caller draws channel c into
        levels[:, c] before asking for the next one.

        Sensitivity (`with_sensitivity`): a first-order bound on how far each logit moves per unit of
        error in the raw outputs, for the cached sampler's rounding guard. A level's log-probability
        under component k moves with its mean (`bin_log_prob_slopes`; the mean carries the earlier
        channels' coefficients, each at most 1 per unit), its log-scale and its weight (1 per unit);
        the mixture weighs these by each component's share of the level, and the guided logit by
        |g| and |1 - g|. Errors made in the earlier channels reach this one through the component
        posterior (`carried`)."""
        parts = [self._pixel(out) for out in (cond, uncond)]  # (log weights, means, scales, coeffs)
        grid = torch.arange(LEVELS, device=cond.device)[None, None, :]  # (1, 1, 256)
        x = torch.zeros((cond.shape[0], self.channels), device=cond.device)
        carried = torch.zeros((cond.shape[0], 1), device=cond.device)
        for c in range(self.channels):
            tables, log_ps, slopes = [], [], []
            for weights, means, scales, coeffs in parts:
                mean = self.channel_mean(means, coeffs, x, c)[:, :, None]  # (B, K, 1)
                if with_sensitivity:
                    table, by_mean, by_log_scale = bin_log_prob_slopes(grid, mean, scales[:, :, c, None])
                else:
                    table = bin_log_prob(grid, mean, scales[:, :, c, None])  # (B, K, 256)
                joint = weights[:, :, None] + table
                tables.append(table)
                log_ps.append(torch.logsumexp(joint, dim=1))  # (B, 256)
                if with_sensitivity:
                    per_component = 1.0 + by_mean * (1.0 + c) + by_log_scale  # weight, mean, log-scale
                    slopes.append((F.softmax(joint, dim=1) * per_component).sum(dim=1) + carried)
            logits = torch.lerp(log_ps[1], log_ps[0], guidance) / temperature
            if not with_sensitivity:
                yield c, logits, None
            else:
                yield c, logits, (abs(guidance) * slopes[0] + abs(1 - guidance) * slopes[1]) / temperature
            drawn = levels[:, c]
            x[:, c] = levels_to_unit(drawn)
            picked = drawn[:, None, None].expand(-1, self.mixtures, 1)
            if with_sensitivity:
                carried = carried + torch.maximum(*(slope.gather(1, drawn[:, None]) for slope in slopes))
            parts = [
                (F.log_softmax(p[0] + table.gather(2, picked)[..., 0], dim=1), *p[1:])  # component posterior
                for p, table in zip(parts, tables, strict=True)
            ]

    def _pixel(self, out: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """out (B, O) at one pixel -> log weights (B, K), means and log-scales (B, K, C), coeffs (B, K, P)."""
        logits, means, scales, coeffs = (t[..., 0, 0] for t in self.split(out.float()[:, :, None, None]))
        return F.log_softmax(logits, dim=1), means, scales, coeffs


def bin_log_prob(levels: torch.Tensor, mean: torch.Tensor, log_scale: torch.Tensor) -> torch.Tensor:
    """log P(level) under a logistic(mean, exp(log_scale)) discretized to 256 bins on [-1, 1]; the
    first and last bins take the tails. Broadcasts; stable: log(sigmoid(a) - sigmoid(b)) is computed
    as logsigmoid(a) + logsigmoid(-b) + log(1 - exp(b - a)), with no cancellation."""
    centred = levels_to_unit(levels, mean.dtype) - mean
    inv_scale = torch.exp(-log_scale)
    upper = inv_scale * (centred + HALF_BIN)
    lower = inv_scale * (centred - HALF_BIN)
    log_below_upper = F.logsigmoid(upper)  # log CDF(upper edge): the whole first bin
    log_above_lower = F.logsigmoid(-lower)  # log (1 - CDF(lower edge)): the whole last bin
    width = inv_scale * (2 * HALF_BIN)  # upper - lower, > 0
    log_middle = log_below_upper + log_above_lower + torch.log(-torch.expm1(-width))
    inner = torch.where(levels == LEVELS - 1, log_above_lower, log_middle)
    return torch.where(levels == 0, log_below_upper, inner)


def bin_log_prob_slopes(
    levels: torch.Tensor, mean: torch.Tensor, log_scale: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """`bin_log_prob` with |d log P / d mean| and |d log P / d log_scale|, exactly (for the cached
    sampler's rounding guard). With a, b the bin's upper and lower edges in scales and
    P = sigmoid(a) - sigmoid(b): the mean moves log P by inv_scale (s'(b) - s'(a)) / P and the
    log-scale by (b s'(b) - a s'(a)) / P, with s' = sigmoid'; the edge bins keep one side."""
    centred = levels_to_unit(levels, mean.dtype) - mean
    inv_scale = torch.exp(-log_scale)
    upper, lower = inv_scale * (centred + HALF_BIN), inv_scale * (centred - HALF_BIN)
    below_upper, above_upper = F.logsigmoid(upper), F.logsigmoid(-upper)
    below_lower, above_lower = F.logsigmoid(lower), F.logsigmoid(-lower)
    log_middle = below_upper + above_lower + torch.log(-torch.expm1(-inv_scale * (2 * HALF_BIN)))
    first, last = levels == 0, levels == LEVELS - 1
    log_p = torch.where(first, below_upper, torch.where(last, above_lower, log_middle))
    ratio_upper = torch.where(last, 0.0, torch.exp(below_upper + above_upper - log_p))  # s'(a) / P
    ratio_lower = torch.where(first, 0.0, torch.exp(below_lower + above_lower - log_p))  # s'(b) / P
    by_mean = inv_scale * (ratio_lower - ratio_upper).abs()
    by_log_scale = (lower * ratio_lower - upper * ratio_upper).abs()
    return log_p, by_mean, by_log_scale


def make_head(head: str, channels: int, mixtures: int) -> SoftmaxHead | LogisticMixtureHead:
    if head == "softmax":
        return SoftmaxHead(channels)
    if head == "logistic":
        return LogisticMixtureHead(channels, mixtures)
    raise ValueError(f"head must be 'softmax' or 'logistic', not '{head}'")
