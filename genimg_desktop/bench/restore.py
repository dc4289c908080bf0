"""`genimg bench restore`: every installed upscaler and restorer on held-out photos, through the same
`GenerationModel.run` the app uses (so imported and our own models appear as they are installed).

Upscale: each photo (bench/restore_data.py) is shrunk by 2 and by 4 (engine/restore/degrade.shrink,
antialiased bicubic) and enlarged back by PIL bicubic and by each "upscale" model (its task at that
factor: native, chained or resampled as the app does); PSNR-Y leaving `scale` pixels of border out.
Restore: seeded Gaussian noise (sigma 15/25/50, drawn on the CPU) is removed by OpenCV's
fastNlMeansDenoisingColored at the h that is best on average for that sigma (chosen over H_FACTORS)
and by each "restore" model at its default strength; JPEG quality 20 is scored against the input
itself. RGB PSNR. Speed: seconds per megapixel of input at the model's native scale. Memory: the peak
of a restore model on a 24-megapixel picture in a fresh process (bench/memory.py), through the tiles.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np
from PIL import Image

from genimg_desktop.bench.restore_data import Photo, bench_photos
from genimg_desktop.core.image_quality import psnr, psnr_y
from genimg_desktop.engine.restore.degrade import add_noise, fit_scale, jpeg, shrink

SCALES = (2, 4)
SIGMAS = (15, 25, 50)
JPEG_QUALITY = 20
H_FACTORS = (0.45, 0.55, 0.65, 0.75, 0.9)  # NL-means h as a share of sigma (best near 0.6 here)
NOISE_SEED = 2612
SPEED_SIDE, QUICK_SPEED_SIDE = 512, 64
MEMORY_SIZE, QUICK_MEMORY_SIZE = (6000, 4000), (256, 256)  # (width, height): 24 MP
TARGETS = {"x2": 2.0, "x4": 1.2, "sigma25": 2.0, "jpeg20": 0.8}  # dB gains of issue 26

Echo = Callable[[str], None]
Run = Callable[[np.ndarray, dict[str, Any]], np.ndarray]  # (picture, task params) -> result


def run_restore_bench(quick: bool, echo: Echo | None = None, only: tuple[str, ...] = ()) -> dict[str, Any]:
    import torch

    from genimg_desktop.engine.device import device_label, resolve_device

    say = echo or (lambda _line: None)
    device = resolve_device("auto")
    models = installed_models(device, only)
    photos = bench_photos(quick)
    say(
        f"{len(photos)} held-out photos; upscalers: {', '.join(models['upscale']) or 'none'}; "
        f"restorers: {', '.join(models['restore']) or 'none'}"
    )
    upscale = {f"x{s}": upscale_scores(photos, models["upscale"], s, say) for s in SCALES}
    denoise, nlmeans_h = denoise_scores(photos, models["restore"], say)
    say("speed and memory")
    speed = speed_table(photos[0][2], models, quick)
    memory = [memory_case(model_id, quick) for model_id in models["restore"]]
    return {
        "device": device_label(device),
        "torch_threads": torch.get_num_threads(),
        "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "photos": [{"name": n, "source": s, "size": list(im.shape[:2])} for n, s, im in photos],
        "upscale": upscale,
        "denoise": denoise,
        "nlmeans_h": nlmeans_h,
        "speed": speed,
        "memory": memory,
        "targets": targets(upscale, denoise),
    }


def installed_models(device: Any, only: tuple[str, ...] = ()) -> dict[str, dict[str, Run]]:
    """{"upscale": {id: run}, "restore": {id: run}} of every installed model of those families
    (`only`: just these ids), each loaded once here."""
    from genimg_desktop.engine.registry import ModelRegistry

    registry = ModelRegistry()
    found = [d for d in registry.refresh() if d.card.family in ("upscale", "restore")]
    if only:
        missing = sorted(set(only) - {d.id for d in found})
        if missing:
            known = ", ".join(sorted(d.id for d in found)) or "none"
            raise ValueError(f"no upscale/restore model {', '.join(missing)} (there are: {known})")
        found = [d for d in found if d.id in only]
    out: dict[str, dict[str, Run]] = {"upscale": {}, "restore": {}}
    for descriptor in sorted(found, key=lambda d: d.id):
        out[descriptor.card.family][descriptor.id] = model_runner(registry.load(descriptor.id, device))
    return out


def model_runner(model: Any) -> Run:
    from genimg_desktop.core.progress import JobControl
    from genimg_desktop.core.request import GenerationRequest

    task = model.tasks[0].name  # "upscale" or "denoise": one task per family

    def run(image: np.ndarray, params: dict[str, Any]) -> np.ndarray:
        request = GenerationRequest(model.card.id, task, params, 0, image)
        return model.run(request, JobControl()).images[0]

    return run


def bicubic(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """PIL bicubic to (width, height): the baseline every upscaler must beat."""
    return np.asarray(Image.fromarray(image).resize(size, Image.Resampling.BICUBIC))


def upscale_scores(photos: list[Photo], models: dict[str, Run], scale: int, say: Echo) -> dict[str, Any]:
    """{"bicubic": summary, model id: summary}: PSNR-Y of each photo enlarged `scale` times."""
    say(f"upscale x{scale}")
    rows: dict[str, list[tuple[str, float]]] = {"bicubic": [], **{m: [] for m in models}}
    for _, source, photo in photos:
        target = fit_scale(photo, scale)
        small = shrink(target, scale)
        size = (target.shape[1], target.shape[0])
        rows["bicubic"].append((source, psnr_y(target, bicubic(small, size), scale)))
        for model_id, run in models.items():
            rows[model_id].append((source, psnr_y(target, run(small, {"scale": float(scale)}), scale)))
    return summarise(rows, "bicubic")


def denoise_scores(
    photos: list[Photo], models: dict[str, Run], say: Echo
) -> tuple[dict[str, Any], dict[str, float]]:
    """({"sigma15": ..., "jpeg20": ...}: the input's, NL-means' and each model's PSNR per damage,
    {"sigma15": the NL-means h used, ...})."""
    tables: dict[str, Any] = {}
    chosen: dict[str, float] = {}
    for sigma in SIGMAS:
        say(f"noise sigma {sigma}: NL-means over {len(H_FACTORS)} values of h, then the models")
        damaged = [noisy(photo, sigma, index) for index, (_, _, photo) in enumerate(photos)]
        rows = {"input": _scores(photos, damaged)}
        chosen[f"sigma{sigma}"], rows["nlmeans"] = best_nlmeans(photos, damaged, sigma)
        rows.update({m: _scores(photos, [run(d, {}) for d in damaged]) for m, run in models.items()})
        tables[f"sigma{sigma}"] = summarise(rows, "nlmeans")
    say(f"JPEG quality {JPEG_QUALITY}")
    damaged = [jpeg(p, JPEG_QUALITY) for _, _, p in photos]
    rows = {"input": _scores(photos, damaged)}
    rows.update({m: _scores(photos, [run(d, {}) for d in damaged]) for m, run in models.items()})
    tables[f"jpeg{JPEG_QUALITY}"] = summarise(rows, "input")
    return tables, chosen


def noisy(photo: np.ndarray, sigma: float, index: int) -> np.ndarray:
    """Photo `index` of the bench with its seeded noise of `sigma` (numpy on the CPU: the same
    everywhere)."""
    return add_noise(photo, sigma, np.random.default_rng([NOISE_SEED, index, int(sigma)]))


def best_nlmeans(
    photos: list[Photo], noisy: list[np.ndarray], sigma: float
) -> tuple[float, list[tuple[str, float]]]:
    """(h, per-photo scores) of NL-means at the h of H_FACTORS x sigma with the best mean PSNR."""
    best: tuple[float, list[tuple[str, float]]] | None = None
    for factor in H_FACTORS:
        h = factor * sigma
        scores = _scores(photos, [nlmeans(n, h) for n in noisy])
        if best is None or _mean(scores) > _mean(best[1]):
            best = (h, scores)
    assert best is not None
    return best


def nlmeans(image: np.ndarray, h: float) -> np.ndarray:
    """OpenCV's colour NL-means (7x7 patches, 21x21 search: its defaults) with h for luma and colour."""
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    return cv2.cvtColor(cv2.fastNlMeansDenoisingColored(bgr, None, h, h, 7, 21), cv2.COLOR_BGR2RGB)


def _scores(photos: list[Photo], results: list[np.ndarray]) -> list[tuple[str, float]]:
    return [(source, psnr(photo, out)) for (_, source, photo), out in zip(photos, results, strict=True)]


def _mean(rows: list[tuple[str, float]]) -> float:
    return statistics.fmean(score for _, score in rows)


def summarise(rows: dict[str, list[tuple[str, float]]], baseline: str) -> dict[str, Any]:
    """{method: {"psnr": mean, "gain_db": over `baseline`, "by_source": {source: mean}, "n"}}."""
    base = _mean(rows[baseline])
    out = {}
    for method, scores in rows.items():
        sources = sorted({source for source, _ in scores})
        by_source = {s: statistics.fmean(v for src, v in scores if src == s) for s in sources}
        out[method] = {
            "psnr": _mean(scores),
            "gain_db": _mean(scores) - base,
            "by_source": by_source,
            "n": len(scores),
        }
    return out


def speed_table(photo: np.ndarray, models: dict[str, dict[str, Run]], quick: bool) -> dict[str, Any]:
    """Seconds per megapixel of input (one warm-up, then the median of two runs) at native scale,
    with bicubic x2 and NL-means at sigma 25 beside them."""
    side = QUICK_SPEED_SIDE if quick else SPEED_SIDE
    picture = cv2.resize(photo, (side, side), interpolation=cv2.INTER_CUBIC)
    grainy = noisy(picture, 25, 10**6)  # its own seed, apart from the scored photos
    megapixels = side * side / 1e6
    jobs: dict[str, Callable[[], Any]] = {
        "bicubic x2": lambda: bicubic(picture, (2 * side, 2 * side)),
        "nlmeans sigma25": lambda: nlmeans(grainy, 0.6 * 25),
    }
    for model_id, run in models["upscale"].items():
        jobs[model_id] = lambda run=run: run(picture, {})  # default factor: the native scale
    for model_id, run in models["restore"].items():
        jobs[model_id] = lambda run=run: run(grainy, {})
    return {name: {"s_per_mp": _timed(job) / megapixels, "input": [side, side]} for name, job in jobs.items()}


def _timed(job: Callable[[], Any]) -> float:
    job()
    times = []
    for _ in range(2):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def memory_case(model_id: str, quick: bool) -> dict[str, Any]:
    """Peak memory of `model_id` restoring a 24 MP picture (quick: 256 x 256) at its default tile size,
    in a fresh process (bench/memory.py)."""
    from genimg_desktop.bench.memory import measure_case

    width, height = QUICK_MEMORY_SIZE if quick else MEMORY_SIZE
    case = {
        "kind": "picture",
        "model": model_id,
        "task": "denoise",
        "params": {},
        "width": width,
        "height": height,
    }
    return measure_case(case)


def targets(upscale: dict[str, Any], denoise: dict[str, Any]) -> dict[str, Any]:
    """Per model, whether it reaches the gains issue 26 asks for (upscalers: the gain at their
    factors over bicubic; restorers: over NL-means at sigma 25 and over the input at JPEG q20)."""
    out: dict[str, Any] = {}
    for key in ("x2", "x4", "sigma25", f"jpeg{JPEG_QUALITY}"):
        table = upscale.get(key) or denoise.get(key) or {}
        for method, row in table.items():
            if method not in ("bicubic", "nlmeans", "input"):
                out.setdefault(method, {})[key] = {
                    "gain_db": row["gain_db"],
                    "met": row["gain_db"] >= TARGETS[key],
                }
    return out


def model_numbers(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per model, the bench's numbers as its card keeps them (metrics["bench_restore"]): PSNR and
    gain per factor or damage, seconds per megapixel, and a restorer's 24 MP peak memory."""
    out: dict[str, dict[str, Any]] = {}
    for key, table in [*result["upscale"].items(), *result["denoise"].items()]:
        for method, row in table.items():
            if method not in ("bicubic", "nlmeans", "input"):
                out.setdefault(method, {})[key] = {
                    "psnr": round(row["psnr"], 2),
                    "gain_db": round(row["gain_db"], 2),
                }
    for method, numbers in out.items():
        numbers["s_per_mp"] = round(result["speed"][method]["s_per_mp"], 3)
        numbers["photos"] = len(result["photos"])
        numbers["device"] = result["device"]
    for case in result["memory"]:
        if "error" not in case:
            out[case["model"]]["peak_mb"] = {f"{case['width']}x{case['height']}": round(case["peak_mb"])}
    return out


def write_cards(result: dict[str, Any], command: str) -> list[str]:
    """Store each model's numbers (`model_numbers`) in its card as metrics["bench_restore"], with
    when and how they were measured; the card's other metrics (e.g. an import's check) are kept.
    Returns the card paths written."""
    import datetime
    import json

    from genimg_desktop.core.atomic import write_json
    from genimg_desktop.engine.registry import ModelRegistry

    registry = ModelRegistry()
    registry.refresh()
    stamp = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    written = []
    for model_id, numbers in model_numbers(result).items():
        path = registry.descriptor(model_id).card.card_path
        card = json.loads(path.read_text(encoding="utf-8"))
        card["metrics"] = {
            **card.get("metrics", {}),
            "bench_restore": {**numbers, "command": command, "measured": stamp},
        }
        written.append(str(write_json(path, card)))
    return written
