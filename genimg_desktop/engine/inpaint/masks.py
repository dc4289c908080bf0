"""Batches of random training masks as tensors, drawn from a torch generator (so the loop's per-step
reseeding makes them reproducible)."""

from __future__ import annotations

import numpy as np
import torch

from genimg_desktop.core.random_masks import random_mask


def mask_batch(
    count: int,
    size: int,
    kinds: list[str],
    generator: torch.Generator | None = None,
    reference: int | None = None,
) -> torch.Tensor:
    """(count, 1, size, size) float masks, 1 = hole; each of a kind drawn uniformly from `kinds`,
    with strokes sized for a `reference`-px picture (see core.random_masks)."""
    seed = int(torch.randint(0, 2**31 - 1, (1,), generator=generator).item())
    rng = np.random.default_rng(seed)
    drawn = [
        random_mask(size, size, kinds[int(rng.integers(len(kinds)))], rng, reference) for _ in range(count)
    ]
    return torch.from_numpy(np.stack(drawn)[:, None].astype(np.float32) / 255.0)
