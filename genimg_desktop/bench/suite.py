"""Run every measurement of `genimg bench` in order and collect one JSON-ready dict.

A measurement that fails is recorded as {"error": ...} in its section (and in "errors"), and the rest
still run: a broken start-up must not hide the model numbers."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from genimg_desktop import __version__

Echo = Callable[[str], None]


@dataclass(frozen=True)
class BenchOptions:
    quick: bool = False
    models: tuple[str, ...] = ()  # empty: every installed generation model
    threads: int | None = None  # torch threads (and OMP_NUM_THREADS of the launched processes)


@contextmanager
def torch_threads(count: int | None) -> Iterator[None]:
    """Run the block with `count` torch threads, here and in child processes; None: leave as is.
    Restored afterwards (tests run the bench in-process)."""
    import torch

    if count is None:
        yield
        return
    if count < 1:
        raise ValueError("--threads must be at least 1")
    old_count, old_env = torch.get_num_threads(), os.environ.get("OMP_NUM_THREADS")
    torch.set_num_threads(count)
    os.environ["OMP_NUM_THREADS"] = str(count)
    try:
        yield
    finally:
        torch.set_num_threads(old_count)
        if old_env is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = old_env


def run_bench(options: BenchOptions, echo: Echo | None = None) -> dict[str, Any]:
    """All sections; `echo` gets one line as each starts (progress, not part of the result)."""
    with torch_threads(options.threads):
        return _run_sections(options, echo or (lambda _line: None))


def _run_sections(options: BenchOptions, say: Echo) -> dict[str, Any]:
    import torch

    from genimg_desktop.bench import flops, memory, report, stalls, startup
    from genimg_desktop.engine.device import device_label, resolve_device
    from genimg_desktop.engine.registry import ModelRegistry

    start = time.perf_counter()
    device = resolve_device("auto")
    result: dict[str, Any] = {
        "version": 1,
        "genimg": __version__,
        "quick": options.quick,
        "torch": torch.__version__,
        "device": device_label(device),
        "torch_threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        # Other work on the machine skews every number (and oversubscribed torch threads, badly).
        "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "platform": platform.platform(),
        "errors": [],
        "section_s": {},
    }
    result["notes"] = busy_machine_notes(result)
    registry = ModelRegistry()
    descriptors = _find_models(registry, options.models)  # an unknown --models id stops here
    result["model_ids"] = [d.id for d in descriptors]
    section = _section_runner(result, say)
    result["machine"] = section("machine rate", lambda: flops.machine_rate(device, options.quick), {})
    rate = {"matmul": _gflops(result["machine"], "matmul"), "conv": _gflops(result["machine"], "conv2d")}
    result["models"], result["pixelcnn"] = _per_model(registry, descriptors, device, rate, options, section)
    result["startup"] = section("app start-up", lambda: startup.measure_startup(options.quick), {})
    result["stalls"] = section("UI stalls", lambda: _stalls(stalls, registry, descriptors, options.quick), {})
    result["memory"] = section("peak memory", lambda: memory.measure_memory(descriptors, options.quick), [])
    result["targets"] = report.targets(result)
    result["elapsed_s"] = time.perf_counter() - start
    return result


def busy_machine_notes(result: dict[str, Any]) -> list[str]:
    """A warning when other work already keeps the CPUs busy: torch's threads then wait for each other
    (on a 2-core machine with 2 busy processes, small convolutions ran 100x slower with 2 threads
    than with 1), so every time here says more about the load than about the app."""
    load, cpus, threads = result["load_average_1min"], result["cpu_count"] or 1, result["torch_threads"]
    if load is None or load + threads <= cpus + 0.5:
        return []
    advice = "try --threads 1, or an idle machine" if threads > 1 else "an idle machine gives truer ones"
    return [
        f"busy machine: load {load:.1f} on {cpus} CPUs before the bench, with {threads} torch thread(s); "
        f"times are inflated ({advice})"
    ]


def healthy(result: dict[str, Any]) -> bool:
    """No section failed and every PixelCNN comparison gave identical images."""
    return not result.get("errors") and all(p.get("identical") for p in result.get("pixelcnn") or [])


def _section_runner(result: dict[str, Any], say: Echo) -> Callable[[str, Callable[[], Any], Any], Any]:
    def section(name: str, fn: Callable[[], Any], empty: Any) -> Any:
        say(f"bench: {name}…")
        start = time.perf_counter()
        try:
            return fn()
        except Exception as exc:  # recorded, and the other sections still run
            message = f"{name}: {type(exc).__name__}: {exc}"
            result["errors"].append(message)
            return {"error": message} if isinstance(empty, dict) else empty
        finally:
            result["section_s"][name] = time.perf_counter() - start  # where a slow bench spends it

    return section


def _find_models(registry: Any, wanted: tuple[str, ...]) -> list[Any]:
    from genimg_desktop.bench.latency import generation_models

    return generation_models(registry, list(wanted))


def _gflops(machine: dict[str, Any], key: str) -> float:
    return float((machine.get(key) or {}).get("gflops") or 0.0)


def _per_model(
    registry: Any,
    descriptors: list[Any],
    device: Any,
    rate: dict[str, float],
    options: BenchOptions,
    section: Any,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Latency for every model; the sampler comparison for PixelCNNs. One model loaded at a time."""
    from genimg_desktop.bench import compiled, latency, networks, pixelcnn, precision

    models: list[dict[str, Any]] = []
    samplers: list[dict[str, Any]] = []
    for descriptor in descriptors:
        model = section(f"load {descriptor.id}", lambda d=descriptor: registry.load(d.id, device), {})
        if isinstance(model, dict):
            models.append({"id": descriptor.id, "family": descriptor.card.family, **model})
            continue
        measure = partial(latency.measure_model, model, descriptor, rate, options.quick)
        entry = {
            "id": descriptor.id,
            "family": descriptor.card.family,
            **section(f"latency {descriptor.id}", measure, {}),
        }
        if descriptor.card.family in networks.FAMILIES:
            compare = partial(precision.compare_precisions, model, options.quick)
            entry["precision"] = section(f"layouts and precisions {descriptor.id}", compare, {})
            against = partial(compiled.compare_compiled, model, options.quick)
            entry["compiled"] = section(f"torch.compile {descriptor.id}", against, {})
        models.append(entry)
        if descriptor.card.family == "pixelcnn":
            compare = partial(pixelcnn.compare_samplers, model, descriptor, options.quick)
            samplers.append({"id": descriptor.id, **section(f"naive vs cached {descriptor.id}", compare, {})})
        del model  # the next model gets the memory
    return models, samplers


def _stalls(stalls: Any, registry: Any, descriptors: list[Any], quick: bool) -> dict[str, Any]:
    choice = stalls.pick_model(descriptors)
    if choice is None:
        return {"skipped": "no model with a 'sample' task"}
    return stalls.measure_stalls(choice, registry.dirs, quick)
