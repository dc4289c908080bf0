"""The machine's measured rate (GFLOP/s of a large fp32 matmul and of a representative 3x3 conv) and
FLOP counting of any piece of torch work with `torch.utils.flop_counter.FlopCounterMode`."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MATMUL_N = 1024  # (N, N) @ (N, N): 2 GFLOP, large enough to reach the BLAS's steady rate
# A 3x3 conv the size of a generator stage at 28 px: batch 16, 64 -> 64 channels.
CONV_SHAPE = (16, 64, 28, 28)
CONV_OUT = 64


@dataclass(frozen=True)
class FlopCount:
    """FLOPs of some work: convolutions apart (they run at the conv rate), everything else."""

    conv: int
    other: int
    by_op: dict[str, int]

    @property
    def total(self) -> int:
        return self.conv + self.other

    def floor_s(self, rate: dict[str, float]) -> float | None:
        """The least time this work could take at the measured rates (GFLOP/s by "conv"/"matmul")."""
        if rate.get("conv", 0) <= 0 or rate.get("matmul", 0) <= 0:
            return None
        return self.conv / (rate["conv"] * 1e9) + self.other / (rate["matmul"] * 1e9)


@dataclass(frozen=True)
class Timing:
    median_s: float
    min_s: float
    runs: int


def count_flops(fn: Callable[[], Any]) -> tuple[Any, FlopCount]:
    """Run `fn` once under FlopCounterMode; its result and what it counted (matmuls, convs, ...)."""
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False, custom_mapping=_prepacked_convolutions()) as counter:
        out = fn()
    by_op = {str(op): int(n) for op, n in counter.get_flop_counts().get("Global", {}).items()}
    conv = sum(n for op, n in by_op.items() if "convolution" in op)
    return out, FlopCount(conv=conv, other=sum(by_op.values()) - conv, by_op=by_op)


def _prepacked_convolutions() -> dict[Any, Callable[..., int]]:
    """FLOP formulas for oneDNN's prepacked convolution operators (engine/packed_conv.py), which the
    counter does not know: the same count as torch's convolutions (the packed weight keeps the
    weight's shape). Without them the app's convolutions would count as no work at all."""
    import torch
    from torch.utils.flop_counter import conv_flop_count

    def plain(x_shape: Any, w_shape: Any, *_: Any, out_shape: Any = None, **__: Any) -> int:
        return conv_flop_count(list(x_shape), list(w_shape), list(out_shape), transposed=False)

    def transposed(x_shape: Any, w_shape: Any, *_: Any, out_shape: Any = None, **__: Any) -> int:
        return conv_flop_count(list(x_shape), list(w_shape), list(out_shape), transposed=True)

    ops = torch.ops.mkldnn
    if not all(hasattr(ops, name) for name in ("_convolution_pointwise", "_convolution_transpose_pointwise")):
        return {}
    return {
        ops._convolution_pointwise: plain,
        ops._convolution_transpose_pointwise: transposed,
    }


def time_median(
    fn: Callable[[], Any], repeats: int, warmup: int = 1, budget_s: float | None = None, sync: Any = None
) -> Timing:
    """Median wall time of `fn` over up to `repeats` runs after `warmup` untimed ones; stops early (after
    at least one timed run) once `budget_s` is spent, so a slow model cannot stall the whole bench."""
    for _ in range(warmup):
        fn()
    times: list[float] = []
    spent = 0.0
    while len(times) < max(repeats, 1) and (budget_s is None or not times or spent < budget_s):
        start = time.perf_counter()
        fn()
        if sync is not None:
            sync()
        times.append(time.perf_counter() - start)
        spent += times[-1]
    return Timing(statistics.median(times), min(times), len(times))


def machine_rate(device: Any, quick: bool) -> dict[str, Any]:
    """GFLOP/s of the matmul and the conv on `device`, and the torch thread count they ran with."""
    import torch

    sync = _synchronizer(device)
    repeats = 5 if quick else 15
    a, b = (torch.randn(MATMUL_N, MATMUL_N, device=device) for _ in range(2))
    x = torch.randn(*CONV_SHAPE, device=device)
    w = torch.randn(CONV_OUT, CONV_SHAPE[1], 3, 3, device=device)
    x_last, w_last = (t.contiguous(memory_format=torch.channels_last) for t in (x, w))
    conv2d = torch.nn.functional.conv2d
    with torch.inference_mode():
        matmul = _rate(lambda: torch.mm(a, b), repeats, sync)
        # Both layouts, the faster counts: torch's default one ran at anything from 120 to 250 GFLOP/s
        # here from one process to the next, channels-last (the GANs' and VAEs') at about 270. A slow
        # reference would lower every floor's rate, raise nothing but the floors, and flatter the ratios.
        by_layout = {
            "default": _rate(lambda: conv2d(x, w, padding=1), repeats, sync),
            "channels_last": _rate(lambda: conv2d(x_last, w_last, padding=1), repeats, sync),
        }
    conv = dict(max(by_layout.values(), key=lambda r: r["gflops"]))
    conv["layout"] = max(by_layout, key=lambda name: by_layout[name]["gflops"])
    conv["gflops_by_layout"] = {name: r["gflops"] for name, r in by_layout.items()}
    matmul["shape"] = [MATMUL_N, MATMUL_N, MATMUL_N]
    conv["shape"] = {"input": list(CONV_SHAPE), "weight": [CONV_OUT, CONV_SHAPE[1], 3, 3], "padding": 1}
    return {"device": str(device), "torch_threads": torch.get_num_threads(), "matmul": matmul, "conv2d": conv}


def _rate(fn: Callable[[], Any], repeats: int, sync: Any) -> dict[str, Any]:
    _, flops = count_flops(fn)  # counted, not hand-computed: the same counter as the models use
    timing = time_median(fn, repeats, warmup=2, sync=sync)
    # The rate of the fastest run: what the hardware reaches. A median can be dragged down by a busy
    # moment on a shared machine, which would raise every floor and flatter every ratio to it.
    return {
        "flops": flops.total,
        "median_s": timing.median_s,
        "min_s": timing.min_s,
        "runs": timing.runs,
        "gflops": flops.total / timing.min_s / 1e9,
    }


def _synchronizer(device: Any) -> Callable[[], None] | None:
    """GPU work is asynchronous: time it only after it finished."""
    import torch

    kind = torch.device(device).type
    if kind == "cuda":
        return torch.cuda.synchronize
    if kind == "mps":
        return torch.mps.synchronize
    return None
