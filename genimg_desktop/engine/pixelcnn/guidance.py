"""Classifier-free guidance for the PixelCNN (Ho & Salimans 2022, as autoregressive models use it):
a network trained with class dropout predicts both p(x_i | x_<i, class) and p(x_i | x_<i); sampling
from log p_u + g (log p_c - log p_u) with g > 1 leans every pixel towards what makes the class
distinct, which gives clearer class shapes at the cost of variety."""

from __future__ import annotations

import torch

from genimg_desktop.engine.pixelcnn.heads import LEVELS, LogisticMixtureHead, SoftmaxHead
from genimg_desktop.engine.pixelcnn.network import PixelCNN, PixelCNNConfig
from genimg_desktop.engine.pixelcnn.sample_job import SampleJob
from genimg_desktop.engine.training.batches import mix_seed

# The default of a model trained with class dropout (measured on Fashion-MNIST: docs/MODELS.md).
DEFAULT_GUIDANCE = 2.0


def draw(
    head: SoftmaxHead | LogisticMixtureHead,
    out: torch.Tensor,
    noise: torch.Tensor,
    temperature: float,
    guidance: float,
    gumbel: torch.Tensor | None = None,
) -> torch.Tensor:
    """`head.sample` of out (B, O), or under guidance (a doubled batch, the conditional half first)
    the guided draw, the same for both halves (they share their noise): levels (B, C).

    Softmax head: the logits u + g (c - u), drawn with the pixel's uniform. Logistic mixture: per
    channel, the exact 256-level log-probabilities combined the same way and drawn with `gumbel`
    (B/2, C, 256), see `gumbel_row` and `LogisticMixtureHead.guided_sample`."""
    if guidance == 1.0:
        return head.sample(out, noise, temperature)
    cond, uncond = out.chunk(2)
    half = cond.shape[0]
    if isinstance(head, SoftmaxHead):
        drawn = head.sample(torch.lerp(uncond, cond, guidance), noise[:half], temperature)
    else:
        if gumbel is None:
            raise ValueError("guided sampling of a colour model needs its Gumbel noise")
        drawn = head.guided_sample(cond, uncond, gumbel, temperature, guidance)
    return torch.cat([drawn, drawn])


def gumbel_row(
    seed: int, row: int, count: int, channels: int, width: int, device: torch.device
) -> torch.Tensor:
    """Gumbel noise (count, W, C, 256) for one image row of a guided colour job, from a CPU generator
    seeded by (seed, row): made a row at a time (a whole image's would be 768 numbers per pixel), the
    same for every sampler and device."""
    generator = torch.Generator().manual_seed(mix_seed(seed, row))
    uniform = torch.rand((count, width, channels, LEVELS), generator=generator)
    return (-torch.log(-torch.log(uniform.clamp(1e-12, 1.0 - 1e-7)))).to(device)


def row_gumbel(job: SampleJob, row: int) -> torch.Tensor | None:
    """The Gumbel noise (B/2, W, C, 256) of one row of a guided colour job; None for other jobs."""
    if job.gumbel_seed is None:
        return None
    batch, channels, _, width = job.levels.shape
    return gumbel_row(job.gumbel_seed, row, batch // 2, channels, width, job.levels.device)


def guidable(config: PixelCNNConfig) -> bool:
    """Whether class guidance can run: classes, and class dropout in training."""
    return bool(config.num_classes and config.class_dropout)


def check_guidance(net: PixelCNN, labels: torch.Tensor | None) -> None:
    """Raise a clear error where guidance cannot run (see `guidable`)."""
    if labels is None or not net.config.num_classes:
        raise ValueError("class guidance needs a class-conditional model and a class")
    if not net.config.class_dropout:
        raise ValueError("class guidance needs a model trained with class_dropout (it learns p(x) too)")
