"""Batches of random training masks as tensors, drawn from a torch generator (so the loop's per-step
reseeding makes them reproducible)."""

from __future__ import annotations

import numpy as np
import torch

from genimg_desktop.core.random_masks import object_mask, random_mask

OBJECT_KINDS = ("blob", "object-box")  # an artist's hole over a whole object (core.random_masks)


def mask_batch(
    count: int,
    size: int,
    kinds: list[str],
    generator: torch.Generator | None = None,
    reference: int | None = None,
) -> torch.Tensor:
    """(count, 1, size, size) float masks, 1 = hole; each of a kind drawn uniformly from `kinds`
    (strokes, "box", or the object-sized "blob" and "object-box"), with strokes sized for a
    `reference`-px picture (see core.random_masks)."""
    seed = int(torch.randint(0, 2**31 - 1, (1,), generator=generator).item())
    rng = np.random.default_rng(seed)
    drawn = [_one(size, kinds[int(rng.integers(len(kinds)))], rng, reference) for _ in range(count)]
    return torch.from_numpy(np.stack(drawn)[:, None].astype(np.float32) / 255.0)


def _one(size: int, kind: str, rng: np.random.Generator, reference: int | None) -> np.ndarray:
    """One mask, sized for a `reference`-px picture: strokes and boxes (core.random_masks), or an
    object-sized hole (90-180 px at 512, as in the bench) drawn on the whole picture and cut out with
    the `size` window around it, so a crop gets the hole its picture would."""
    if kind not in OBJECT_KINDS:
        return random_mask(size, size, kind, rng, reference)
    side = max(reference or size, size)
    whole = object_mask(side, side, kind, rng)
    rows, cols = np.flatnonzero(whole.any(axis=1)), np.flatnonzero(whole.any(axis=0))
    y0 = _window(int(rows[0] + rows[-1]) // 2, size, side)
    x0 = _window(int(cols[0] + cols[-1]) // 2, size, side)
    return np.ascontiguousarray(whole[y0 : y0 + size, x0 : x0 + size])


def _window(centre: int, size: int, side: int) -> int:
    """The start of a `size` window centred on `centre`, inside 0..side."""
    return min(max(centre - size // 2, 0), side - size)
