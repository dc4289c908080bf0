"""The shipped photo fill network (`inpaint-fill-photos`, real weights) on photos it never trained on:
it paints detail into an object-sized hole where the first network paints a smooth patch, the seed
picks among its fills, and the hybrid (the photo default) runs on it; it is the hybrid's component,
not offered alone."""

from __future__ import annotations

import json

import numpy as np
import pytest
from skimage import data

from genimg_desktop.bench.inpaint_metrics import hole_scores
from genimg_desktop.core.progress import JobControl
from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.engine.registry import ModelRegistry

PHOTO_NET, FIRST_NET = "inpaint-fill-photos", "inpaint-fill"


@pytest.fixture(scope="module")
def registry() -> ModelRegistry:
    return ModelRegistry()


def fill(
    registry: ModelRegistry, model_id: str, image: np.ndarray, mask: np.ndarray, seed: int = 0
) -> np.ndarray:
    request = GenerationRequest(model_id, "inpaint", {}, seed, image, mask)
    return registry.load(model_id, "cpu").run(request, JobControl()).images[0]


# scikit-image's held-out photos (never trained on by either network): the coffee table's grain and
# the cat's fur, a 120 px box each (an object-sized hole on these 400-600 px photos)
CASES = {"coffee": (data.coffee, (10, 130, 400, 520)), "chelsea": (data.chelsea, (150, 270, 30, 150))}


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_object_sized_hole_gets_detail_not_a_smooth_patch(registry, name) -> None:
    load, (y0, y1, x0, x1) = CASES[name]
    photo = load()
    mask = np.zeros(photo.shape[:2], np.uint8)
    mask[y0:y1, x0:x1] = 255
    new, first = (fill(registry, model_id, photo, mask) for model_id in (PHOTO_NET, FIRST_NET))
    assert np.array_equal(new[mask == 0], photo[mask == 0])
    scores = {PHOTO_NET: hole_scores(photo, new, mask), FIRST_NET: hole_scores(photo, first, mask)}
    texture = {model_id: score["texture"] for model_id, score in scores.items()}
    assert texture[PHOTO_NET] > texture[FIRST_NET] + 0.05, (
        texture
    )  # measured: coffee 0.32 vs 0.24, cat 0.38 vs 0.18
    assert scores[PHOTO_NET]["psnr"] > scores[FIRST_NET]["psnr"] - 2.0  # detail, not noise far off the photo


def test_the_seed_picks_among_fills_and_gives_the_same_one_again(registry) -> None:
    photo = data.chelsea()
    mask = np.zeros(photo.shape[:2], np.uint8)
    mask[150:270, 30:150] = 255
    first, again, other = (fill(registry, PHOTO_NET, photo, mask, seed) for seed in (5, 5, 6))
    assert np.array_equal(first, again)
    assert np.abs(first.astype(int) - other).max() > 8  # another texture, same photo around it
    assert registry.load(PHOTO_NET, "cpu").task("inpaint").seeded


def test_the_photo_default_uses_it_at_half_scale_for_object_holes(registry) -> None:
    offered = {d.id for d in registry.refresh()}
    assert "hybrid-fill" in offered and FIRST_NET in offered and PHOTO_NET not in offered  # a component
    card = registry.descriptor(PHOTO_NET).card
    hybrid = registry.descriptor("hybrid-fill").card
    assert hybrid.config["fill"] == f"{PHOTO_NET}.json"
    assert card.config["fill_scale"] == 0.5 and card.config["noise"] == 1
    assert (
        json.loads(card.card_path.read_text())["training"]["settings"]["shrink"] == 2
    )  # trained at that scale
