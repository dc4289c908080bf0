"""The kernel floor of a GAN or VAE network: each convolution and linear layer timed alone on the
very input it gets in a real forward pass, summed. It answers what the FLOP floor cannot: how fast
this work can run with the fastest kernels the app has for these shapes at this batch size (the
convolutions with their weights prepacked for oneDNN, as the app draws: engine/packed_conv.py). The
gap between the app's latency and this sum is everything else (Python, small element-wise ops,
copies); the gap between this sum and the FLOP floor is the kernels' own efficiency at small sizes."""

from __future__ import annotations

import statistics
import time
from typing import Any

from genimg_desktop.bench.networks import generate, network

KERNEL_TYPES = ("Conv2d", "ConvTranspose2d", "Linear")


def kernel_floor(model: Any, count: int, repeats: int) -> dict[str, Any]:
    """{"total_s", "by_type": {type: seconds}, "layers"} for one batch of `count` samples."""
    import torch

    net = network(model)
    calls: list[tuple[torch.nn.Module, torch.Tensor]] = []
    hooks = [
        module.register_forward_hook(lambda mod, args, _out: calls.append((mod, args[0])))
        for module in net.modules()
        if type(module).__name__ in KERNEL_TYPES
    ]
    generator = torch.Generator().manual_seed(0)
    z = torch.randn(count, model.config.z_dim, generator=generator).to(model.device)
    labels = torch.arange(count, device=model.device) % model.config.num_classes
    try:
        with torch.inference_mode():
            generate(model.family, net, z, labels)
    finally:
        for hook in hooks:
            hook.remove()
    by_type: dict[str, float] = {}
    with torch.inference_mode():
        for module, given in calls:
            kernel = _fastest_form(module, given)
            seconds = _median(lambda k=kernel, x=given: k(x), repeats)
            name = type(module).__name__
            by_type[name] = by_type.get(name, 0.0) + seconds
    return {"total_s": sum(by_type.values()), "by_type": by_type, "layers": len(calls)}


def _fastest_form(module: Any, given: Any) -> Any:
    """A convolution prepacked for one image of `given`'s shape (as the app packs it); a linear as is."""
    from torch import nn

    from genimg_desktop.engine.packed_conv import pack_module

    if isinstance(module, nn.Conv2d | nn.ConvTranspose2d):
        return pack_module(module, (1, *given.shape[1:]), given.dtype)
    return module


def _median(fn: Any, repeats: int) -> float:
    for _ in range(3):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
