"""The GAN family on a tiny config: networks, a training step, export -> registry -> every task."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from genimg_desktop.core.progress import JobCancelled, JobControl
from genimg_desktop.engine.families import family
from genimg_desktop.engine.gan.config import GanConfig
from genimg_desktop.engine.gan.fused import FusedSynthesis
from genimg_desktop.engine.gan.model import GanModel
from genimg_desktop.engine.gan.networks import Discriminator, Generator, minibatch_std
from genimg_desktop.engine.gan.trainer import GanTrainer, gan_config
from genimg_desktop.engine.latent_common import slerp, stage_plan
from genimg_desktop.engine.latent_inpaint import autograd_on, fit_latents
from genimg_desktop.engine.registry import ModelRegistry
from genimg_desktop.engine.training.family_trainer import DataInfo, TrainConfig
from tests.engine.latent_helpers import (  # noqa: F401 (one_thread: an autouse fixture)
    hole_canvas,
    load_installed,
    one_thread,
    run_task,
)
from tests.support.tiny_models import GAN_CLASSES as CLASSES
from tests.support.tiny_models import GAN_SIZE as SIZE
from tests.support.tiny_models import GAN_TINY as TINY
from tests.support.tiny_models import install_trained
from tests.support.tiny_models import make_gan_trainer as make_trainer


def install(trainer: GanTrainer, folder: Path, model_id: str) -> Path:
    return install_trained(trainer, folder, model_id, "Tiny GAN", CLASSES)


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[GanTrainer, list[dict[str, float]]]:
    trainer = make_trainer(tmp_path_factory.mktemp("run"))
    images, labels = torch.rand(8, 3, SIZE, SIZE) * 2 - 1, torch.arange(8) % 3
    logs = [trainer.train_step(images, labels) for _ in range(3)]
    return trainer, logs


@pytest.fixture(scope="module")
def model(trained, tmp_path_factory) -> GanModel:
    folder = tmp_path_factory.mktemp("models")
    install(trained[0], folder, "tiny-gan")
    return load_installed(folder, "tiny-gan", GanModel)


def run(model: GanModel, task: str, seed: int = 0, image=None, mask=None, control=None, **params):
    return run_task(model, "tiny-gan", task, seed, image, mask, control, params)


@pytest.fixture(scope="module")
def canvas() -> tuple[np.ndarray, np.ndarray]:
    """A 40x56 image with a 10x12 hole."""
    return hole_canvas(40, 56, 0, slice(14, 24), slice(20, 32))


# ---- networks and training -------------------------------------------------------------------------


@pytest.mark.parametrize(("resolution", "plan"), [(16, (4, 2)), (28, (7, 2)), (32, (4, 3)), (64, (4, 4))])
def test_networks_build_every_resolution(resolution, plan):
    assert stage_plan(resolution) == plan
    config = GanConfig(
        resolution=resolution,
        channels=1,
        num_classes=2,
        **{k: v for k, v in TINY.items() if k not in ("r1_gamma", "r1_every")},
    )
    z, labels = torch.randn(2, 16), torch.tensor([0, 1])
    images = Generator(config).eval()(z, labels)
    assert images.shape == (2, 1, resolution, resolution) and images.abs().max() <= 1
    assert Discriminator(config)(images, labels).shape == (2,)


@pytest.mark.parametrize("style_from_w", [False, True])
def test_the_folded_synthesis_equals_the_generator(style_from_w):
    config = GanConfig(resolution=28, channels=3, num_classes=3, style_from_w=style_from_w, **TINY)
    torch.manual_seed(1)
    net = Generator(config)
    for norm in [net.stem_norm] + [block.norm for block in net.blocks]:  # statistics far from 0 / 1
        norm.norm.running_mean.uniform_(-2, 2)
        norm.norm.running_var.uniform_(0.1, 4)
    net = net.eval().requires_grad_(False).to(memory_format=torch.channels_last)  # as GanModel loads it
    w, embedding = torch.randn(4, config.w_dim), net.embed(torch.tensor([0, 1, 2, 0]))
    reference = net.synthesis(w, embedding)
    folded = FusedSynthesis(net)(w, embedding)
    assert folded.shape == reference.shape == (4, 3, 28, 28)
    assert torch.allclose(folded, reference, atol=2e-5), (folded - reference).abs().max()


def test_the_model_draws_with_the_folded_synthesis_and_mapping(model):
    with torch.inference_mode():
        z = torch.randn(3, 16)
        w, embedding = model.net.mapping(z), model.net.embed(torch.tensor([0, 1, 2]))
        assert torch.allclose(model.map(z), w, atol=1e-6)
        assert torch.allclose(model.synthesize(w, embedding), model.net.synthesis(w, embedding), atol=2e-5)


def test_bad_settings_are_refused(tmp_path):
    with pytest.raises(ValueError, match="resolution"):
        GanConfig(resolution=36)
    with pytest.raises(ValueError, match="unknown"):
        make_trainer(tmp_path, z_dims=3)
    data = DataInfo(1, SIZE, CLASSES, "toy")
    with pytest.raises(ValueError, match="follow from the data"):
        gan_config(TrainConfig("gan", "toy", SIZE, tmp_path, extra={"channels": 3}), data)
    # --set values arrive as text
    assert gan_config(TrainConfig("gan", "toy", SIZE, tmp_path, extra={"z_dim": "24"}), data).z_dim == 24


def test_training_steps_give_finite_losses_and_move_the_ema(trained):
    trainer, logs = trained
    assert family("gan").trainer is GanTrainer
    for log in logs:
        assert {"d_loss", "g_loss", "d_real", "d_fake"} <= set(log)
        assert all(math.isfinite(v) for v in log.values())
    assert "r1" in logs[0] and "r1" not in logs[1]  # lazy R1 every 2nd step
    ema, live = trainer.g_ema.to_image.weight, trainer.g.to_image.weight
    assert not torch.equal(ema, live)


def test_minibatch_std_compares_only_images_of_one_group(trained):
    x = torch.cat([torch.zeros(4, 2, 3, 3), torch.arange(4.0).view(4, 1, 1, 1).expand(4, 2, 3, 3)])
    out = minibatch_std(x, 4)  # (8, 3, 3, 3): the first group is constant, the second is not
    assert out.shape == (8, 3, 3, 3) and torch.equal(out[:, :2], x)
    assert out[:4, 2].max() < 1e-3 and torch.allclose(out[4:, 2], torch.full((4, 3, 3), math.sqrt(1.25)))
    trainer = trained[0]
    assert [trainer._group(n) for n in (8, 6, 5, 2)] == [4, 3, 1, 2]  # never straddles real | fake


def test_sample_grid_and_resume(trained, tmp_path):
    trainer, _ = trained
    grid = trainer.sample_grid(6, torch.Generator().manual_seed(1))
    assert grid.shape == (6, 3, SIZE, SIZE) and grid.abs().max() <= 1
    again = make_trainer(tmp_path)
    again.load_state_dict(trainer.state_dict())
    assert torch.equal(again.sample_grid(6, torch.Generator().manual_seed(1)), grid)


# ---- the app model ---------------------------------------------------------------------------------


def test_registry_finds_the_exported_model_in_the_user_folder(trained, user_models):
    install(trained[0], user_models, "my-gan")
    registry = ModelRegistry()
    descriptor = {d.id: d for d in registry.refresh()}["my-gan"]
    assert not descriptor.builtin
    assert [t.name for t in descriptor.tasks] == [
        "sample",
        "interpolate",
        "variations",
        "directions",
        "inpaint",
    ]
    assert descriptor.task("sample").param("class").choices == ("random", *CLASSES)
    assert descriptor.task("inpaint").param("class").choices == ("auto", *CLASSES)
    assert descriptor.task("directions").param("direction").maximum == 3
    assert "16x16" in descriptor.task("inpaint").help
    assert isinstance(registry.load("my-gan", "cpu"), GanModel)


def test_a_card_that_contradicts_its_config_is_reported(trained, user_models):
    install(trained[0], user_models, "liar")
    card = json.loads((user_models / "liar.json").read_text())
    card["resolution"] = 32
    (user_models / "liar.json").write_text(json.dumps(card))
    registry = ModelRegistry()
    assert "liar" not in {d.id for d in registry.refresh()}
    assert any("resolution" in error for error in registry.errors)


def test_a_model_trained_without_classes(tmp_path):
    """A folder of the user's images has no classes: one implicit class, only "random"/"auto"."""
    config = TrainConfig(family="gan", data="folder", size=SIZE, out=tmp_path, lr=2e-4, extra=dict(TINY))
    trainer = GanTrainer(config, DataInfo(3, SIZE, (), "folder"), torch.device("cpu"))
    trainer.train_step(torch.rand(4, 3, SIZE, SIZE) * 2 - 1, torch.zeros(4, dtype=torch.long))
    install(trainer, tmp_path / "models", "plain")
    card_path = tmp_path / "models" / "plain.json"
    card = json.loads(card_path.read_text())
    card_path.write_text(json.dumps({**card, "class_names": []}))
    plain = ModelRegistry([(tmp_path / "models", False)]).load("plain", "cpu")
    assert plain.task("sample").param("class").choices == ("random",)
    assert len(run(plain, "sample", count=2)) == 2
    image, mask = np.full((20, 20, 3), 200, np.uint8), np.zeros((20, 20), np.uint8)
    mask[5:9, 5:9] = 255
    assert run(plain, "inpaint", 0, image, mask, steps=10)[0].shape == (20, 20, 3)


TASKS = [
    ("sample", {"count": 3, "class": "star", "truncation": 0.7}, 3, (SIZE, SIZE)),
    ("interpolate", {"frames": 4, "class_b": "square", "seed_b": 5}, 4, (SIZE, SIZE)),
    ("interpolate", {"frames": 3, "strip": True}, 1, (SIZE, 3 * SIZE)),
    ("variations", {"count": 2, "strength": 0.5}, 2, (SIZE, SIZE)),
    ("directions", {"direction": 3, "amount": -2.0, "steps": 3}, 3, (SIZE, SIZE)),
    ("directions", {"steps": 4, "strip": True}, 1, (SIZE, 4 * SIZE)),
]


@pytest.mark.parametrize(("task", "params", "count", "shape"), TASKS)
def test_every_generating_task_returns_rgb_images(model, task, params, count, shape):
    images = run(model, task, seed=3, **params)
    assert len(images) == count
    for image in images:
        assert image.dtype == np.uint8 and image.shape == (*shape, 3)


def test_same_seed_same_images_other_seed_other_images(model):
    first, again = run(model, "sample", seed=7, count=2), run(model, "sample", seed=7, count=2)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[0], run(model, "sample", seed=8, count=2)[0])


def test_truncation_pulls_latents_towards_the_average(model):
    w = model.net.mapping(model._latents(64, torch.Generator().manual_seed(0)))
    average = model._directions.mean
    half = model._truncate(w, 0.5)
    assert torch.allclose(half - average, 0.5 * (w - average), atol=1e-6)
    assert torch.equal(model._truncate(w, 0.0), w)
    assert torch.allclose(model._truncate(w, 1.0), average.expand_as(w), atol=1e-6)
    # at full truncation every seed gives the same (average) image of the class
    one, two = (run(model, "sample", seed=s, count=1, truncation=1.0, **{"class": "star"})[0] for s in (1, 2))
    assert np.array_equal(one, two)


def test_interpolation_ends_at_the_two_seeds(model):
    frames = run(model, "interpolate", seed=3, frames=5, seed_b=9, **{"class": "circle"})
    start = run(model, "sample", seed=3, count=1, **{"class": "circle"})[0]
    end = run(model, "sample", seed=9, count=1, **{"class": "circle"})[0]
    assert np.abs(frames[0].astype(int) - start).max() <= 1
    assert np.abs(frames[-1].astype(int) - end).max() <= 1


def test_the_middle_of_a_direction_strip_is_the_unedited_image(model):
    frames = run(model, "directions", seed=4, steps=3, amount=3.0, **{"class": "square"})
    plain = run(model, "sample", seed=4, count=1, **{"class": "square"})[0]
    assert np.abs(frames[1].astype(int) - plain).max() <= 1
    assert not np.array_equal(frames[0], frames[2])


def test_directions_are_computed_once_and_seeded(model):
    directions = model._directions
    run(model, "directions", seed=1)
    assert model._directions is directions and directions.axes.shape == (4, 16)
    assert torch.all(directions.stds[:-1] >= directions.stds[1:])  # most variance first
    other = ModelRegistry([(model.card.card_path.parent, False)]).load("tiny-gan", "cpu")
    assert torch.equal(other._directions.axes, directions.axes)


def test_sample_tensor_for_evaluation(model):
    x = model.sample_tensor(5, 2, torch.Generator().manual_seed(0))
    assert x.shape == (5, 3, SIZE, SIZE) and x.abs().max() <= 1
    assert torch.equal(x, model.sample_tensor(5, 2, torch.Generator().manual_seed(0)))
    assert model.sample_tensor(4, None, torch.Generator().manual_seed(0)).shape == (4, 3, SIZE, SIZE)
    truncated = model.sample_tensor(5, 2, torch.Generator().manual_seed(0), {"truncation": 0.7})
    assert not torch.equal(truncated, x)  # evaluation can draw with the task's settings
    with pytest.raises(ValueError, match="evaluation sets count"):
        model.sample_tensor(5, 2, torch.Generator().manual_seed(0), {"count": 3})


# ---- inpainting --------------------------------------------------------------------------------------


def test_inpaint_changes_only_the_masked_pixels(model, canvas):
    image, mask = canvas
    previews = []
    control = JobControl(lambda event: previews.append(event.preview) if event.preview is not None else None)
    out = run(model, "inpaint", 1, image, mask, control, steps=16, count=2, context_margin=4)
    assert len(out) == 2
    for result in out:
        assert result.shape == image.shape and result.dtype == np.uint8
        assert np.array_equal(result[mask == 0], image[mask == 0])
        assert not np.array_equal(result[mask > 0], image[mask > 0])
    assert previews and all(p.shape == image.shape for p in previews)
    again = run(model, "inpaint", 1, image, mask, steps=16, count=2, context_margin=4)
    assert np.array_equal(again[0], out[0])  # seeded


def test_inpaint_with_a_named_class(model, canvas):
    image, mask = canvas
    [out] = run(model, "inpaint", 2, image, mask, steps=10, **{"class": "star"})
    assert np.array_equal(out[mask == 0], image[mask == 0])


def test_a_model_loaded_inside_inference_mode_can_still_inpaint(model, canvas):
    with torch.inference_mode():  # e.g. a cache that loads during a job
        loaded = ModelRegistry([(model.card.card_path.parent, False)]).load("tiny-gan", "cpu")
    [out] = run(loaded, "inpaint", 0, *canvas, steps=10)
    assert out.shape == canvas[0].shape


def test_cancel_mid_inpaint(model, canvas):
    image, mask = canvas
    seen = []

    def on_progress(event):
        seen.append(event.fraction)
        if len(seen) == 5:
            control.cancel()

    control = JobControl(on_progress)
    with pytest.raises(JobCancelled):
        run(model, "inpaint", 0, image, mask, control, steps=200)
    assert len(seen) == 5  # stopped at the next report


def test_latent_fit_reaches_the_optimum_of_a_simple_objective():
    with autograd_on():
        x = torch.zeros(3, 2, requires_grad=True)
        goal = torch.tensor([1.0, -2.0])

        def objective():
            return ((x - goal) ** 2).sum(dim=1), x.detach()[:, :, None, None].expand(3, 2, 4, 4)

        losses, _ = fit_latents([x], objective, 200, 0.1, JobControl(), lambda image: np.zeros(1))
    assert float(losses.max()) < 1e-3


def test_slerp_keeps_the_norm_of_equal_length_latents():
    a, b = torch.tensor([3.0, 0.0]), torch.tensor([0.0, 3.0])
    path = slerp(a, b, torch.linspace(0, 1, 5))
    assert torch.allclose(path.norm(dim=1), torch.full((5,), 3.0))
    assert torch.allclose(path[0], a) and torch.allclose(path[-1], b, atol=1e-6)
