"""The shared part of every model: input checks, parameters, seeding, the crop/paste strategy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from genimg_desktop.core.model_card import ModelCard
from genimg_desktop.core.params import ParamSpec, TaskSpec
from genimg_desktop.core.progress import JobCancelled, JobControl
from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.engine.base import GenerationModel, inpaint_crop, mask_bbox


class NoiseModel(GenerationModel):
    """Test-only family: 'sample' draws noise (for seeding), 'inpaint' fills the hole with noise."""

    family = "test-noise"

    @classmethod
    def task_specs(cls, card):
        scale = ParamSpec("scale", "float", 1.0, minimum=0.0, maximum=2.0)
        return (
            TaskSpec("sample", "Sample", params=(scale,)),
            TaskSpec("inpaint", "Inpaint", params=(scale,), needs_image=True, needs_mask=True),
        )

    def _run(self, job):
        assert not torch.is_grad_enabled()
        size = 8 if job.image is None else job.image.shape[0]
        noise = self.noise(size, size, 3, generator=job.generator) * job.params["scale"]
        img = ((noise.clamp(-2, 2) + 2) * 63).to(torch.uint8).cpu().numpy()
        if job.task.name == "sample":
            return [img]
        return [inpaint_crop(job.image, job.mask, 0, lambda crop, m: img[: crop.shape[0], : crop.shape[1]])]


@pytest.fixture
def model() -> NoiseModel:
    card = ModelCard(id="noise", name="Noise", family="test-noise", card_path=Path("noise.json"))
    return NoiseModel(card, "cpu")


def request(task="sample", seed=0, image=None, mask=None, **params) -> GenerationRequest:
    return GenerationRequest("noise", task, params, seed, image, mask)


def test_same_seed_same_image_other_seed_other_image(model):
    first = model.run(request(seed=7), JobControl()).images[0]
    again = model.run(request(seed=7), JobControl()).images[0]
    other = model.run(request(seed=8), JobControl()).images[0]
    assert np.array_equal(first, again) and not np.array_equal(first, other)


def test_huge_and_negative_seeds_are_accepted(model):
    model.run(request(seed=2**70), JobControl())
    model.run(request(seed=-1), JobControl())


def test_result_info_has_resolved_params_device_and_time(model):
    result = model.run(request(scale=5), JobControl())
    assert result.info["params"] == {"scale": 2.0}  # clamped to the declared maximum
    assert result.info["device"] == "CPU"
    assert result.elapsed_s >= 0
    meta = result.metadata()
    assert meta["params"] == {"scale": 2.0} and meta["model"] == "noise"


def test_unknown_param_is_an_error(model):
    with pytest.raises(ValueError, match="no parameter.*colour"):
        model.run(request(colour=3), JobControl())


def test_bad_param_value_is_an_error(model):
    with pytest.raises(ValueError, match="'scale'"):
        model.run(request(scale="lots"), JobControl())


def test_unknown_task_is_an_error(model):
    with pytest.raises(ValueError, match="no task 'upscale'.*sample, inpaint"):
        model.run(request(task="upscale"), JobControl())


def test_cancel_before_start(model):
    control = JobControl()
    control.cancel()
    with pytest.raises(JobCancelled):
        model.run(request(), control)


@pytest.mark.parametrize(
    ("image", "mask", "message"),
    [
        (None, np.full((8, 8), 255, np.uint8), "needs an image"),
        (np.zeros((8, 8, 3), np.uint8), None, "paint a mask first"),
        (np.zeros((8, 8, 3), np.uint8), np.zeros((8, 8), np.uint8), "paint a mask first"),
        (np.zeros((8, 8, 3), np.uint8), np.full((8, 9), 255, np.uint8), "differs from image size"),
        (np.zeros((8, 8, 4), np.uint8), np.full((8, 8), 255, np.uint8), r"\(H, W, 3\) uint8 RGB"),
        (np.zeros((8, 8, 3), np.float32), np.full((8, 8), 255, np.uint8), r"\(H, W, 3\) uint8 RGB"),
        (np.zeros((8, 8, 3), np.uint8), np.full((8, 8), True), r"mask must be \(H, W\) uint8"),
    ],
)
def test_inputs_are_checked(model, image, mask, message):
    with pytest.raises(ValueError, match=message):
        model.run(request("inpaint", image=image, mask=mask), JobControl())


def test_mask_bbox_with_margin_is_clipped():
    mask = np.zeros((100, 200), np.uint8)
    mask[10:20, 150:190] = 1
    assert mask_bbox(mask) == (10, 20, 150, 190)
    assert mask_bbox(mask, 15) == (0, 35, 135, 200)


def test_inpaint_crop_keeps_unmasked_pixels_exact_and_fills_soft_ones(photo_rgb):
    mask = np.zeros(photo_rgb.shape[:2], np.uint8)
    mask[100:110, 50:60] = 255
    mask[105, 60:70] = 1  # soft edge: still generated; feathering is core.composite's job
    original = photo_rgb.copy()
    out = inpaint_crop(photo_rgb, mask, 8, lambda crop, m: np.full_like(crop, 7))
    assert np.array_equal(out[mask == 0], photo_rgb[mask == 0])
    assert (out[mask > 0] == 7).all()
    assert np.array_equal(photo_rgb, original)  # the input is never written to


def test_inpaint_crop_on_a_large_image_only_touches_the_crop():
    image = np.empty((4096, 4096, 3), np.uint8)
    image[...] = (np.arange(4096) % 251).astype(np.uint8)[:, None, None]
    mask = np.zeros(image.shape[:2], np.uint8)
    hole = (slice(2000, 2030), slice(3000, 3050))
    mask[hole] = 255
    seen = []

    def fill(crop, crop_mask):
        seen.append((crop.shape, int(crop_mask.sum() // 255)))
        return np.zeros_like(crop)

    out = inpaint_crop(image, mask, 64, fill)
    assert seen == [((30 + 128, 50 + 128, 3), 30 * 50)]
    assert (out[hole] == 0).all()
    out[hole] = image[hole]
    assert np.array_equal(out, image)


def test_inpaint_crop_refuses_a_wrong_sized_fill(photo_rgb):
    mask = np.zeros(photo_rgb.shape[:2], np.uint8)
    mask[5, 5] = 255
    with pytest.raises(RuntimeError, match="model returned"):
        inpaint_crop(photo_rgb, mask, 4, lambda crop, m: crop[:-1])


def test_noise_inpaint_end_to_end(model, photo_rgb, hole_mask):
    out = model.run(request("inpaint", image=photo_rgb, mask=hole_mask), JobControl()).images[0]
    assert np.array_equal(out[hole_mask == 0], photo_rgb[hole_mask == 0])
    assert not np.array_equal(out[hole_mask > 0], photo_rgb[hole_mask > 0])


def test_read_weights_loads_safetensors_and_checks_the_checksum(tmp_path):
    import hashlib
    from dataclasses import replace

    from safetensors.torch import save_file

    from genimg_desktop.engine.weights import ModelLoadError

    weights = tmp_path / "w.safetensors"
    save_file({"w": torch.arange(4.0)}, str(weights))
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    card = ModelCard(id="n", name="n", family="test-noise", card_path=tmp_path / "n.json", weights=weights)
    assert NoiseModel(card, "cpu").read_weights()["w"].tolist() == [0, 1, 2, 3]
    checked = replace(card, sha256=digest.upper())
    assert "w" in NoiseModel(checked, "cpu").read_weights()
    corrupt = replace(card, sha256="0" * 64)
    with pytest.raises(ModelLoadError, match="checksum"):
        NoiseModel(corrupt, "cpu").read_weights()


def test_read_weights_refuses_other_formats(tmp_path):
    from genimg_desktop.engine.weights import ModelLoadError

    weights = tmp_path / "w.bin"
    weights.write_bytes(b"not really")
    card = ModelCard(id="n", name="n", family="test-noise", card_path=tmp_path / "n.json", weights=weights)
    with pytest.raises(ModelLoadError, match=r"must be .safetensors, .pt, .pth or .ckpt"):
        NoiseModel(card, "cpu").read_weights()
