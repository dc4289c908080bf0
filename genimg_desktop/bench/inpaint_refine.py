"""The coarse-to-fine path of `genimg bench inpaint`: what refining a downscaled fill at full size buys.

The held-out images are filled by each learned method with `max_side` half their size (the task's
smallest, 64, in the quick mode's 96 px), so every large crop (hole + margin) is filled at about half
size and scaled up, once as it is and once refined at full size (engine/crop_scale.py). The
native-size scores are the main table's."""

from __future__ import annotations

import statistics
from typing import Any

import numpy as np

from genimg_desktop.bench.inpaint_methods import Method
from genimg_desktop.bench.inpaint_metrics import hole_scores

SMALLEST_SIDE = 64  # the max_side parameter's minimum
VARIANTS = {"downscaled": {"refine": False}, "downscaled + refined": {"refine": True}}


def coarse_side(image_size: int) -> int:
    return max(SMALLEST_SIDE, image_size // 2)


def coarse_to_fine(
    methods: list[Method], cases: list[tuple[str, np.ndarray, np.ndarray]], kinds: tuple[str, ...]
) -> dict[str, Any]:
    """{"max_side": side, "methods": {method: {mask kind: {variant: mean l1, psnr, ssim}}}} over
    `cases` (mask kind, image, mask), all images of one size."""
    side = coarse_side(max(cases[0][1].shape[:2])) if cases else SMALLEST_SIDE
    out: dict[str, Any] = {}
    for method in methods:
        if method.kind != "learned" or method.with_params is None:
            continue
        rows: dict[str, dict[str, list[dict[str, float]]]] = {kind: {} for kind in kinds}
        for variant, params in VARIANTS.items():
            fill = method.with_params({"max_side": side, **params}).fill
            for kind, image, mask in cases:
                rows[kind].setdefault(variant, []).append(hole_scores(image, fill(image, mask), mask))
        out[method.name] = {
            kind: {
                variant: {key: statistics.fmean(s[key] for s in scores) for key in ("l1", "psnr", "ssim")}
                for variant, scores in by_variant.items()
            }
            for kind, by_variant in rows.items()
        }
    return {"max_side": side, "methods": out}
