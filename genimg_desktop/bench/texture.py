"""`genimg bench texture`: every installed texture model, through the same `GenerationModel.run` the app
uses: seconds to draw a tileable texture of 1024, 2048 and 4096 px a side (drawn in strips: memory is
bounded by engine/texture/draw.STRIP_PIXELS, not by the size), and quality against real crops of the
texture it learnt (engine/texture/quality.py: patch SWD and random-feature Gram distance, each beside
the same number for two sets of real crops) where that texture is installed: a card whose dataset is
"gimp-pattern:GROUP/NAME" names a pattern of Debian's gimp-data.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genimg_desktop.core.gimp_pattern import read_pattern
from genimg_desktop.core.model_card import ModelCard
from genimg_desktop.core.progress import JobControl
from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.engine.base import GenerationModel
from genimg_desktop.engine.texture.quality import texture_scores
from genimg_desktop.engine.texture.trainer import random_crops

SIDES, QUICK_SIDES = (1024, 2048, 4096), (128, 256)
CROP, CROPS, QUICK_CROPS = 128, 64, 8
PATTERNS = Path("/usr/share/gimp/2.0/patterns")
PATTERN_PREFIX = "gimp-pattern:"
Echo = Callable[[str], None]


def run_texture_bench(quick: bool, echo: Echo | None, only: tuple[str, ...] = ()) -> dict[str, Any]:
    from genimg_desktop.engine.registry import ModelRegistry

    registry = ModelRegistry()
    ids = [d.id for d in registry.refresh() if d.card.family == "texture" and (not only or d.id in only)]
    rows = {}
    for model_id in ids:
        model = registry.load(model_id, "cpu")
        rows[model_id] = {"speed": draw_times(model, QUICK_SIDES if quick else SIDES, echo)}
        rows[model_id]["quality"] = quality(model, QUICK_CROPS if quick else CROPS)
    return {
        "models": rows,
        "torch_threads": torch.get_num_threads(),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def draw(model: GenerationModel, side: int, seed: int, tile: bool = True) -> tuple[np.ndarray, float]:
    params = {"width": side, "height": side, "tile": tile}
    result = model.run(GenerationRequest(model.card.id, "sample", params, seed), JobControl())
    return result.images[0], result.elapsed_s


def draw_times(model: GenerationModel, sides: tuple[int, ...], echo: Echo | None) -> dict[str, float]:
    """Seconds for one tileable side x side texture, the best of two runs (one for the largest)."""
    times = {}
    for side in sides:
        repeats = 1 if side == max(sides) else 2
        times[str(side)] = round(min(draw(model, side, seed)[1] for seed in range(repeats)), 3)
        if echo:
            echo(f"{model.card.id}: {side}x{side} in {times[str(side)]:.2f} s")
    return times


def reference(card: ModelCard) -> np.ndarray | None:
    """The texture the model learnt, tiled to 512 px, when its card names an installed GIMP pattern."""
    if not card.dataset.startswith(PATTERN_PREFIX):
        return None
    path = PATTERNS / f"{card.dataset.removeprefix(PATTERN_PREFIX)}.pat"
    if not path.is_file():
        return None
    pixels = read_pattern(path)[1]
    return np.tile(pixels, (-(-512 // pixels.shape[0]), -(-512 // pixels.shape[1]), 1))


def quality(model: GenerationModel, count: int) -> dict[str, float] | None:
    real = reference(model.card)
    if real is None:
        return None
    generator = torch.Generator().manual_seed(0)
    picture = to_tensor(real)
    real_a = random_crops(picture.expand(count, -1, -1, -1), CROP, generator)
    real_b = random_crops(picture.expand(count, -1, -1, -1), CROP, generator)
    drawn = to_tensor(draw(model, 512, seed=1, tile=False)[0])
    fake = random_crops(drawn.expand(count, -1, -1, -1), CROP, generator)
    return {key: round(value, 4) for key, value in texture_scores(fake, real_a, real_b).items()}


def to_tensor(rgb: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1).float()[None] / 127.5 - 1


def format_texture_report(result: dict[str, Any]) -> str:
    lines = [
        f"genimg bench texture: {result['torch_threads']} torch threads, load {result['load_average_1min']}",
        "seconds for a tileable texture of N x N px; quality against real crops (real vs real beside it)",
    ]
    for model_id, row in result["models"].items():
        speed = ", ".join(f"{side}: {seconds:.2f} s" for side, seconds in row["speed"].items())
        lines.append(f"{model_id}: {speed}")
        q = row["quality"]
        if q is not None:
            lines.append(
                f"    patch SWD x1000 {q['patch_swd']:.2f} (real {q['patch_swd_real']:.2f}), "
                f"random-feature Gram {q['gram']:.3f} (real {q['gram_real']:.3f})"
            )
    return "\n".join(lines)


def sample_sheet(model: GenerationModel, tile: int = 384, side: int = 256) -> np.ndarray:
    """A look at a texture model at 100%: a tileable `tile` px texture laid 2x2 (any seam would show
    as a cross through the middle) beside three untiled `side` px textures of other seeds."""
    laid = np.tile(draw(model, tile, seed=0)[0], (2, 2, 1))
    column = np.full((2 * tile, side, 3), 255, np.uint8)
    gap = (2 * tile - 3 * side) // 2
    for row in range(3):
        top = row * (side + gap)
        column[top : top + side] = draw(model, side, seed=row + 1, tile=False)[0]
    return np.concatenate([laid, np.full((2 * tile, 8, 3), 255, np.uint8), column], axis=1)
