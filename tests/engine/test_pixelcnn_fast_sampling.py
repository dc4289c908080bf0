"""The cached sampler (issue 6) returns exactly the naive sampler's images, for every head, kernel,
known mask and batch; it skips what nobody needs; its rounding guard catches draws that would flip."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from genimg_desktop.engine.pixelcnn import fast_sampling, sampling
from genimg_desktop.engine.pixelcnn.heads import bin_log_prob
from genimg_desktop.engine.pixelcnn.network import PixelCNN, PixelCNNConfig

GRAY = PixelCNNConfig(size=8, channels=1, num_classes=3, layers=3, hidden=8, kernel=3, first_kernel=5)
GUIDED = replace(GRAY, class_dropout=0.1)  # trained so, the network also models p(x): label -1
COLOUR = PixelCNNConfig(
    size=8,
    channels=3,
    num_classes=0,
    layers=3,
    hidden=8,
    kernel=3,
    first_kernel=3,
    head="logistic",
    mixtures=3,
)
GUIDED_COLOUR = replace(COLOUR, num_classes=3, class_dropout=0.1)


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny tensors on a shared 2-core machine: one thread avoids spinning against other processes."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def tiny(config: PixelCNNConfig, seed: int = 0) -> PixelCNN:
    torch.manual_seed(seed)
    return PixelCNN(config).eval()


def make_job(
    net: PixelCNN,
    known: torch.Tensor,
    seed: int = 0,
    labels: bool = True,
    temperature: float = 1.0,
    guidance: float = 1.0,
) -> sampling.SampleJob:
    """A job for known (B, H, W), random levels under the known pixels, classes 0, 1, 2, 0, ..."""
    batch, channels, size = known.shape[0], net.config.channels, net.config.size
    generator = torch.Generator().manual_seed(seed + 100)
    levels = torch.randint(0, 256, (batch, channels, size, size), generator=generator)
    classes = torch.arange(batch) % 3 if labels else None
    generator = torch.Generator().manual_seed(seed)
    return sampling.make_job(net, levels, known, classes, generator, temperature, guidance)


def both(net: PixelCNN, job: sampling.SampleJob) -> tuple[torch.Tensor, torch.Tensor]:
    """(naive, cached) levels for the same job."""
    with torch.inference_mode():
        return sampling.naive_sample(net, job), fast_sampling.cached_sample(net, job)


def nothing_known(batch: int, size: int = 8) -> torch.Tensor:
    return torch.zeros(batch, size, size, dtype=torch.bool)


def test_is_registered_and_the_default():
    assert sampling.SAMPLERS["cached"] is fast_sampling.cached_sample
    assert sampling.DEFAULT_SAMPLER == "cached"


def test_gray_softmax_with_classes():
    net = tiny(GRAY)
    naive, cached = both(net, make_job(net, nothing_known(2)))
    assert torch.equal(cached, naive)


def test_colour_logistic_without_classes():
    net = tiny(COLOUR)
    naive, cached = both(net, make_job(net, nothing_known(2), labels=False))
    assert torch.equal(cached, naive)


@pytest.mark.parametrize("config", [GRAY, COLOUR], ids=["gray", "colour"])
def test_temperature(config):
    net = tiny(config, seed=1)
    naive, cached = both(net, make_job(net, nothing_known(1), seed=3, temperature=0.6))
    assert torch.equal(cached, naive)


@pytest.mark.parametrize("config", [GUIDED, GUIDED_COLOUR], ids=["gray", "colour"])
def test_guided_sampling_draws_each_pair_alike_and_matches_the_naive_pass(config):
    net = tiny(config, seed=4)
    known = nothing_known(3)
    known[1, :3] = True
    job = make_job(net, known, seed=10, guidance=3.0)
    assert job.labels is not None and job.labels.tolist() == [0, 1, 2, -1, -1, -1]  # doubled batch
    naive, cached = both(net, job)
    assert torch.equal(cached, naive)
    assert torch.equal(cached[:3], cached[3:])  # the unconditional half only lends its logits
    plain, _ = both(net, make_job(net, known, seed=10))
    assert not torch.equal(cached[:3], plain)  # guidance does change the draws
    assert torch.equal(cached[1][:, known[1]], job.levels[1][:, known[1]])


def test_guided_logistic_draw_is_the_product_of_the_two_distributions():
    """Guidance 1 gives each channel's exact conditional distribution; guidance g gives
    p_u^(1-g) p_c^g, renormalised, which a direct computation over the 256 levels confirms."""
    head = tiny(GUIDED_COLOUR).head
    generator = torch.Generator().manual_seed(3)
    cond, uncond = (torch.randn(1, head.out_channels, generator=generator) for _ in range(2))
    levels = torch.zeros((1, 3), dtype=torch.long)
    channel, logits, _ = next(head.guided_channels(cond, uncond, 1.0, 2.5, levels))
    grid = torch.arange(256)[:, None]  # (256, 1): every level of the red channel

    def red_log_p(out: torch.Tensor) -> torch.Tensor:  # log p(red = level), (256,)
        logits_k, means, scales, _ = (t[0, ..., 0, 0] for t in head.split(out[:, :, None, None]))
        table = bin_log_prob(grid, means[None, :, 0], scales[None, :, 0])  # (256, K)
        return torch.logsumexp(torch.log_softmax(logits_k, 0)[None] + table, dim=1)

    expected = torch.log_softmax(2.5 * red_log_p(cond) - 1.5 * red_log_p(uncond), dim=0)
    assert channel == 0
    assert torch.allclose(torch.log_softmax(logits[0], dim=0), expected, atol=1e-4)


def test_guidance_is_refused_where_it_has_no_meaning():
    with pytest.raises(ValueError, match="class_dropout"):
        make_job(tiny(GRAY), nothing_known(1), guidance=2.0)
    with pytest.raises(ValueError, match="class-conditional"):
        make_job(tiny(GUIDED), nothing_known(1), labels=False, guidance=2.0)


@pytest.mark.parametrize("config", [GRAY, COLOUR], ids=["gray", "colour"])
def test_completion_keeps_known_pixels(config):
    net = tiny(config)
    known = nothing_known(1)
    known[0, :4] = True  # the top half, and a few pixels of the bottom
    known[0, 5, 2:5] = True
    known[0, 7, 7] = True
    job = make_job(net, known, seed=4)
    naive, cached = both(net, job)
    assert torch.equal(cached, naive)
    assert torch.equal(cached[0][:, known[0]], job.levels[0][:, known[0]])


@pytest.mark.parametrize("config", [GRAY, COLOUR], ids=["gray", "colour"])
def test_batch_of_three_with_different_known_masks(config):
    net = tiny(config, seed=2)
    known = nothing_known(3)
    known[0, :, :3] = True  # left columns
    known[1, 2:6, 2:6] = True  # a block in the middle
    known[2, 4:] = True  # the bottom half (rows 4.. are drawn by the others only)
    naive, cached = both(net, make_job(net, known, seed=5))
    assert torch.equal(cached, naive)


@pytest.mark.parametrize(
    "kernel,first_kernel,layers", [(5, 7, 3), (3, 3, 4), (1, 3, 2), (3, 1, 2), (3, 3, 1)]
)
def test_kernels_and_depths(kernel, first_kernel, layers):
    config = PixelCNNConfig(
        size=9, num_classes=3, layers=layers, hidden=6, kernel=kernel, first_kernel=first_kernel
    )
    net = tiny(config, seed=kernel + first_kernel)
    known = nothing_known(2, 9)
    known[1, 3, 2:] = True
    naive, cached = both(net, make_job(net, known, seed=6))
    assert torch.equal(cached, naive)


def test_labels_given_to_an_unconditional_network_are_ignored():
    config = PixelCNNConfig(size=8, layers=2, hidden=8, kernel=3, first_kernel=3)
    net = tiny(config)
    naive, cached = both(net, make_job(net, nothing_known(2)))
    assert torch.equal(cached, naive)


def test_rows_are_reported_once_each_with_the_naive_rows_so_far():
    net = tiny(GRAY)
    job = make_job(net, nothing_known(2), seed=7)
    naive, _ = both(net, job)
    seen: list[int] = []

    def on_row(row: int, levels: torch.Tensor) -> None:
        assert torch.equal(levels[:, :, : row + 1], naive[:, :, : row + 1])
        seen.append(row)

    with torch.inference_mode():
        fast_sampling.cached_sample(net, job, on_row)
    assert seen == list(range(8))


def test_nothing_to_draw_returns_the_known_image():
    net = tiny(GRAY)
    job = make_job(net, torch.ones(2, 8, 8, dtype=torch.bool))
    rows: list[int] = []
    with torch.inference_mode():
        out = fast_sampling.cached_sample(net, job, lambda row, levels: rows.append(row))
    assert torch.equal(out, job.levels) and rows == list(range(8))


def count_positions(monkeypatch) -> list[int]:
    """Columns at which the horizontal stacks run, in order; no fallbacks, so each runs once."""
    monkeypatch.setattr(fast_sampling, "OUTPUT_EPS", 0.0)
    monkeypatch.setattr(fast_sampling, "DRAW_EPS", 0.0)
    columns: list[int] = []
    real = fast_sampling._RowCache.position
    monkeypatch.setattr(
        fast_sampling._RowCache, "position", lambda self, col: columns.append(col) or real(self, col)
    )
    return columns


def test_known_rows_and_far_left_columns_cost_no_positions(monkeypatch):
    """Rows nobody draws in run no horizontal stack; in a row with a hole, only the hole and the
    `reach` columns left of it do (layers=3, kernel 3: two columns)."""
    columns = count_positions(monkeypatch)
    net = tiny(GRAY)
    known = torch.ones(2, 8, 8, dtype=torch.bool)
    known[0, 5, 4:6] = True
    known[0, 5, 5:7] = False
    known[1, 7, 6] = False
    naive, cached = both(net, make_job(net, known, seed=8))
    assert torch.equal(cached, naive)
    assert columns == [3, 4, 5, 6] + [4, 5, 6]


@pytest.mark.parametrize(
    "config,size,guidance",
    [(GRAY, 1e-2, 1.0), (COLOUR, 3e-4, 1.0), (GUIDED, 3e-3, 2.5), (GUIDED_COLOUR, 3e-3, 2.5)],
    ids=["gray", "colour", "guided-gray", "guided-colour"],
)
def test_guard_catches_draws_that_rounding_would_flip(monkeypatch, config, size, guidance):
    """Perturb the cached outputs far beyond rounding (by up to `size` (1 + |out|)): unchecked, draws
    change; with the guard told the size of the error, the reference pass redoes the draws it cannot
    vouch for (on the images and rows concerned only: 10 rows, more than a pixel sees) and the images
    are the naive ones again."""
    config = replace(config, size=10)
    net = tiny(config, seed=3)
    job = make_job(net, nothing_known(3, 10), seed=9, guidance=guidance)
    real = fast_sampling._RowCache.head
    generator = torch.Generator().manual_seed(0)

    def perturbed(self, col: int) -> torch.Tensor:
        out = real(self, col)
        error = size * (1 + out.abs().amax(dim=1, keepdim=True))
        return out.add_((torch.rand(out.shape, generator=generator) * 2 - 1) * error)

    monkeypatch.setattr(fast_sampling._RowCache, "head", perturbed)
    monkeypatch.setattr(fast_sampling, "OUTPUT_EPS", 0.0)
    naive, unchecked = both(net, job)
    assert not torch.equal(unchecked, naive)  # the perturbation is large enough to matter
    monkeypatch.setattr(fast_sampling, "OUTPUT_EPS", 1.5 * size / torch.finfo(torch.float32).eps)
    _, checked = both(net, job)
    assert torch.equal(checked, naive)
