"""Peak memory (max RSS from getrusage) of one job, each in a fresh subprocess so that nothing the
bench did before counts (on Linux the peak is also reset after start-up, see `reset_peak`): a
generation (a model's sample task, 16 images) and an inpaint of a large image (8192x8192, 2048x2048
in quick mode) with a 512x512 hole, by OpenCV Telea and by a learned model; `genimg bench restore`
adds whole-picture cases (kind "picture": width x height, e.g. a 24 MP restore).

Run as `python -m genimg_desktop.bench.memory '<case as JSON>'`: it prints one JSON line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

TIMEOUT_S = 600.0
HOLE = 512
FULL_SIZE, QUICK_SIZE = 8192, 2048


def plan_cases(descriptors: list[Any], quick: bool) -> list[dict[str, Any]]:
    """The jobs to measure: a generation with the first model that samples, then Telea's inpaint and
    the first learned model with an inpaint task (its fitting steps at their minimum in quick mode)."""
    size = QUICK_SIZE if quick else FULL_SIZE
    cases: list[dict[str, Any]] = []
    sampler = next((d for d in descriptors if _task(d, "sample") is not None), None)
    if sampler is not None:
        cases.append({"kind": "generate", "model": sampler.id, "task": "sample", "params": {"count": 16}})
    inpaint = {"kind": "inpaint", "task": "inpaint", "size": size, "hole": HOLE}
    cases.append({**inpaint, "model": "opencv-telea", "params": {}})
    learned = next((d for d in descriptors if d.card.family != "classical" and _task(d, "inpaint")), None)
    if learned is not None:
        cases.append(
            {**inpaint, "model": learned.id, "params": _quick_params(_task(learned, "inpaint"), quick)}
        )
    return cases


def measure_memory(descriptors: list[Any], quick: bool) -> list[dict[str, Any]]:
    return [measure_case(case) for case in plan_cases(descriptors, quick)]


def measure_case(case: dict[str, Any]) -> dict[str, Any]:
    """Run one case in a fresh interpreter and return what it printed (or why it failed)."""
    command = [sys.executable, "-m", "genimg_desktop.bench.memory", json.dumps(case)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = " | ".join((proc.stderr or "").strip().splitlines()[-3:])
        return {**case, "error": f"exit {proc.returncode}: {tail}"}
    return {**case, **json.loads(lines[-1])}


def _task(descriptor: Any, name: str) -> Any | None:
    return next((t for t in descriptor.tasks if t.name == name), None)


def _quick_params(task: Any, quick: bool) -> dict[str, Any]:
    """Quick mode: optimisation steps (GAN/VAE inpainting) at their minimum; peak memory barely
    depends on them, the time does."""
    steps = next((p for p in task.params if p.name == "steps"), None)
    return {"steps": steps.minimum} if quick and steps is not None and steps.minimum is not None else {}


def peak_rss_mb() -> float | None:
    """This process's peak resident set size in MiB (None where getrusage is missing: Windows)."""
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 2**10)  # bytes on macOS, KiB elsewhere


def run_case(case: dict[str, Any]) -> dict[str, Any]:
    """In the subprocess: load the model, build the inputs, run the job once; peaks before and after."""
    import time

    from genimg_desktop.core.progress import JobControl
    from genimg_desktop.core.request import GenerationRequest
    from genimg_desktop.engine.device import device_label, resolve_device
    from genimg_desktop.engine.registry import ModelRegistry

    device = resolve_device("auto")
    model = ModelRegistry().load(case["model"], device)
    image = mask = None
    if case["kind"] == "inpaint":
        image, mask = test_image(case["size"]), test_mask(case["size"], case["hole"])
    elif case["kind"] == "picture":  # a whole-picture task (upscale, denoise): width x height
        image = test_image(case["height"], case["width"])
    request = GenerationRequest(case["model"], case["task"], case["params"], 0, image, mask)
    startup_peak = peak_rss_mb()  # importing torch peaks above what stays resident
    job_only = reset_peak()
    before = current_rss_mb()  # interpreter, torch, the model and the inputs
    start = time.perf_counter()
    result = model.run(request, JobControl())
    elapsed = time.perf_counter() - start
    peak = peak_rss_mb()
    return {
        "device": device_label(device),
        "images": len(result.images),
        "run_s": elapsed,
        "startup_peak_mb": startup_peak,
        "rss_before_job_mb": before,
        "peak_mb": peak,
        "peak_is_job_only": job_only,  # False: the peak may be start-up's, so job_mb can read 0
        "job_mb": None if peak is None or before is None else max(peak - before, 0.0),
    }


def reset_peak() -> bool:
    """Linux: restart the kernel's peak RSS count (which getrusage's ru_maxrss reads) from now, so the
    peak measured after the job is the job's own. False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def current_rss_mb() -> float | None:
    """The resident set size now (Linux /proc); the peak so far elsewhere."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError, AttributeError):
        return peak_rss_mb()


def test_image(size: int, width: int | None = None) -> Any:
    """A (size, width or size, 3) uint8 gradient: cheap to make at 8192 px, and not flat (Telea has
    work)."""
    import numpy as np

    width = size if width is None else width
    image = np.empty((size, width, 3), np.uint8)
    image[..., 0] = (np.arange(width, dtype=np.uint32) * 255 // max(width - 1, 1)).astype(np.uint8)[None, :]
    image[..., 1] = (np.arange(size, dtype=np.uint32) * 255 // max(size - 1, 1)).astype(np.uint8)[:, None]
    image[..., 2] = 128
    return image


def test_mask(size: int, hole: int) -> Any:
    """(size, size) uint8 with a centred `hole` x `hole` square at 255."""
    import numpy as np

    mask = np.zeros((size, size), np.uint8)
    start = max((size - hole) // 2, 0)
    mask[start : start + hole, start : start + hole] = 255
    return mask


if __name__ == "__main__":
    print(json.dumps(run_case(json.loads(sys.argv[1]))), flush=True)
