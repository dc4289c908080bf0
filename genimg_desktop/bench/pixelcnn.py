"""PixelCNN: the naive reference sampler against the cached one on the same job (same seed, same
noise), checked for identical output inside the bench, and the speed-up.

The naive sampler runs one full forward pass per pixel (about 12 s for one 28x28 image on one core),
so quick mode samples only the first QUICK_ROWS rows (the rest are known pixels, which both samplers
skip) and says so; the full run samples the whole image. For a two-scale network both samplers get
the same small picture, drawn once by its prior beforehand, and time the full-size pass only."""

from __future__ import annotations

import time
from typing import Any

QUICK_ROWS = 3
SEED = 0


def compare_samplers(model: Any, descriptor: Any, quick: bool) -> dict[str, Any]:
    """Time "naive" and "cached" on one count-1 job and compare their outputs exactly."""
    import torch

    from genimg_desktop.engine.pixelcnn.sampling import SAMPLERS, make_job

    net = model.net
    size, channels = net.config.size, net.config.channels
    rows = min(QUICK_ROWS, size) if quick else size
    levels = torch.zeros((1, channels, size, size), dtype=torch.long)
    known = torch.arange(size)[:, None].expand(1, size, size) >= rows  # sample rows [0, rows) only
    labels = torch.zeros(1, dtype=torch.long) if net.config.num_classes else None
    generator = torch.Generator().manual_seed(SEED)
    with torch.inference_mode():
        job = make_job(net, levels, known, labels, generator)  # a two-scale one's small picture too
        SAMPLERS["cached"](net, job, None)  # warm-up: allocator and kernels, not the measured work
        cached, cached_s = _timed(lambda: SAMPLERS["cached"](net, job, None))
        naive, naive_s = _timed(lambda: SAMPLERS["naive"](net, job, None))
    return {
        "id": descriptor.id,
        "size": size,
        "job": {"count": 1, "seed": SEED, "sampled_rows": rows, "sampled_pixels": rows * size},
        "reduced": rows < size,
        "note": f"quick mode: only the first {rows} of {size} rows sampled" if rows < size else "",
        "naive_s": naive_s,
        "cached_s": cached_s,
        "speedup": naive_s / cached_s,
        "identical": bool(torch.equal(naive, cached)),
    }


def _timed(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start
