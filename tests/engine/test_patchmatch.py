"""PatchMatch inpainting (engine/patchmatch.py, the pypatchmatch library) on real photos, through the
same `GenerationModel.run` and `genimg` command line the app and scripts use."""

from __future__ import annotations

import json
import sys

import cv2
import numpy as np
import pytest

from genimg_desktop import cli
from genimg_desktop.core.imageio import load_image, save_image
from genimg_desktop.core.progress import JobCancelled, JobControl
from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.engine import patchmatch
from genimg_desktop.engine.registry import ModelRegistry

MODEL = "patchmatch"


@pytest.fixture(scope="module")
def model():
    return ModelRegistry().load(MODEL, "cpu")


@pytest.fixture
def coffee() -> np.ndarray:
    """scikit-image's coffee photo (400x600 RGB), with the textured table top at the upper right."""
    from skimage import data

    return data.coffee()


def box_mask(shape: tuple[int, ...], *boxes: tuple[int, int, int, int]) -> np.ndarray:
    mask = np.zeros(shape[:2], np.uint8)
    for y0, y1, x0, x1 in boxes:
        mask[y0:y1, x0:x1] = 255
    return mask


def fill(model, image, mask, seed=0, control=None, **params) -> np.ndarray:
    request = GenerationRequest(MODEL, "inpaint", params, seed, image, mask)
    return model.run(request, control or JobControl()).images[0]


def detail(image: np.ndarray, mask: np.ndarray) -> float:
    """Mean |Laplacian| of the grey picture inside the hole: how much fine detail is there."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return float(np.abs(cv2.Laplacian(grey, cv2.CV_32F, ksize=1))[mask > 0].mean())


def test_listed_by_genimg_models(capsys):
    assert cli.main(["models", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    found = {m["id"]: m for m in listing["models"]}[MODEL]
    assert (found["family"], found["tasks"], found["origin"]) == ("patchmatch", ["inpaint"], "builtin")
    assert found["weights"] is None


def test_cli_fills_the_hole_with_the_photos_texture(tmp_path, coffee, capsys):
    """The table top's grain is copied into the hole; Telea's fill of the same hole is smooth. A flat
    or blurred fill has a fraction of the original's detail and fails the first assertion."""
    mask = box_mask(coffee.shape, (20, 100, 400, 480))
    save_image(tmp_path / "photo.png", coffee)
    save_image(tmp_path / "mask.png", mask)
    detail_of = {}
    for model_id in (MODEL, "opencv-telea"):
        out_path = tmp_path / f"{model_id}.png"
        args = ["inpaint", "--model", model_id, "--image", str(tmp_path / "photo.png")]
        assert cli.main([*args, "--mask", str(tmp_path / "mask.png"), "--out", str(out_path)]) == 0
        out = load_image(out_path).rgba[..., :3]
        assert np.array_equal(out[mask == 0], coffee[mask == 0])  # bit-exact outside the hole
        detail_of[model_id] = detail(out, mask) / detail(coffee, mask)
    capsys.readouterr()
    assert detail_of[MODEL] > 0.6, detail_of  # about 0.95 measured: as detailed as the photo
    assert detail_of["opencv-telea"] < 0.35, detail_of  # about 0.25: smooth


def test_same_input_same_result_and_the_seed_picks_another_fill(model, coffee):
    mask = box_mask(coffee.shape, (20, 100, 400, 480))
    first = fill(model, coffee, mask, seed=5)
    assert np.array_equal(first, fill(model, coffee, mask, seed=5))
    assert not np.array_equal(first, fill(model, coffee, mask, seed=6))


def test_scattered_holes_are_each_filled_and_nothing_else_changes(model, coffee):
    mask = box_mask(coffee.shape, (10, 40, 10, 40), (350, 390, 540, 590))
    out = fill(model, coffee, mask)
    assert np.array_equal(out[mask == 0], coffee[mask == 0])
    for y0, y1, x0, x1 in ((10, 40, 10, 40), (350, 390, 540, 590)):
        assert not np.array_equal(out[y0:y1, x0:x1], coffee[y0:y1, x0:x1])


def test_patch_radius_reaches_the_library(model, coffee):
    mask = box_mask(coffee.shape, (20, 100, 400, 480))
    assert not np.array_equal(fill(model, coffee, mask, patch_radius=2), fill(model, coffee, mask))


@pytest.mark.parametrize(
    ("size", "boxes", "message"),
    [
        ((5, 6), [(1, 3, 1, 3)], "the picture is 6x5 px; PatchMatch with patch radius 3 needs at least 7x7"),
        ((40, 40), [(0, 40, 0, 40)], "the whole picture is masked"),
        ((40, 40), [], "paint a mask first"),
    ],
    ids=["tiny", "full-mask", "empty-mask"],
)
def test_bad_inputs_get_a_clear_message(model, size, boxes, message):
    image = np.full((*size, 3), 90, np.uint8)
    with pytest.raises(ValueError, match=message):
        fill(model, image, box_mask(image.shape, *boxes))  # default patch radius 3


def test_tiny_picture_works_with_a_small_enough_patch(model):
    image = np.random.default_rng(0).integers(0, 256, (6, 6, 3), dtype=np.uint8)
    mask = box_mask(image.shape, (2, 4, 2, 4))
    out = fill(model, image, mask, patch_radius=1)
    assert np.array_equal(out[mask == 0], image[mask == 0])


def test_cli_reports_a_full_mask_and_writes_nothing(tmp_path, coffee, capsys):
    save_image(tmp_path / "photo.png", coffee)
    save_image(tmp_path / "mask.png", np.full(coffee.shape[:2], 255, np.uint8))
    args = ["inpaint", "--model", MODEL, "--image", str(tmp_path / "photo.png")]
    assert cli.main([*args, "--mask", str(tmp_path / "mask.png"), "--out", str(tmp_path / "out.png")]) == 2
    assert "the whole picture is masked" in capsys.readouterr().err
    assert not (tmp_path / "out.png").exists()


def test_cancel_before_the_fill(model, coffee):
    control = JobControl()
    control.cancel()
    with pytest.raises(JobCancelled):
        fill(model, coffee, box_mask(coffee.shape, (20, 100, 400, 480)), control=control)


def test_without_the_library_the_model_is_skipped_with_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "patchmatch", None)  # `import patchmatch` now raises ImportError
    patchmatch.library.cache_clear()
    try:
        registry = ModelRegistry()
        assert MODEL not in {d.id for d in registry.refresh()}
        (error,) = [e for e in registry.errors if "patchmatch.json" in e]
        assert "pip install 'pypatchmatch" in error and "Python 3.11" in error
    finally:
        patchmatch.library.cache_clear()


def test_a_crop_with_nothing_to_copy_is_refused_not_filled_black():
    crop = np.full((20, 20, 3), 90, np.uint8)
    with pytest.raises(ValueError, match="nothing around this hole to copy texture from"):
        patchmatch.fill_patchmatch(crop, np.full((20, 20), 255, np.uint8), radius=3, seed=0)


def test_a_crop_over_the_pixel_bound_is_filled_scaled_down(model, coffee, monkeypatch):
    """Memory stays bounded at any hole size: a crop over MAX_CROP_PIXELS (here lowered to 120 x 120
    so the test is quick) reaches the library scaled down to at most that many pixels."""
    monkeypatch.setattr(patchmatch, "MAX_CROP_PIXELS", 120 * 120)
    library, seen = patchmatch.library(), []
    real = library.inpaint
    monkeypatch.setattr(
        library, "inpaint", lambda image, *a, **k: seen.append(image.shape) or real(image, *a, **k)
    )
    mask = box_mask(coffee.shape, (100, 300, 200, 450))  # its crop: 400 x 506 (128 px margin)
    out = fill(model, coffee, mask)
    ((height, width, _),) = seen
    assert height * width <= 120 * 120 and abs(width / height - 506 / 400) < 0.05
    assert np.array_equal(out[mask == 0], coffee[mask == 0])  # still bit-exact outside the hole
    assert out[mask > 0].std() > 10  # and the hole filled from the photo, not left flat
