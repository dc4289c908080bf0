"""Half precision, adopted per model only when a measured check says its images hold.

At load time a GAN or VAE draws a fixed batch twice, in float32 and in the device's half type
(float16 on CUDA and MPS, bfloat16 on a CPU with native bfloat16 arithmetic), and keeps the
half-precision network only if no pixel moved by more than `TOLERANCE_LEVELS` of the 255 8-bit levels
(and nothing overflowed). The check is deterministic, so a model always draws in the same precision
on the same machine and a seed still gives the same image. GENIMG_PRECISION=float32 turns it off.
Inpainting's latent fit keeps the float32 modules: it backpropagates through them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import torch

# The largest change (of 255 levels) half precision may make to any pixel of the check batch: less
# than one can see. Measured on the shipped models (CPU): float16 moves the GANs by 0.3 and 3.1
# levels, the VAEs by 0.2-0.3; bfloat16 moves the Fashion GAN by 2.3, the VAEs by 1.3 and the emoji
# GAN by 18, which stays float32.
TOLERANCE_LEVELS = 4.0
PRECISION_ENV = "GENIMG_PRECISION"  # "auto" (the default) or "float32": never try half precision
CHECK_COUNT = 8  # images in the check batch

# (latents, class embeddings), float32 -> float32 images in [-1, 1], computed in one precision
Draw = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Precision:
    """What a model draws with, and what the check measured (None: nothing was tried)."""

    dtype: torch.dtype = torch.float32
    checked_levels: float | None = None  # the half-precision batch's largest difference from float32

    @property
    def label(self) -> str:
        return str(self.dtype).removeprefix("torch.")


def half_dtype(device: torch.device) -> torch.dtype | None:
    """The half type worth trying on `device`: float16 on CUDA and MPS; bfloat16 on a CPU that has it
    natively (emulated, it is slower than float32); none when GENIMG_PRECISION is "float32"."""
    if os.environ.get(PRECISION_ENV, "auto").strip().lower() == "float32":
        return None
    if device.type in ("cuda", "mps"):
        return torch.float16
    return torch.bfloat16 if cpu_has_bf16() else None


def cpu_has_bf16() -> bool:
    """True when this CPU has native bfloat16 arithmetic (AVX512-BF16 or AMX), as oneDNN reports it."""
    check = getattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", None)
    return bool(check()) if check is not None else False


def choose_draw(
    make: Callable[[torch.dtype], Draw],
    inputs: tuple[torch.Tensor, torch.Tensor],
    dtype: torch.dtype | None,
    tolerance: float | None = None,
) -> tuple[Draw, Precision]:
    """`make(dtype)` builds a draw function computing in `dtype`. Returns the half-precision one when
    `dtype` is given and its images on `inputs` stay within `tolerance` (default `TOLERANCE_LEVELS`)
    levels of float32's, else the float32 one; with what was measured."""
    tolerance = TOLERANCE_LEVELS if tolerance is None else tolerance
    full = make(torch.float32)
    if dtype is None:
        return full, Precision()
    try:
        half = make(dtype)
        levels = _largest_difference(half(*inputs), full(*inputs))
    except (RuntimeError, NotImplementedError):  # a kernel this device lacks in that type
        return full, Precision()
    if not levels <= tolerance:  # also false for NaN: an overflow in half precision
        return full, Precision(torch.float32, levels)
    return half, Precision(dtype, levels)


def _largest_difference(images: torch.Tensor, reference: torch.Tensor) -> float:
    """The largest per-pixel difference in 8-bit levels between two batches in [-1, 1] (NaN if any
    value is not finite)."""
    if not torch.isfinite(images).all():
        return float("nan")
    return float((images.float() - reference.float()).abs().max()) * 127.5
