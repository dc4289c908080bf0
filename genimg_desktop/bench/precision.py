"""Layouts and precisions of the GAN and VAE networks, side by side at batch 16: the app's draw (the
GAN's folded synthesis, channels-last weights) against the network module as trained in the app's
layout and in torch's default one, and against bfloat16 autocast, each timed in the same run, with
the largest difference from the app's images in 8-bit levels.

The app keeps float32: bfloat16 is measured here, not used, because its rounding depends on the
batch (the same seed would give slightly different images alone and in a batch of 16)."""

from __future__ import annotations

import copy
import statistics
import time
from collections.abc import Callable
from typing import Any

from genimg_desktop.bench.networks import FAMILIES, app_generate, generate, network

COUNT = 16


def compare_precisions(model: Any, quick: bool) -> dict[str, Any]:
    """{variant: {median_s, vs_app, max_diff_levels}} for one loaded GAN or VAE model."""
    import torch

    from genimg_desktop.engine.precision import cpu_has_bf16

    if model.family not in FAMILIES:
        return {"skipped": f"family {model.family}"}
    net = network(model)

    def forward(module: Any, z: Any, labels: Any) -> Any:
        with torch.inference_mode():
            return generate(model.family, module, z, labels)

    default_layout = copy.deepcopy(net).to(memory_format=torch.contiguous_format)
    generator = torch.Generator().manual_seed(0)
    z = torch.randn(COUNT, model.config.z_dim, generator=generator).to(model.device)
    labels = torch.arange(COUNT, device=model.device) % model.config.num_classes

    def app() -> Any:
        with torch.inference_mode():
            return app_generate(model, z, labels)

    app_name = f"app ({model.precision.label}, channels-last)"
    variants = {
        app_name: app,
        "module, float32, channels-last": lambda: forward(net, z, labels),
        "module, float32, default layout": lambda: forward(default_layout, z, labels),
        "module, bfloat16 autocast": lambda: _bf16(forward, net, z, labels, model.device.type),
    }
    reference = app()
    times = interleaved(variants, repeats=5 if quick else 25)
    app_s = times[app_name]
    out: dict[str, Any] = {"count": COUNT, "bf16_supported": cpu_has_bf16(), "variants": {}}
    for name, job in variants.items():
        diff = (job().float() - reference.float()).abs().max().item() * 127.5  # [-1, 1] -> levels
        out["variants"][name] = {
            "median_s": times[name],
            "vs_app": times[name] / app_s,
            "max_diff_levels": diff,
        }
    return out


def interleaved(jobs: dict[str, Callable[[], Any]], repeats: int) -> dict[str, float]:
    """Median seconds per job, the jobs taking turns: other load on the machine drifts over seconds,
    and timing one variant after another would charge the drift to whichever ran during it."""
    samples: dict[str, list[float]] = {name: [] for name in jobs}
    for job in jobs.values():
        job()  # warm-up
    for _ in range(repeats):
        for name, job in jobs.items():
            start = time.perf_counter()
            job()
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def _bf16(forward: Any, net: Any, z: Any, labels: Any, device_type: str) -> Any:
    import torch

    with torch.autocast(device_type, dtype=torch.bfloat16):
        return forward(net, z, labels)
