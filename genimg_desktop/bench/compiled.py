"""torch.compile against the eager network modules (GAN generator, VAE decoder), at batch 1 and 16:
the compile's own warm-up, the time per call each way (taking turns), the largest difference in 8-bit
levels, and how many images the compiled network must make before its warm-up has paid off.

The app stays eager (and draws GANs with the folded synthesis, engine/gan/fused.py, which at batch 1
beats the compiled module). The break-even counts this measures run to hundreds of thousands of images on a
laptop CPU, far beyond a session's work, and torch.compile's CPU backend needs a C++ compiler at run
time, which the packaged app cannot count on (docs/PERFORMANCE.md has the numbers)."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from genimg_desktop.bench.networks import FAMILIES, generate, network
from genimg_desktop.bench.precision import interleaved

BATCHES = (1, 16)


def compare_compiled(model: Any, quick: bool) -> dict[str, Any]:
    """{"batches": {"1": {...}, "16": {...}}} for one loaded GAN or VAE model, or {"skipped": why}."""
    import torch

    if model.family not in FAMILIES:
        return {"skipped": f"family {model.family}"}
    if quick:
        return {"skipped": "full mode only: compiling takes tens of seconds per network and batch"}
    compiler = os.environ.get("CXX") or shutil.which("g++") or shutil.which("clang++")
    if not compiler:
        return {"skipped": "no C++ compiler (torch.compile's CPU backend needs one)"}
    eager = partial(generate, model.family, network(model))
    out: dict[str, Any] = {"compiler": compiler, "batches": {}}
    with _cold_compiler():
        compiled = torch.compile(eager, dynamic=False)  # one graph per batch size, as an app would
        for count in BATCHES:
            out["batches"][str(count)] = _measure(eager, compiled, model, count, repeats=15)
    return out


@contextmanager
def _cold_compiler() -> Iterator[None]:
    """A first-time user's compile: an empty kernel cache (a temporary folder, removed after), no
    FX-graph cache and no compile worker threads (the bench measures on its own threads only, and
    leaves no pool running)."""
    import torch
    import torch._inductor.config as inductor

    previous = os.environ.get("TORCHINDUCTOR_CACHE_DIR")
    with tempfile.TemporaryDirectory(prefix="genimg-inductor-") as cache:
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = cache
        torch._dynamo.reset()
        try:
            with inductor.patch(compile_threads=1, fx_graph_cache=False):
                yield
        finally:
            torch._dynamo.reset()
            if previous is None:
                os.environ.pop("TORCHINDUCTOR_CACHE_DIR", None)
            else:
                os.environ["TORCHINDUCTOR_CACHE_DIR"] = previous


def _measure(eager: Any, compiled: Any, model: Any, count: int, repeats: int) -> dict[str, Any]:
    import torch

    generator = torch.Generator().manual_seed(count)
    z = torch.randn(count, model.config.z_dim, generator=generator).to(model.device)
    labels = torch.arange(count, device=model.device) % model.config.num_classes
    with torch.inference_mode():
        start = time.perf_counter()
        first = compiled(z, labels)  # traces, generates and builds the kernels for this shape
        warmup_s = time.perf_counter() - start
        diff = (first.float() - eager(z, labels).float()).abs().max().item() * 127.5  # levels
        times = interleaved(
            {"eager": lambda: eager(z, labels), "compiled": lambda: compiled(z, labels)}, repeats
        )
    saved_per_image = (times["eager"] - times["compiled"]) / count
    return {
        "count": count,
        "eager_s": times["eager"],
        "compiled_s": times["compiled"],
        "speedup": times["eager"] / times["compiled"],
        "warmup_s": warmup_s,
        "max_diff_levels": diff,
        "break_even_images": break_even(warmup_s, saved_per_image),
    }


def break_even(warmup_s: float, saved_per_image_s: float) -> int | None:
    """Images after which the compile's warm-up is paid back; None when compiling saves nothing."""
    if saved_per_image_s <= 0:
        return None
    return int(warmup_s / saved_per_image_s) + 1
