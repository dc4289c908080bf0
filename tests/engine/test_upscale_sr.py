"""Our upscaler (residual-sr): the network's shapes, training that resumes exactly and exports a card
the engine runs, tiles that equal the whole picture, and the shipped photo models beating bicubic on
photos they never saw."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from safetensors.torch import load_file

from genimg_desktop.core.image_quality import psnr_y
from genimg_desktop.core.progress import JobControl
from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.engine.registry import ModelRegistry
from genimg_desktop.engine.restore.degrade import shrink
from genimg_desktop.engine.restore.model import ImageToImageModel
from genimg_desktop.engine.restore.sr_net import SrConfig, SrNet
from genimg_desktop.engine.training.events import TrainingStopped
from genimg_desktop.engine.training.family_trainer import TrainConfig
from genimg_desktop.engine.training.loop import train
from tests.support.tiny_training import tiny_photo_run

TINY = {"scale": 2, "width": 8, "depth": 1, "fold": 2, "patch": 32}


@pytest.mark.parametrize(("scale", "fold"), [(2, 2), (4, 1), (3, 1)])
def test_network_enlarges_any_size_and_starts_as_bicubic(scale: int, fold: int) -> None:
    net = SrNet(SrConfig(scale=scale, width=8, depth=2, fold=fold)).eval()
    image = torch.rand(1, 3, 34, 46)
    with torch.no_grad():
        out = net(image)
    assert out.shape == (1, 3, 34 * scale, 46 * scale)
    bicubic = F.interpolate(image, scale_factor=scale, mode="bicubic", align_corners=False)
    assert torch.equal(out, bicubic)  # the tail starts at zero: plain bicubic before training
    assert net.size_multiple == fold and net.context >= SrConfig(scale, 8, 2, fold).receptive_field


@pytest.mark.parametrize("bad", [{"scale": 1}, {"scale": 2, "fold": 3}, {"scale": 2, "width": 0}])
def test_a_card_with_a_bad_shape_is_refused(bad: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="residual-sr needs"):
        SrConfig.from_card(bad)


SHARP = {**TINY, "adv": 0.05, "feature": 1.0, "critic_width": 4}


def _config(out: Path, steps: int, extra: dict[str, float] = TINY) -> TrainConfig:
    return tiny_photo_run("upscale", out, steps, extra)


@pytest.mark.parametrize("extra", [TINY, SHARP], ids=["faithful", "sharp"])
def test_training_resumed_midway_ends_with_the_same_weights_and_the_card_runs(
    tmp_path: Path, photo_rgb: np.ndarray, extra: dict[str, float]
) -> None:
    straight = train(_config(tmp_path / "straight", 4, extra))
    stopped = tmp_path / "stopped"
    with pytest.raises(TrainingStopped):
        train(_config(stopped, 4, extra), should_stop=lambda: True)  # stops after its first step
    resumed = train(_config(stopped, 4, extra))  # the sharp run's critic and its optimiser resume too
    a = load_file(straight.with_suffix(".safetensors"))
    b = load_file(resumed.with_suffix(".safetensors"))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert any(bool(t.abs().sum()) for k, t in a.items() if k.startswith("tail"))  # it learned something
    model = ModelRegistry([(straight.parent, False)]).load("tiny-upscale", "cpu")
    image = np.ascontiguousarray(photo_rgb[:21, :30])  # odd sides: padded to the fold, cropped back
    result = model.run(GenerationRequest("tiny-upscale", "upscale", {"scale": 2.0}, 0, image), JobControl())
    assert result.images[0].shape == (42, 60, 3)
    losses = (tmp_path / "straight" / "losses.jsonl").read_text()
    assert ("d_loss" in losses) == (extra is SHARP)
    assert ("sharp" in model.card.config["recipe"]) == (extra is SHARP)


def _shipped(model_id: str) -> ImageToImageModel:
    model = ModelRegistry().load(model_id, "cpu")
    assert isinstance(model, ImageToImageModel) and model.card.config["architecture"] == "residual-sr"
    return model


@pytest.mark.parametrize(
    ("model_id", "scale", "gain"), [("upscale-photo-x2", 2, 1.5), ("upscale-photo-x4", 4, 0.8)]
)
def test_the_shipped_photo_upscalers_beat_bicubic_on_held_out_photos(
    photo_rgb: np.ndarray, model_id: str, scale: int, gain: float
) -> None:
    """scikit-image's astronaut is never trained on (debian-photos only); measured gains are larger
    (see the cards); the bars leave room for other CPUs' rounding."""
    model = _shipped(model_id)
    assert model.scale == scale
    clean = np.ascontiguousarray(photo_rgb[64:320, 128:384])
    small = shrink(clean, scale)
    ours = model.enhance(small, tile=512)
    bicubic = np.asarray(Image.fromarray(small).resize(clean.shape[1::-1], Image.Resampling.BICUBIC))
    assert psnr_y(clean, ours, scale) > psnr_y(clean, bicubic, scale) + gain


def test_the_shipped_x2_upscaler_gives_the_same_picture_in_tiles() -> None:
    model = _shipped("upscale-photo-x2")
    image = np.random.default_rng(0).integers(0, 256, (97, 131, 3), dtype=np.uint8)
    whole = model.enhance(image, tile=1024).astype(int)
    tiled = model.enhance(image, tile=48).astype(int)
    assert np.abs(whole - tiled).max() <= 1  # float rounding only
