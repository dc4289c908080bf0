"""Gated PixelCNN: causality, no blind spot, exact likelihoods, and samplers that draw from the model."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from genimg_desktop.engine.pixelcnn import sampling, scoring
from genimg_desktop.engine.pixelcnn.heads import (
    LN2,
    LogisticMixtureHead,
    SoftmaxHead,
    bin_log_prob,
    levels_to_unit,
)
from genimg_desktop.engine.pixelcnn.network import PixelCNN, PixelCNNConfig

GRAY = PixelCNNConfig(size=8, channels=1, num_classes=3, layers=2, hidden=8, kernel=3, first_kernel=3)
COLOUR = PixelCNNConfig(
    size=8,
    channels=3,
    num_classes=3,
    layers=2,
    hidden=8,
    kernel=3,
    first_kernel=3,
    head="logistic",
    mixtures=2,
)


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny tensors on a shared 2-core machine: one thread avoids spinning against other processes."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def tiny(config: PixelCNNConfig, seed: int = 0) -> PixelCNN:
    torch.manual_seed(seed)
    return PixelCNN(config).double().eval()


def input_gradient(net: PixelCNN, row: int, col: int) -> torch.Tensor:
    """|d out[:, :, row, col] / d x|, (C, H, W), for a random image and class."""
    size, channels = net.config.size, net.config.channels
    x = torch.rand(1, channels, size, size, dtype=torch.float64, requires_grad=True)
    out = net(x * 2 - 1, torch.tensor([1]))
    out[0, :, row, col].pow(2).sum().backward()
    return x.grad[0].abs()


@pytest.mark.parametrize("config", [GRAY, COLOUR], ids=["gray", "colour"])
@pytest.mark.parametrize("pixel", [(0, 0), (0, 5), (3, 4), (7, 0), (7, 7)])
def test_output_never_sees_the_pixel_itself_or_later_ones(config, pixel):
    grad = input_gradient(tiny(config), *pixel)
    raster = torch.arange(config.size**2).reshape(config.size, config.size)
    later = raster >= pixel[0] * config.size + pixel[1]
    assert torch.all(grad[:, later] == 0), "the output depends on the current or a later pixel"


@pytest.mark.parametrize("layers", [1, 2, 3])
def test_no_blind_spot_up_and_to_the_right(layers):
    """Every pixel in the rows above within reach feeds the output, including those up-right that a
    masked-convolution PixelCNN misses; so do the pixels just left in the same row."""
    config = PixelCNNConfig(size=12, layers=layers, hidden=8, kernel=3, first_kernel=3, num_classes=3)
    row, col = 8, 5
    grad = input_gradient(tiny(config), row, col)[0]
    above = grad[row - 1 - layers : row, col - layers : col + layers + 1]  # (L + 1, 2L + 1)
    assert torch.all(above > 0), above
    assert torch.all(grad[row, col - 2 : col] > 0)
    assert grad[row - 1, col + layers + 1] == 0  # and the reach really is `layers` columns


def test_channel_order_within_a_pixel():
    """Logistic head: channel c's distribution depends on the channels before it only (R -> G -> B)."""
    head = LogisticMixtureHead(3, 2)
    out = torch.randn(1, head.out_channels, 1, 1, dtype=torch.float64)
    _, means, _, coeffs = head.split(out)
    for c in range(3):
        x = torch.rand(1, 3, 1, 1, dtype=torch.float64, requires_grad=True)
        (head.channel_mean(means, coeffs, x, c).sum() + 0 * x.sum()).backward()  # R uses no x at all
        grad = x.grad[0, :, 0, 0]
        assert torch.all(grad[c:] == 0) and (c == 0 or torch.all(grad[:c] != 0))


def test_bits_per_dim_is_the_mean_nll_by_hand():
    net = tiny(GRAY).float()
    levels = torch.randint(0, 256, (5, 1, 8, 8))
    labels = torch.tensor([0, 1, 2, 1, 0])
    with torch.no_grad():
        logits = net(levels.float() / 127.5 - 1, labels)  # (5, 256, 8, 8)
        by_hand = float(-F.log_softmax(logits, dim=1).gather(1, levels).mean() / math.log(2))
        assert scoring.bits_per_dim(net, levels, labels) == pytest.approx(by_hand, rel=1e-5)
    assert float(net.bits_per_dim(levels, labels).detach()) == pytest.approx(by_hand, rel=1e-5)


def logistic_prob_by_hand(level: int, mean: float, scale: float) -> float:
    def cdf(v: float) -> float:
        return 1 / (1 + math.exp(-(v - mean) / scale))

    x = level / 127.5 - 1
    upper = 1.0 if level == 255 else cdf(x + 1 / 255)
    lower = 0.0 if level == 0 else cdf(x - 1 / 255)
    return upper - lower


def test_logistic_mixture_likelihood_by_hand():
    head = LogisticMixtureHead(3, 2)
    out = torch.randn(1, head.out_channels, 1, 1, dtype=torch.float64)
    levels = torch.tensor([0, 140, 255]).reshape(1, 3, 1, 1)
    logits, means, scales, coeffs = (t[0, ..., 0, 0].tolist() for t in head.split(out))
    x = [v / 127.5 - 1 for v in levels.flatten().tolist()]
    weights = torch.softmax(torch.tensor(logits, dtype=torch.float64), 0).tolist()
    total = 0.0
    for k in range(2):
        mu = [
            means[k][0],
            means[k][1] + coeffs[k][0] * x[0],
            means[k][2] + coeffs[k][1] * x[0] + coeffs[k][2] * x[1],
        ]
        p = weights[k]
        for c in range(3):
            p *= logistic_prob_by_hand(int(levels.flatten()[c]), mu[c], math.exp(scales[k][c]))
        total += p
    assert float(head.log_prob(out, levels)) == pytest.approx(math.log(total), rel=1e-9)


@pytest.mark.parametrize("mean,log_scale", [(0.0, -3.0), (0.9, -6.9), (-1.2, 0.5), (0.3, -7.0)])
def test_discretized_logistic_sums_to_one(mean, log_scale):
    table = bin_log_prob(torch.arange(256), torch.tensor(mean), torch.tensor(log_scale))
    assert torch.isfinite(table).all()
    assert float(table.double().exp().sum()) == pytest.approx(1.0, abs=1e-4)


def histogram_distance(head, out: torch.Tensor, table: torch.Tensor, temperature: float = 1.0) -> float:
    """Total variation between 20k draws of head.sample at one pixel and the probabilities `table`."""
    count = 20000
    noise = torch.rand(count, head.noise_dims, generator=torch.Generator().manual_seed(1))
    drawn = head.sample(out.expand(count, -1), noise, temperature)[:, 0]
    empirical = torch.bincount(drawn, minlength=256).double() / count
    return float((empirical - table.double()).abs().sum() / 2)


def test_softmax_sampler_draws_from_the_distribution():
    head = SoftmaxHead(1)
    out = torch.randn(1, 256) * 2
    assert histogram_distance(head, out, F.softmax(out[0], 0)) < 0.05
    assert histogram_distance(head, out, F.softmax(out[0] / 0.5, 0), temperature=0.5) < 0.05


def test_logistic_sampler_draws_from_the_distribution():
    head = LogisticMixtureHead(1, 3)
    out = torch.tensor([[0.5, -1.0, 0.2, -0.6, 0.1, 0.7, -3.0, -2.5, -4.0]])
    logits, means, scales, _ = head.split(out[:, :, None, None])
    table = torch.logsumexp(
        F.log_softmax(logits, 1)[0, :, None, 0, 0]
        + bin_log_prob(torch.arange(256)[None], means[0, :, 0, 0, 0, None], scales[0, :, 0, 0, 0, None]),
        dim=0,
    ).exp()
    assert histogram_distance(head, out, table) < 0.05


def test_colour_sampler_and_entropy_agree_with_the_likelihood():
    """E[-log p(x)] over samples is the joint entropy, and so is E[H(R) + H(G|R) + H(B|R,G)]: the
    sampler, the likelihood and the uncertainty map must agree on the same distribution."""
    head = LogisticMixtureHead(3, 2)
    out = torch.randn(1, head.out_channels, generator=torch.Generator().manual_seed(3))
    out[:, 2:14] = out[:, 2:14].clamp(-1, 1)  # means inside the range
    out[:, 14:26] = -3.0  # a few levels wide, so the entropy is well above zero
    count = 4000
    noise = torch.rand(count, head.noise_dims, generator=torch.Generator().manual_seed(4))
    levels = head.sample(out.expand(count, -1), noise, 1.0)[:, :, None, None]  # (N, 3, 1, 1)
    spatial = out[:, :, None, None].expand(count, -1, 1, 1)
    surprise = -head.log_prob(spatial, levels).mean()
    entropy = head.entropy(spatial, levels).mean()
    assert float(surprise) == pytest.approx(float(entropy), abs=0.15)


@pytest.mark.parametrize("config", [GRAY, COLOUR], ids=["gray", "colour"])
def test_entropy_is_within_its_range(config):
    net = tiny(config).float()
    levels = torch.randint(0, 256, (2, config.channels, 8, 8))
    with torch.inference_mode():
        scores = scoring.score(net, levels, torch.tensor([0, 2]))
    assert torch.all(scores.entropy_bits >= -1e-4) and torch.all(
        scores.entropy_bits <= 8 * config.channels + 1e-3
    )
    assert torch.allclose(
        scores.bits_per_dim(config.channels), -scores.log_prob / (LN2 * config.channels * 64)
    )


# --- sampling ------------------------------------------------------------------------------------------


def job(net: PixelCNN, known: torch.Tensor, seed: int = 0, levels: torch.Tensor | None = None):
    size, channels = net.config.size, net.config.channels
    if levels is None:
        levels = torch.randint(0, 256, (known.shape[0], channels, size, size), generator=torch.Generator())
    labels = torch.arange(known.shape[0]) % 3
    return sampling.make_job(net, levels, known, labels, torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("config", [GRAY, COLOUR], ids=["gray", "colour"])
def test_same_seed_same_images(config):
    net = tiny(config).float()
    known = torch.zeros(2, 8, 8, dtype=torch.bool)
    with torch.inference_mode():
        first = sampling.naive_sample(net, job(net, known, seed=5))
        again = sampling.naive_sample(net, job(net, known, seed=5))
        other = sampling.naive_sample(net, job(net, known, seed=6))
    assert torch.equal(first, again) and not torch.equal(first, other)
    assert first.dtype == torch.long and first.min() >= 0 and first.max() <= 255


def test_known_pixels_stay_and_only_earlier_pixels_matter():
    """Completion is exact raster-order conditional sampling: known pixels are copied, and a sampled
    pixel does not change when known pixels after it change."""
    net = tiny(COLOUR).float()
    known = torch.ones(1, 8, 8, dtype=torch.bool)
    known[0, 2:4, 1:6] = False
    base = torch.randint(0, 256, (1, 3, 8, 8), generator=torch.Generator().manual_seed(0))
    changed = base.clone()
    changed[0, :, 5:] = 255 - changed[0, :, 5:]  # known pixels after the hole
    with torch.inference_mode():
        out = sampling.naive_sample(net, job(net, known, levels=base))
        out_changed = sampling.naive_sample(net, job(net, known, levels=changed))
    keep = known[0]
    assert torch.equal(out[0][:, keep], base[0][:, keep])
    assert torch.equal(out[0][:, ~keep], out_changed[0][:, ~keep])


def test_rows_are_reported_in_order_and_known_rows_cost_nothing(monkeypatch):
    net = tiny(GRAY).float()
    known = torch.zeros(1, 8, 8, dtype=torch.bool)
    known[0, :6] = True  # only the last two rows to sample
    rows, calls = [], []
    real_forward = PixelCNN.forward
    monkeypatch.setattr(PixelCNN, "forward", lambda self, *a: calls.append(1) or real_forward(self, *a))
    with torch.inference_mode():
        sampling.naive_sample(net, job(net, known), lambda row, levels: rows.append(row))
    assert rows == list(range(8)) and len(calls) == 16


@pytest.mark.parametrize("name", sorted(sampling.SAMPLERS))
@pytest.mark.parametrize("config", [GRAY, COLOUR], ids=["gray", "colour"])
def test_every_sampler_matches_the_naive_reference(name, config):
    """A faster sampler (issue 6) must give exactly the naive sampler's images for the same job."""
    net = tiny(config).float()
    known = torch.zeros(3, 8, 8, dtype=torch.bool)
    known[1, :3] = True
    known[2, 4:, :4] = True
    with torch.inference_mode():
        reference = sampling.naive_sample(net, job(net, known, seed=2))
        candidate = sampling.SAMPLERS[name](net, job(net, known, seed=2), None)
    assert torch.equal(candidate, reference)


def test_config_round_trip_and_errors():
    assert PixelCNNConfig.from_dict(COLOUR.to_dict()) == COLOUR
    assert PixelCNNConfig.from_dict({"size": "8", "layers": "3"}).layers == 3
    with pytest.raises(ValueError, match="unknown PixelCNN setting"):
        PixelCNNConfig.from_dict({"size": 8, "layer": 3})
    with pytest.raises(ValueError, match="gray"):
        PixelCNNConfig(size=8, channels=3, head="softmax")
    with pytest.raises(ValueError, match="odd"):
        PixelCNNConfig(size=8, kernel=4)


# --- two scales: a small picture first, then the image given it -----------------------------------------

TWO_SCALE = PixelCNNConfig(
    size=8,
    channels=3,
    num_classes=3,
    layers=2,
    hidden=8,
    kernel=3,
    first_kernel=3,
    head="logistic",
    mixtures=2,
    class_dropout=0.1,
    context=4,
    prior_layers=2,
    prior_hidden=8,
    context_hidden=4,
)


def loud(config: PixelCNNConfig) -> PixelCNN:
    """A tiny network with tripled weights: outputs far from zero, so that rounding differences
    between samplers would show."""
    net = tiny(config).float()
    with torch.no_grad():
        for weight in net.parameters():
            weight.mul_(3.0)
    return net


@pytest.mark.parametrize("pixel", [(0, 0), (3, 4), (7, 7)])
def test_two_scale_output_sees_the_whole_small_picture_but_only_earlier_pixels(pixel):
    net = tiny(TWO_SCALE)
    small = torch.randint(0, 256, (1, 3, 4, 4), dtype=torch.long)
    features = net.context_features(small).detach().requires_grad_()
    x = torch.rand(1, 3, 8, 8, dtype=torch.float64, requires_grad=True)
    net(x * 2 - 1, torch.tensor([1]), features)[0, :, pixel[0], pixel[1]].pow(2).sum().backward()
    raster = torch.arange(64).reshape(8, 8)
    later = raster >= pixel[0] * 8 + pixel[1]
    assert torch.all(x.grad[0][:, later] == 0)
    assert features.grad[0, :, pixel[0], pixel[1]].abs().sum() > 0  # the context at the pixel itself


def test_two_scale_likelihood_is_the_small_picture_plus_the_image_given_it():
    net = tiny(TWO_SCALE).float()
    levels = torch.randint(0, 256, (3, 3, 8, 8))
    labels = torch.tensor([0, 2, -1])
    small = F.avg_pool2d(levels.double(), 2).round().long()  # each 2x2 block's mean
    given = net(levels_to_unit(levels), labels, net.context_features(small))
    by_hand = net.head.log_prob(given, levels).sum((1, 2)) + net.prior.log_prob_map(small, labels).sum((1, 2))
    assert torch.allclose(net.log_prob_map(levels, labels).sum((1, 2)), by_hand)
    assert torch.allclose(scoring.score(net, levels, labels).log_prob, by_hand)


@pytest.mark.parametrize("guidance", [1.0, 2.5])
@pytest.mark.parametrize("name", sorted(sampling.SAMPLERS))
def test_two_scale_samplers_match_the_naive_reference_and_keep_known_pixels(name, guidance, monkeypatch):
    net = loud(TWO_SCALE)
    known = torch.zeros(3, 8, 8, dtype=torch.bool)
    known[1, :4] = True  # whole blocks known: their small picture is kept
    known[2, 3:, 5:] = True  # partly known blocks: drawn by the prior, the pixels kept
    levels = torch.randint(0, 256, (3, 3, 8, 8), generator=torch.Generator().manual_seed(3))
    labels = torch.tensor([0, 1, 2])
    seen = []  # the small pictures the images were drawn from
    real_features = net.context_features
    monkeypatch.setattr(net, "context_features", lambda small: seen.append(small) or real_features(small))

    def complete(sampler: str) -> torch.Tensor:
        monkeypatch.setattr(sampling, "DEFAULT_SAMPLER", sampler)
        with torch.inference_mode():
            generator = torch.Generator().manual_seed(4)
            return sampling.complete(net, levels, known, labels, generator, 1.0, None, guidance)

    reference, candidate = complete("naive"), complete(name)
    assert torch.equal(candidate, reference)
    for image in range(3):
        assert torch.equal(reference[image][:, known[image]], levels[image][:, known[image]])
    small = F.avg_pool2d(levels.float(), 2).round().long()
    assert torch.equal(seen[0][1, :, :2], small[1, :, :2])  # the known blocks' means, as given
