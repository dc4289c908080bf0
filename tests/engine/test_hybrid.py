"""The hybrid fill (engine/hybrid.py): the shipped fill network's structure with PatchMatch's texture,
on a real photo, through the same `GenerationModel.run` the app uses."""

from __future__ import annotations

import json
import shutil

import cv2
import numpy as np
import pytest

from genimg_desktop.core.progress import JobCancelled, JobControl
from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.engine import hybrid
from genimg_desktop.engine.holes import hole_width
from genimg_desktop.engine.registry import ModelRegistry

MODEL = "hybrid-fill"
BUILTIN = ModelRegistry().dirs[0][0]


@pytest.fixture(scope="module")
def model():
    return ModelRegistry().load(MODEL, "cpu")


@pytest.fixture(scope="module")
def coffee() -> np.ndarray:
    """scikit-image's coffee photo (400x600 RGB), with the grained table top at the upper right."""
    from skimage import data

    return data.coffee()


def box_mask(shape: tuple[int, ...], y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
    mask = np.zeros(shape[:2], np.uint8)
    mask[y0:y1, x0:x1] = 255
    return mask


def fill(model, image, mask, control=None, **params) -> np.ndarray:
    request = GenerationRequest(MODEL, "inpaint", params, 0, image, mask)
    return model.run(request, control or JobControl()).images[0]


def detail(image: np.ndarray, mask: np.ndarray) -> float:
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return float(np.abs(cv2.Laplacian(grey, cv2.CV_32F, ksize=1))[mask > 0].mean())


def test_the_hole_gets_the_photos_texture_and_the_networks_colour(model, coffee):
    """On the table top's grain: as detailed as the photo where the network alone is smooth, and its
    error no worse than the network's (a noise fill would be detailed and far off)."""
    mask = box_mask(coffee.shape, 20, 100, 400, 480)
    out = fill(model, coffee, mask)
    learned = ModelRegistry().load("inpaint-fill", "cpu")
    smooth = learned.run(GenerationRequest("inpaint-fill", "inpaint", {}, 0, coffee, mask), JobControl())
    assert np.array_equal(out[mask == 0], coffee[mask == 0])  # bit-exact outside the hole
    original = detail(coffee, mask)
    assert detail(out, mask) / original > 0.6  # about 0.9 measured
    assert detail(smooth.images[0], mask) / original < 0.45  # the network alone: smooth

    def error(image: np.ndarray) -> float:
        return float(np.abs(image.astype(float) - coffee)[mask > 0].mean())

    assert error(out) < error(smooth.images[0]) * 1.25


def test_texture_zero_gives_the_smooth_structure_alone(model, coffee):
    mask = box_mask(coffee.shape, 20, 100, 400, 480)
    assert detail(fill(model, coffee, mask, texture=0.0), mask) < detail(fill(model, coffee, mask), mask) / 2


def test_where_the_fills_agree_patchmatch_is_kept_whole():
    rng = np.random.default_rng(0)
    patch = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    assert np.array_equal(hybrid.blend_bands(patch, patch, 0.5, 1.5, 1.0), patch)
    far = np.zeros_like(patch)  # the network sees black where PatchMatch copied something bright
    low = hybrid.blend_bands(far, np.full_like(patch, 200), 0.5, 1.5, 1.0)
    assert abs(int(low[32, 32, 0]) - 100) <= 2  # disagreement: half of each


def test_a_cancel_between_the_two_passes_stops_before_the_network_runs(model, coffee, monkeypatch):
    control, network_runs = JobControl(), []
    real_patchmatch, real_network = hybrid.fill_patchmatch, model.learned.fill

    def patchmatch_then_cancel(*args, **kwargs):  # the real fill, then the artist presses Esc
        out = real_patchmatch(*args, **kwargs)
        control.cancel()
        return out

    def network(*args, **kwargs):
        network_runs.append(1)
        return real_network(*args, **kwargs)

    monkeypatch.setattr(hybrid, "fill_patchmatch", patchmatch_then_cancel)
    monkeypatch.setattr(model.learned, "fill", network)
    image = coffee.copy()
    with pytest.raises(JobCancelled):
        fill(model, image, box_mask(coffee.shape, 20, 100, 400, 480), control=control)
    assert network_runs == [] and np.array_equal(image, coffee)


def test_the_card_names_its_fill_network_and_a_missing_one_is_reported(tmp_path):
    shutil.copy(BUILTIN / "hybrid-fill.json", tmp_path / "hybrid-fill.json")
    registry = ModelRegistry([(tmp_path, False)])
    assert MODEL not in {d.id for d in registry.refresh()}
    (error,) = registry.errors
    assert "inpaint-fill-photos.json is missing" in error
    card = json.loads((BUILTIN / "hybrid-fill.json").read_text())
    card["config"]["order"] = "sideways"
    (tmp_path / "hybrid-fill.json").write_text(json.dumps(card))
    for name in ("inpaint-fill-photos.json", "inpaint-fill-photos.safetensors"):
        shutil.copy(BUILTIN / name, tmp_path / name)
    registry.refresh()
    assert any("config.order must be one of bands, refine" in e for e in registry.errors)


def _with_fill_scale(folder, **config) -> ModelRegistry:
    """The built-in hybrid over the first fill network (inpaint-fill, full size) in `folder`, the fill
    network's card given `config`."""
    hybrid_card = json.loads((BUILTIN / "hybrid-fill.json").read_text())
    hybrid_card["config"]["fill"] = "inpaint-fill.json"
    (folder / "hybrid-fill.json").write_text(json.dumps(hybrid_card))
    shutil.copy(BUILTIN / "inpaint-fill.safetensors", folder / "inpaint-fill.safetensors")
    card = json.loads((BUILTIN / "inpaint-fill.json").read_text())
    card["config"].update(config)
    (folder / "inpaint-fill.json").write_text(json.dumps(card))
    return ModelRegistry([(folder, False)])


def test_fill_scale_runs_the_network_on_a_shrunk_crop(tmp_path, coffee, monkeypatch):
    """A fill network whose card says fill_scale 0.5 (trained at half scale) sees the crop at half size,
    in the hybrid and alone in the picker; both still return a full-size fill, bit-exact outside the
    hole, and the hybrid's is textured."""
    registry = _with_fill_scale(tmp_path, fill_scale=0.5)
    half, alone = registry.load(MODEL, "cpu"), registry.load("inpaint-fill", "cpu")
    seen, patchmatch = [], hybrid.fill_patchmatch

    def record(fill_function):
        def run(crop, hole, *args, **kwargs):
            seen.append(hole.shape)
            return fill_function(crop, hole, *args, **kwargs)

        return run

    monkeypatch.setattr(half.learned, "fill", record(half.learned.fill))
    monkeypatch.setattr(hybrid, "fill_patchmatch", record(patchmatch))
    mask = box_mask(coffee.shape, 20, 100, 400, 480)
    out = fill(half, coffee, mask)
    (crop, shrunk) = seen  # PatchMatch's crop, then the network's
    assert abs(shrunk[0] - crop[0] / 2) <= 1 and abs(shrunk[1] - crop[1] / 2) <= 1
    assert np.array_equal(out[mask == 0], coffee[mask == 0])
    assert detail(out, mask) / detail(coffee, mask) > 0.6
    sizes = []
    for picker in (alone, ModelRegistry().load("inpaint-fill", "cpu")):  # at half scale, then as built in
        seen.clear()
        monkeypatch.setattr(picker, "fill", record(picker.fill))
        request = GenerationRequest("inpaint-fill", "inpaint", {}, 0, coffee, mask)
        out = picker.run(request, JobControl()).images[0]
        assert np.array_equal(out[mask == 0], coffee[mask == 0])
        sizes.append(seen[0])
    (shrunk, whole) = sizes
    assert abs(shrunk[0] - whole[0] / 2) <= 1 and abs(shrunk[1] - whole[1] / 2) <= 1


def test_holes_narrower_than_shrink_from_are_filled_at_full_size(tmp_path, coffee, monkeypatch):
    narrow = _with_fill_scale(tmp_path, fill_scale=0.5, shrink_from=100.0).load(MODEL, "cpu")
    seen, network = [], narrow.learned.fill
    monkeypatch.setattr(
        narrow.learned,
        "fill",
        lambda crop, hole, *a, **k: seen.append(hole.shape) or network(crop, hole, *a, **k),
    )
    fill(narrow, coffee, box_mask(coffee.shape, 20, 100, 400, 480))  # an 80 px box
    assert len(seen) == 1 and seen[0][0] > 80  # the whole crop, not a half-size copy


def test_a_fill_scale_out_of_range_is_reported_when_models_are_listed(tmp_path):
    registry = _with_fill_scale(tmp_path, fill_scale=2.0)
    registry.refresh()
    assert any("config.fill_scale must be in 0.125..1" in e for e in registry.errors)


def test_a_crop_over_the_pixel_bound_is_filled_scaled_down(model, coffee, monkeypatch):
    """The hybrid keeps PatchMatch's memory bound (MAX_CROP_PIXELS, lowered here for a quick test):
    both fills see the crop scaled down; the result is full size and bit-exact outside the hole."""
    from genimg_desktop.engine import patchmatch

    monkeypatch.setattr(patchmatch, "MAX_CROP_PIXELS", 120 * 120)
    seen, real = [], hybrid.fill_patchmatch
    monkeypatch.setattr(hybrid, "fill_patchmatch", lambda crop, *a: seen.append(crop.shape) or real(crop, *a))
    mask = box_mask(coffee.shape, 100, 300, 200, 450)
    out = fill(model, coffee, mask)
    ((height, width, _),) = seen
    assert height * width <= 120 * 120 and out.shape == coffee.shape
    assert np.array_equal(out[mask == 0], coffee[mask == 0])


def test_hole_width_is_a_strokes_width_or_a_blobs_diameter():
    stroke = np.zeros((100, 200), np.uint8)
    stroke[40:52, 10:190] = 255
    disc = cv2.circle(np.zeros((200, 200), np.uint8), (100, 100), 60, 255, -1)
    assert abs(hole_width(stroke) - 12) <= 2 and abs(hole_width(disc) - 120) <= 3
