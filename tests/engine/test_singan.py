"""The multi-scale single-picture GAN ("singan" family) on a tiny pyramid trained by the real loop:
coarse to fine with the coarser stages frozen, resumed exactly across a scale boundary, drawn at any
size and aspect ratio, variations that keep the picture's layout, an animated walk; and the training
time measured before a run (`genimg train --time-steps`) for it and the texture family."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file

from genimg_desktop import cli
from genimg_desktop.core.progress import JobControl
from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.engine.registry import ModelRegistry
from genimg_desktop.engine.texture.singan_config import SinGanConfig
from genimg_desktop.engine.texture.singan_trainer import SinGanTrainer
from genimg_desktop.engine.training.events import TrainingStopped
from genimg_desktop.engine.training.family_trainer import DataInfo, TrainConfig
from genimg_desktop.engine.training.loop import train

TINY = {"scales": 3, "min_side": 8, "width": 6, "layers": 3, "coarse_repeats": 2}


@pytest.fixture
def picture(tmp_path, photo_rgb) -> Path:
    folder = tmp_path / "picture"
    folder.mkdir()
    Image.fromarray(photo_rgb[100:228, 180:308]).save(folder / "one.png")
    return folder


def config(out: Path, data: Path, steps: int = 6) -> TrainConfig:
    return TrainConfig(
        family="singan",
        data=str(data),
        size=32,
        out=out,
        steps=steps,
        batch_size=1,
        lr=5e-4,
        sample_every=0,
        checkpoint_every=2,
        model_id="tiny-singan",
        extra=dict(TINY),
        device="cpu",
        models_dir=out / "models",
    )


def run(model, task="sample", seed=0, **params) -> list[np.ndarray]:
    return model.run(GenerationRequest("tiny-singan", task, params, seed), JobControl()).images


def test_scales_train_coarse_to_fine_each_from_the_one_below(tmp_path) -> None:
    torch.manual_seed(0)
    trainer = SinGanTrainer(config(tmp_path, tmp_path), DataInfo(3, 32, ("a",), "x"), torch.device("cpu"))
    assert trainer.sizes == [(8, 8), (16, 16), (32, 32)]  # min_side up to --size, even steps
    # More updates a step where a step is cheap (up to coarse_repeats): half the finest area over its own.
    assert [trainer.net.repeats(k) for k in range(3)] == [2, 2, 1]
    assert [SinGanConfig(train_size=256).repeats(k) for k in range(5)] == [8, 8, 5, 2, 1]
    picture = torch.rand(1, 3, 32, 32) * 2 - 1
    labels = torch.zeros(1, dtype=torch.long)
    for _ in range(2):  # scale 0
        assert trainer.train_step(picture, labels)["scale"] == 0
    coarse = [p.detach().clone() for p in trainer.g.stages[0].parameters()]
    losses = trainer.train_step(picture, labels)  # the first step of scale 1
    assert losses["scale"] == 1 and trainer.g.amps[1] > 0  # its noise level, from the coarser error
    assert all(torch.equal(a, b) for a, b in zip(coarse, trainer.g.stages[0].parameters(), strict=True))
    assert trainer.sample_grid(2, torch.Generator().manual_seed(0)).shape == (2, 3, 32, 32)
    assert [start for start, _ in trainer.timing_plan()] == [0, 2, 4]


def test_a_run_resumed_at_a_scale_boundary_ends_with_the_same_weights(tmp_path, picture) -> None:
    straight = train(config(tmp_path / "straight", picture))
    asked = []
    with pytest.raises(TrainingStopped):  # stops after step 2, the last of scale 0
        train(config(tmp_path / "stopped", picture), should_stop=lambda: asked.append(1) or len(asked) >= 2)
    resumed = train(config(tmp_path / "stopped", picture))
    a, b = (load_file(card.with_suffix(".safetensors")) for card in (straight, resumed))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.fixture
def model(tmp_path, picture):
    card = train(config(tmp_path / "run", picture))
    return ModelRegistry([(card.parent, False)]).load("tiny-singan", "cpu")


def test_any_size_and_aspect_seeds_variations_and_a_walk(model) -> None:
    wide = run(model, width=80, height=32, count=2)
    assert [im.shape for im in wide] == [(32, 80, 3)] * 2 and not np.array_equal(wide[0], wide[1])
    assert np.array_equal(wide[0], run(model, width=80, height=32, count=2)[0])
    # Variations keeping the coarse scales stay closer to one another than new pictures do.
    kept = run(model, "variations", width=32, height=32, count=4, keep=2)
    free = run(model, "sample", width=32, height=32, count=4)

    def spread(images: list[np.ndarray]) -> float:
        return float(np.mean([np.abs(images[0].astype(int) - im).mean() for im in images[1:]]))

    assert 0 < spread(kept) < spread(free)
    frames = run(model, "interpolate", seed=3, seed_b=9, frames=5, width=48, height=32)
    assert len(frames) == 5
    assert np.array_equal(frames[0], run(model, seed=3, width=48, height=32)[0])
    assert np.array_equal(frames[-1], run(model, seed=9, width=48, height=32)[0])


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="layers >= 3"):
        SinGanConfig(layers=2)
    with pytest.raises(ValueError, match="below the coarsest"):
        SinGanConfig(min_side=24, train_size=16)


@pytest.mark.parametrize(
    ("family", "settings", "phases"), [("singan", TINY, 3), ("texture", {"crop": 16, "widths": "8,4"}, 1)]
)
def test_time_steps_measures_every_phase_and_writes_nothing(
    capsys, tmp_path, picture, family, settings, phases
) -> None:
    out = tmp_path / "run"
    args = ["train", "--family", family, "--data", str(picture), "--size", "32", "--out", str(out)]
    args += ["--steps", "300", "--batch-size", "2", "--device", "cpu", "--time-steps", "2"]
    args += [word for key, value in settings.items() for word in ("--set", f"{key}={value}")]
    assert cli.main(args) == 0
    timing = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert timing["timed_steps"] == 2 * phases and timing["steps"] == 300
    assert timing["seconds_per_step"] > 0 and timing["run_seconds"] == pytest.approx(
        300 * timing["seconds_per_step"]
    )
    assert not out.exists()  # no run folder, no checkpoint, no model


def test_the_shipped_landscape_draws_sky_above_grass_at_any_aspect() -> None:
    model = ModelRegistry().load("singan-picos", "cpu")
    request = GenerationRequest("singan-picos", "sample", {"width": 192, "height": 96, "count": 2}, 0)
    for picture in model.run(request, JobControl()).images:
        assert picture.shape == (96, 192, 3)
        top, bottom = picture[:16].astype(float), picture[-32:].astype(float)
        # sky: blue over red at the top; the grass and path below are not
        assert (top[..., 2] - top[..., 0]).mean() > 40 > (bottom[..., 2] - bottom[..., 0]).mean()
