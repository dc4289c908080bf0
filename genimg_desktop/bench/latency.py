"""Batch-1 and batch-16 latency of each generation model's "sample" task through the app's engine path
(`model.run` with a GenerationRequest), the FLOPs of that same work, and the ratio to its FLOP floor."""

from __future__ import annotations

from typing import Any

from genimg_desktop.bench.flops import FlopCount, count_flops, time_median

BATCHES = (1, 16)
SEED = 0


def generation_models(registry: Any, wanted: list[str] | None) -> list[Any]:
    """The installed generation models (evaluation-only ones are not in `refresh()`), or the `wanted`
    ids in that order (an unknown id raises the registry's ModelNotFoundError). Families with nothing to
    train have no network, so nothing to compare with a FLOP floor: they are left out."""
    from genimg_desktop.engine.families import family

    found = [d for d in registry.refresh() if family(d.card.family).trainer is not None]
    if not wanted:
        return found
    return [registry.descriptor(model_id) for model_id in wanted]


def sample_request(descriptor: Any, count: int, params: dict[str, Any] | None = None) -> Any:
    """A "sample" request for `count` images (clamped to what the task allows) with default params."""
    from genimg_desktop.core.request import GenerationRequest

    task = next(t for t in descriptor.tasks if t.name == "sample")
    spec = next((p for p in task.params if p.name == "count"), None)
    values = dict(params or {})
    if spec is not None:
        values["count"] = min(count, int(spec.maximum)) if spec.maximum is not None else count
    return GenerationRequest(descriptor.id, "sample", values, SEED)


def measure_model(model: Any, descriptor: Any, rate: dict[str, float], quick: bool) -> dict[str, Any]:
    """Latency, FLOPs and floor ratio at each batch size for one loaded model."""
    entry: dict[str, Any] = {
        "id": descriptor.id,
        "family": descriptor.card.family,
        "resolution": descriptor.card.resolution,
        # what the model draws with on this device, and what its half-precision check measured
        "precision_used": model.precision.label,
        "half_check_levels": model.precision.checked_levels,
    }
    if not any(t.name == "sample" for t in descriptor.tasks):
        return entry | {"skipped": "no 'sample' task"}
    entry["batches"] = {str(n): _measure_batch(model, descriptor, n, rate, quick) for n in BATCHES}
    return entry


def _measure_batch(
    model: Any, descriptor: Any, count: int, rate: dict[str, float], quick: bool
) -> dict[str, Any]:
    from genimg_desktop.core.progress import JobControl

    request = sample_request(descriptor, count)

    def job() -> Any:
        return model.run(request, JobControl())

    # The counted run (the same work, slowed by the counter's dispatch hooks) doubles as the warm-up.
    result, flops = count_flops(job)
    # Up to 100 runs within the budget: a millisecond job's median then rests on 100 samples, not 7.
    timing = time_median(job, repeats=3 if quick else 100, warmup=0, budget_s=2.0 if quick else 20.0)
    source = "model.run"
    if flops.total == 0:  # the counter could not see inside (e.g. a compiled or non-torch path)
        flops, source = network_flops(model, request.params["count"]), "network forward (not model.run)"
    floor = flops.floor_s(rate)
    kernels = _kernels(model, request.params["count"], quick)
    return {
        "count": request.params.get("count", count),
        "images": len(result.images),
        "median_s": timing.median_s,
        "min_s": timing.min_s,
        "runs": timing.runs,
        "flops": flops.total,
        "conv_flops": flops.conv,
        "flops_source": source,
        "floor_s": floor,
        "latency_over_floor": timing.median_s / floor if floor else None,
        **kernels,
    }


def _kernels(model: Any, count: int, quick: bool) -> dict[str, Any]:
    """The GAN's and VAE's kernel floor (bench/kernels.py) and the latency over it, for the table."""
    from genimg_desktop.bench.kernels import kernel_floor
    from genimg_desktop.bench.networks import FAMILIES

    if model.family not in FAMILIES:
        return {}
    found = kernel_floor(model, count, repeats=5 if quick else 25)
    return {"kernel_floor_s": found["total_s"], "kernels_by_type": found["by_type"]}


def network_flops(model: Any, count: int) -> FlopCount:
    """Fallback: the FLOPs of the family's network making `count` images directly (GAN generator,
    VAE decoder); an empty count for a family without such a forward."""
    import torch

    from genimg_desktop.bench.networks import FAMILIES, generate, network

    if model.family not in FAMILIES:
        return FlopCount(0, 0, {})
    with torch.inference_mode():
        z = torch.randn(count, model.config.z_dim, device=model.device)
        labels = torch.zeros(count, dtype=torch.long, device=model.device)
        return count_flops(lambda: generate(model.family, network(model), z, labels))[1]
