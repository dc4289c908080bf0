"""`genimg bench inpaint`: every inpainting method on held-out real images, side by side.

Images: the held-out photos (scikit-image's astronaut, chelsea, coffee, rocket; scikit-learn's china
and flower) and the openclipart test split, centre squares (inpaint_data.py); none is in any training split
(see engine/training/data/photos.py and the split of openclipart). Masks: seeded free-form strokes of
three widths (core/random_masks.py), one of each per image. Scores: L1, PSNR, SSIM inside the hole
(bench/inpaint_metrics.py) and seconds per image. Scale: a 512x512 photo with a medium mask, and the
same photo at 4096x4096 with a 128x128 hole, whose time must stay within twice the 512 one. Photos:
object-sized holes beside strokes on 512 px photos, with a texture score (bench/inpaint_objects.py).
Speed (not in the quick mode): eight holes vs one of their area, 512 object hole, 24 MP
(bench/inpaint_speed.py).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np

from genimg_desktop.bench.inpaint_data import MASK_KINDS, bench_images, bench_mask
from genimg_desktop.bench.inpaint_methods import Method
from genimg_desktop.bench.inpaint_metrics import aggregate, fill_and_score
from genimg_desktop.bench.inpaint_objects import run_photo_bench
from genimg_desktop.bench.inpaint_refine import coarse_to_fine

TARGET_512_S = 0.5
TARGET_RATIO = 2.0
Echo = Callable[[str], None]


def run_inpaint_bench(methods: list[Method], quick: bool, echo: Echo | None = None) -> dict[str, Any]:
    say = echo or (lambda _line: None)
    images = bench_images(quick)
    say(f"{len(images)} held-out images x {len(MASK_KINDS)} mask widths x {len(methods)} methods")
    records = []
    for index, (name, source, image) in enumerate(images):
        for kind in MASK_KINDS:
            mask = bench_mask(*image.shape[:2], kind, index)
            for method in methods:
                records.append(
                    {
                        "image": name,
                        "source": source,
                        "mask": kind,
                        "method": method.name,
                        "hole_share": float((mask > 0).mean()),
                        **fill_and_score(method, image, mask),
                    }
                )
    say("coarse-to-fine: the learned methods at half size, refined and not")
    cases = [
        (kind, image, bench_mask(*image.shape[:2], kind, index))
        for index, (_, _, image) in enumerate(images)
        for kind in MASK_KINDS
    ]
    refine = coarse_to_fine(methods, cases, MASK_KINDS)
    photos = run_photo_bench(methods, quick, say)
    say("scale: 512x512 medium mask, 4096x4096 with a 128x128 hole")
    scale = {m.name: _scale(m, repeats=1 if quick else 3) for m in methods}
    speed = {} if quick else _speed(methods, say)
    table = aggregate(records, MASK_KINDS, [m.name for m in methods])
    by_source = {
        source: aggregate(
            [r for r in records if r["source"] == source], MASK_KINDS, [m.name for m in methods]
        )
        for source in sorted({r["source"] for r in records})
    }
    import os

    import torch

    return {
        "torch_threads": torch.get_num_threads(),
        "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "images": [{"name": n, "source": s, "size": list(im.shape[:2])} for n, s, im in images],
        "methods": {m.name: m.kind for m in methods},
        "table": table,
        "by_source": by_source,
        "scale": scale,
        "speed": speed,
        "coarse_to_fine": refine,
        "photos": photos,
        "targets": _targets(table, scale, methods),
        "records": records,
    }


def _scale(method: Method, repeats: int) -> dict[str, float]:
    """Seconds (median of `repeats`, after one warm-up) on 512x512 with a medium mask and on 4096x4096
    with a 128x128 hole, and their ratio."""
    from genimg_desktop.engine.training.data.photos import held_out_photos

    photo = held_out_photos()[0][1]  # astronaut, 512x512
    small = cv2.resize(photo, (512, 512), interpolation=cv2.INTER_AREA)
    small_mask = bench_mask(512, 512, "medium", 0)
    big = cv2.resize(photo, (4096, 4096), interpolation=cv2.INTER_CUBIC)
    big_mask = np.zeros((4096, 4096), np.uint8)
    big_mask[1984:2112, 1984:2112] = 255
    t512 = _timed(method, small, small_mask, repeats)
    t4096 = _timed(method, big, big_mask, repeats)
    return {"s_512_medium": t512, "s_4096_hole128": t4096, "ratio": t4096 / t512}


def _speed(methods: list[Method], say: Echo) -> dict[str, Any]:
    """The speed section (bench/inpaint_speed.py) on the astronaut photo; not in the quick mode."""
    from genimg_desktop.bench.inpaint_speed import run_speed
    from genimg_desktop.engine.training.data.photos import held_out_photos

    say("speed: eight holes vs one on 1920x1200, an object hole on 512, 200 px on 24 MP")
    return run_speed(methods, held_out_photos()[0][1])


def _timed(method: Method, image: np.ndarray, mask: np.ndarray, repeats: int) -> float:
    method.fill(image, mask)  # warm-up: first-call costs (allocator, kernels) are not per image
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        method.fill(image, mask)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _targets(table: dict[str, Any], scale: dict[str, Any], methods: list[Method]) -> dict[str, Any]:
    """Per learned method: beats the best classical method on PSNR and L1 in every mask class,
    512 medium under TARGET_512_S, 4096 within TARGET_RATIO of the 512 time."""
    classical = [m.name for m in methods if m.kind == "classical"]
    out: dict[str, Any] = {}
    for method in (m for m in methods if m.kind == "learned"):
        beats = {}
        for kind, row in table.items():
            best_psnr = max((row[c]["psnr"] for c in classical if c in row), default=float("-inf"))
            best_l1 = min((row[c]["l1"] for c in classical if c in row), default=float("inf"))
            beats[kind] = row[method.name]["psnr"] > best_psnr and row[method.name]["l1"] < best_l1
        s = scale[method.name]
        out[method.name] = {
            "beats_best_classical": beats,
            "beats_all_classes": all(beats.values()),
            "under_0_5_s_at_512": s["s_512_medium"] < TARGET_512_S,
            "ratio_at_most_2": s["ratio"] <= TARGET_RATIO,
        }
    return out
