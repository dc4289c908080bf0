"""Autoregressive sampling in raster order, with known pixels held fixed.

A `SampleJob` holds everything that decides the result, including all the uniform noise, drawn on
the CPU up front (one slice per pixel, used or not). A sampler is then a pure function of the job, so
a faster sampler (cached activations, issue 6) must return exactly what `naive_sample` returns for
the same job; tests compare every entry of `SAMPLERS` against it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F

from genimg_desktop.engine.pixelcnn.fast_sampling import cached_sample
from genimg_desktop.engine.pixelcnn.guidance import check_guidance, draw, row_gumbel
from genimg_desktop.engine.pixelcnn.heads import SoftmaxHead, levels_to_unit
from genimg_desktop.engine.pixelcnn.network import PixelCNN
from genimg_desktop.engine.pixelcnn.sample_job import RowCallback, SampleJob

PLACEHOLDER = 128  # value of a not-yet-sampled pixel: never seen by the network, only by previews


Sampler = Callable[[PixelCNN, SampleJob, RowCallback | None], torch.Tensor]


def make_job(
    net: PixelCNN,
    levels: torch.Tensor,
    known: torch.Tensor,
    labels: torch.Tensor | None,
    generator: torch.Generator,
    temperature: float = 1.0,
    guidance: float = 1.0,
) -> SampleJob:
    """A job on the network's device, its noise drawn from the CPU `generator`: the same seed gives
    the same noise on every device (CUDA and MPS generators would give other streams). A two-scale
    network's small picture is completed first (a block is known where all its pixels are), and the
    job carries its context features."""
    features = _draw_context(net, levels, known, labels, generator, temperature, guidance)
    batch, _, height, width = levels.shape
    noise = torch.rand((batch, net.head.noise_dims, height, width), generator=generator)
    device = next(net.parameters()).device
    levels, known = levels.cpu(), known.cpu()
    levels = torch.where(known[:, None], levels, torch.full_like(levels, PLACEHOLDER))
    gumbel_seed = None
    if guidance != 1.0:
        check_guidance(net, labels)
        assert labels is not None
        levels, known, noise = (torch.cat([t, t]) for t in (levels, known, noise))
        features = None if features is None else torch.cat([features, features])  # both halves see it
        labels = torch.cat([labels.cpu(), torch.full_like(labels.cpu(), -1)])
        if not isinstance(net.head, SoftmaxHead):  # drawn after the noise: that stays as it was
            gumbel_seed = int(torch.randint(1 << 62, (1,), generator=generator))
    return SampleJob(
        levels=levels.to(device),
        known=known.to(device),
        labels=None if labels is None else labels.to(device),
        noise=noise.to(device),
        temperature=float(temperature),
        guidance=float(guidance),
        gumbel_seed=gumbel_seed,
        features=None if features is None else features.to(device),
    )


def naive_sample(net: PixelCNN, job: SampleJob, on_row: RowCallback | None = None) -> torch.Tensor:
    """The reference: one full forward pass per pixel that has anything to sample. Known pixels are
    simply left in place at their turn; all later pixels see them. Returns levels (B, C, H, W)."""
    return _raster_order(net, job, on_row, lambda levels, row: levels)


def rows_above_sample(net: PixelCNN, job: SampleJob, on_row: RowCallback | None = None) -> torch.Tensor:
    """Exactly `naive_sample`, about twice as fast: the pass for a pixel in row r runs on rows 0..r
    only. Nothing looks down (padding is added above and to the sides), so cutting the rows below
    changes no value in rows <= r."""
    return _raster_order(net, job, on_row, lambda levels, row: levels[:, :, : row + 1])


def _raster_order(
    net: PixelCNN,
    job: SampleJob,
    on_row: RowCallback | None,
    window: Callable[[torch.Tensor, int], torch.Tensor],
) -> torch.Tensor:
    """Visit pixels in raster order; where any image of the batch needs one, run the network on
    `window(levels, row)` and draw it with the job's noise for that pixel."""
    levels = job.levels.clone()
    _, _, height, width = levels.shape
    for row in range(height):
        gumbel = row_gumbel(job, row)
        for col in range(width):
            todo = ~job.known[:, row, col]  # (B,)
            if not bool(todo.any()):
                continue
            out = net(levels_to_unit(window(levels, row)), job.labels, job.features)[:, :, row, col]
            extra = None if gumbel is None else gumbel[:, col]
            new = draw(net.head, out, job.noise[:, :, row, col], job.temperature, job.guidance, extra)
            levels[:, :, row, col] = torch.where(todo[:, None], new, levels[:, :, row, col])
        if on_row is not None:
            on_row(row, levels)
    return levels


# Every entry must equal "naive" for the same job (tests/engine/test_pixelcnn_network.py checks).
SAMPLERS: dict[str, Sampler] = {
    "naive": naive_sample,
    "rows-above": rows_above_sample,
    "cached": cached_sample,  # fast_sampling.py: one row / one position per step instead of a full pass
}
DEFAULT_SAMPLER = "cached"


def sample(
    net: PixelCNN,
    count: int,
    labels: torch.Tensor | None,
    generator: torch.Generator,
    temperature: float = 1.0,
    on_row: RowCallback | None = None,
    guidance: float = 1.0,
) -> torch.Tensor:
    """`count` new images as levels (count, C, H, W), nothing known."""
    size, channels = net.config.size, net.config.channels
    levels = torch.zeros((count, channels, size, size), dtype=torch.long)
    known = torch.zeros((count, size, size), dtype=torch.bool)
    return complete(net, levels, known, labels, generator, temperature, on_row, guidance)


def complete(
    net: PixelCNN,
    levels: torch.Tensor,
    known: torch.Tensor,
    labels: torch.Tensor | None,
    generator: torch.Generator,
    temperature: float = 1.0,
    on_row: RowCallback | None = None,
    guidance: float = 1.0,
) -> torch.Tensor:
    """Fill the pixels where `known` is False, exactly from p(x_i | x_<i) in raster order (with
    guidance != 1, from the guided distribution instead). A two-scale network first completes its
    small picture the same way (see `make_job`), then the image given it."""
    job = make_job(net, levels, known, labels, generator, temperature, guidance)
    with full_float32_convolutions():
        return SAMPLERS[DEFAULT_SAMPLER](net, job, on_row)[: levels.shape[0]]  # a guided job's first half


def _draw_context(
    net: PixelCNN,
    levels: torch.Tensor,
    known: torch.Tensor,
    labels: torch.Tensor | None,
    generator: torch.Generator,
    temperature: float,
    guidance: float,
) -> torch.Tensor | None:
    """A two-scale network's context features (B, K, H, W): its small picture completed by the
    prior; None for a single-scale network."""
    if net.prior is None:
        return None
    small_levels, small_known = _small_job(net, levels, known)
    small = complete(net.prior, small_levels, small_known, labels, generator, temperature, None, guidance)
    with torch.no_grad():
        return net.context_features(small)


def _small_job(net: PixelCNN, levels: torch.Tensor, known: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The small picture of levels (B, C, S, S) and its known blocks (B, s, s): those with every pixel
    known keep their mean; the others are drawn by the prior."""
    device = next(net.parameters()).device
    factor = net.config.factor
    small = net.downsample(levels.to(device))
    all_known = -F.max_pool2d(-known.to(device)[:, None].float(), factor)[:, 0] > 0.5
    return small, all_known


@contextmanager
def full_float32_convolutions() -> Iterator[None]:
    """cuDNN convolutions in true float32 while sampling. On CUDA torch lets cuDNN round float32
    convolutions to TF32 (10 mantissa bits) by default; the cached sampler's matrix products stay
    float32, and its guard allows for float32 rounding only, so its reference passes must run at
    the same precision as the naive sampler's. No effect on the CPU."""
    before = torch.backends.cudnn.allow_tf32
    torch.backends.cudnn.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cudnn.allow_tf32 = before
