"""The VAE family on a tiny config: likelihood, networks, training, export -> registry -> every task."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from genimg_desktop.core.imageio import load_rgb
from genimg_desktop.core.progress import JobCancelled, JobControl
from genimg_desktop.engine.families import family
from genimg_desktop.engine.latent_inpaint import autograd_on
from genimg_desktop.engine.registry import ModelRegistry
from genimg_desktop.engine.vae import likelihood
from genimg_desktop.engine.vae.config import VaeConfig
from genimg_desktop.engine.vae.fused import MeanDecoder
from genimg_desktop.engine.vae.model import VaeModel
from genimg_desktop.engine.vae.networks import ConditionalVAE
from genimg_desktop.engine.vae.trainer import VaeTrainer
from tests.engine.latent_helpers import (  # noqa: F401 (one_thread: an autouse fixture)
    hole_canvas,
    load_installed,
    one_thread,
    run_task,
)
from tests.support.tiny_models import VAE_CLASSES as CLASSES
from tests.support.tiny_models import VAE_SIZE as SIZE
from tests.support.tiny_models import VAE_TINY as TINY
from tests.support.tiny_models import install_trained
from tests.support.tiny_models import make_vae_trainer as make_trainer

BINS = torch.arange(256).float() / 127.5 - 1  # the 256 bin centres


def toy_images(count: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Gray 'zero' (a bright ring) and 'one' (a bright bar) images in [-1, 1], with labels."""
    yy, xx = torch.meshgrid(torch.arange(SIZE), torch.arange(SIZE), indexing="ij")
    radius = ((yy - 7.5) ** 2 + (xx - 7.5) ** 2).sqrt()
    ring = ((radius > 4) & (radius < 6.5)).float()
    bar = ((xx - 7.5).abs() < 1.5).float() * ((yy - 7.5).abs() < 6).float()
    labels = torch.arange(count) % 2
    images = torch.stack([ring if label == 0 else bar for label in labels])[:, None] * 2 - 1
    return images, labels


def install(trainer: VaeTrainer, folder: Path, model_id: str) -> None:
    install_trained(trainer, folder, model_id, "Tiny VAE", CLASSES)


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[VaeTrainer, list[dict[str, float]]]:
    trainer = make_trainer(tmp_path_factory.mktemp("run"))
    images, labels = toy_images(16)
    logs = [trainer.train_step(images, labels) for _ in range(100)]
    return trainer, logs


@pytest.fixture(scope="module")
def model(trained, tmp_path_factory) -> VaeModel:
    folder = tmp_path_factory.mktemp("models")
    install(trained[0], folder, "tiny-vae")
    return load_installed(folder, "tiny-vae", VaeModel)


@pytest.fixture(scope="module")
def canvas() -> tuple[np.ndarray, np.ndarray]:
    """A 48x40 colour image and a hole in it."""
    return hole_canvas(48, 40, 1, slice(20, 30), slice(10, 22))


def run(model: VaeModel, task: str, seed: int = 0, image=None, mask=None, control=None, **params):
    return run_task(model, "tiny-vae", task, seed, image, mask, control, params)


# ---- likelihood --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mean", "log_scale"), [(0.0, -3.0), (0.95, -6.0), (-1.3, 0.5), (4.0, -2.0), (0.2, -9.0)]
)
def test_discretized_logistic_is_a_distribution_over_the_256_levels(mean, log_scale):
    log_p = likelihood.log_prob(BINS, torch.full_like(BINS, mean), torch.full_like(BINS, log_scale))
    assert torch.isfinite(log_p).all()
    assert float(log_p.exp().sum()) == pytest.approx(1.0, abs=1e-5)


def test_likelihood_gradients_stay_finite_far_from_the_data():
    with autograd_on():
        mean = torch.tensor([-40.0, 40.0, 0.0, 3.0], requires_grad=True)
        log_scale = torch.tensor([-7.0, -7.0, -7.0, 5.0], requires_grad=True)
        x = torch.tensor([1.0, -1.0, 0.5, -1.0])
        likelihood.log_prob(x, mean, log_scale).sum().backward()
    assert torch.isfinite(mean.grad).all() and torch.isfinite(log_scale.grad).all()


def test_quantise_snaps_to_bin_centres():
    x = likelihood.quantise(torch.tensor([-1.5, -0.999, 0.0031, 1.0]))
    assert torch.allclose((x + 1) * 127.5, ((x + 1) * 127.5).round())


# ---- networks and training -------------------------------------------------------------------------


@pytest.mark.parametrize("resolution", [16, 28, 32, 64])
def test_networks_build_every_resolution(resolution):
    vae = ConditionalVAE(VaeConfig(resolution=resolution, channels=3, num_classes=2, **TINY))
    x = likelihood.quantise(torch.rand(2, 3, resolution, resolution) * 2 - 1)
    nll, kl, mu = vae(x, torch.tensor([0, 1]))
    assert nll.shape == kl.shape == (2,) and mu.shape == (2, 6)
    assert vae.decode_mean(mu, vae.embed(torch.tensor([0, 1]))).shape == x.shape


@pytest.mark.parametrize("resolution", [28, 64])
def test_the_apps_mean_decoder_equals_the_modules(resolution):
    torch.manual_seed(2)
    vae = ConditionalVAE(VaeConfig(resolution=resolution, channels=3, num_classes=2, **TINY)).eval()
    vae = vae.requires_grad_(False).to(memory_format=torch.channels_last)  # as VaeModel loads it
    z, embedding = torch.randn(3, vae.config.z_dim), vae.embed(torch.tensor([0, 1, 1]))
    reference = vae.decode_mean(z, embedding)
    drawn = MeanDecoder(vae.decoder)(z, embedding)
    assert drawn.shape == reference.shape == (3, 3, resolution, resolution)
    assert torch.allclose(drawn, reference, atol=2e-5), (drawn - reference).abs().max()


def test_training_lowers_the_bound_and_tracks_latent_statistics(trained):
    trainer, logs = trained
    assert family("vae").trainer is VaeTrainer
    for log in logs:
        assert {"bpd", "recon_bpd", "kl_bpd"} <= set(log) and all(math.isfinite(v) for v in log.values())
    assert logs[-1]["bpd"] < 0.8 * logs[0]["bpd"]  # a few steps on two shapes: clearly better
    assert not torch.equal(trainer.vae.latent_mean, torch.zeros(6))


def test_sample_grid_and_resume(trained, tmp_path):
    trainer, _ = trained
    grid = trainer.sample_grid(4, torch.Generator().manual_seed(1))
    assert grid.shape == (4, 1, SIZE, SIZE) and grid.abs().max() <= 1
    again = make_trainer(tmp_path)
    again.load_state_dict(trainer.state_dict())
    assert torch.equal(again.sample_grid(4, torch.Generator().manual_seed(1)), grid)
    with pytest.raises(ValueError, match="settings"):
        make_trainer(tmp_path, z_dim=7).load_state_dict(trainer.state_dict())


# ---- evaluation ----------------------------------------------------------------------------------------


def test_elbo_bits_per_dim(model):
    images, labels = toy_images(6)
    pixels = ((images + 1) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()  # (N, H, W, 1)
    labelled = model.elbo_bits_per_dim(pixels, labels.numpy())
    marginal = model.elbo_bits_per_dim(pixels)
    assert 0 < labelled < 8 and labelled == model.elbo_bits_per_dim(pixels, labels.numpy())
    # log p(x) >= logsumexp_y ELBO(x|y) - log K >= ELBO(x|y_true) - log K
    assert marginal <= labelled + math.log2(2) / (SIZE * SIZE) + 1e-6
    noise = np.random.default_rng(0).integers(0, 256, pixels.shape, dtype=np.uint8)
    assert model.elbo_bits_per_dim(noise) > marginal  # the shapes are far likelier than noise
    with pytest.raises(ValueError, match="wants"):
        model.elbo_bits_per_dim(np.zeros((2, 8, 8, 1), np.uint8))


def test_sample_tensor_for_evaluation(model):
    x = model.sample_tensor(3, 1, torch.Generator().manual_seed(0))
    assert x.shape == (3, 1, SIZE, SIZE) and x.abs().max() <= 1
    assert torch.equal(x, model.sample_tensor(3, 1, torch.Generator().manual_seed(0)))


# ---- tasks -------------------------------------------------------------------------------------------


def test_registry_lists_the_tasks(trained, user_models):
    install(trained[0], user_models, "my-vae")
    descriptor = {d.id: d for d in ModelRegistry().refresh()}["my-vae"]
    assert [t.name for t in descriptor.tasks] == ["sample", "reconstruct", "interpolate", "edit", "inpaint"]
    assert descriptor.task("reconstruct").needs_image and descriptor.task("edit").needs_image
    assert descriptor.task("edit").param("class").choices == ("auto", *CLASSES)


TASKS = [
    ("sample", {"count": 3, "temperature": 0.5, "class": "one"}, False, 3, (SIZE, SIZE)),
    ("reconstruct", {"output_size": "model"}, True, 1, (SIZE, SIZE)),
    ("reconstruct", {"class": "zero"}, True, 1, (48, 40)),
    ("interpolate", {"frames": 4, "class_b": "zero"}, False, 4, (SIZE, SIZE)),
    ("interpolate", {"start": "canvas", "frames": 3, "strip": True}, True, 1, (SIZE, 3 * SIZE)),
    ("edit", {"direction": 2, "steps": 3, "output_size": "model"}, True, 3, (SIZE, SIZE)),
    ("edit", {"steps": 2, "strip": True}, True, 1, (48, 80)),
]


@pytest.mark.parametrize(("task", "params", "needs_image", "count", "shape"), TASKS)
def test_every_task_returns_rgb_images(model, canvas, task, params, needs_image, count, shape):
    images = run(model, task, 3, canvas[0] if needs_image else None, **params)
    assert len(images) == count
    for image in images:
        assert image.dtype == np.uint8 and image.shape == (*shape, 3)
        assert np.array_equal(image[..., 0], image[..., 2])  # a gray model: gray repeated


def test_same_seed_same_images_other_seed_other_images(tmp_path):
    # An untrained decoder: the toy model needs no latent (the class says it all), this one uses it.
    install(make_trainer(tmp_path), tmp_path / "models", "fresh-vae")
    fresh = ModelRegistry([(tmp_path / "models", False)]).load("fresh-vae", "cpu")
    params = {"count": 2, "class": "one"}
    first, again = run(fresh, "sample", seed=7, **params), run(fresh, "sample", seed=7, **params)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[0], run(fresh, "sample", seed=8, **params)[0])


def test_interpolating_from_the_canvas_needs_an_image(model):
    with pytest.raises(ValueError, match="image"):
        run(model, "interpolate", start="canvas")


def test_interpolating_between_two_pictures_ends_at_each_reconstruction(model, tmp_path):
    toy, _ = toy_images(2)  # ring (the canvas), bar (a file of another size)
    ring, bar = np.repeat(((toy[:, 0] + 1) * 127.5).round().to(torch.uint8).numpy()[..., None], 3, axis=3)
    path = tmp_path / "bar.png"
    Image.fromarray(bar).resize((64, 64), Image.Resampling.NEAREST).save(path)
    params = {"start": "canvas", "end": "file", "end_image": str(path), "frames": 4}
    frames = run(model, "interpolate", 0, ring, **params)
    [start] = run(model, "reconstruct", 0, ring, output_size="model")
    [end] = run(model, "reconstruct", 0, load_rgb(path), output_size="model")
    assert len(frames) == 4
    assert np.abs(frames[0].astype(int) - start).max() <= 1
    assert np.abs(frames[-1].astype(int) - end).max() <= 1
    # the path ends at the file's own latent and class (the toy decoder draws any latent alike)
    resolved = model.task("interpolate").resolve(params)
    with torch.inference_mode():
        z_end, class_end = model._interpolation_end(resolved, torch.tensor([0]))
        z_bar, class_bar = model._encode(load_rgb(path), "auto")
        z_ring, _ = model._encode(ring, "auto")
    assert torch.equal(z_end, z_bar) and torch.equal(class_end, class_bar)
    assert class_bar.tolist() == [1]  # the bar's class: "one"
    assert not torch.allclose(z_bar, z_ring)


def test_a_missing_or_broken_end_picture_is_a_clear_error(model, tmp_path):
    with pytest.raises(ValueError, match="choose the picture"):
        run(model, "interpolate", end="file")
    with pytest.raises(ValueError, match="End image: '.*gone.png' does not exist"):
        run(model, "interpolate", end="file", end_image=str(tmp_path / "gone.png"))
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    with pytest.raises(ValueError, match="End image: 'broken.png'"):
        run(model, "interpolate", end="file", end_image=str(broken))


def test_the_middle_of_an_edit_strip_is_the_reconstruction(model, canvas):
    frames = run(model, "edit", 0, canvas[0], steps=3, amount=3.0, output_size="model")
    [plain] = run(model, "reconstruct", 0, canvas[0], output_size="model")
    assert np.abs(frames[1].astype(int) - plain).max() <= 1


def test_auto_class_picks_the_class_that_explains_the_image(model):
    images, _ = toy_images(2)  # ring, bar
    pixels = ((images + 1) * 127.5).round().to(torch.uint8)[:, 0].numpy()
    for label, gray in enumerate(pixels):
        x = likelihood.quantise(torch.from_numpy(gray).float()[None, None] / 127.5 - 1)
        assert int(model._best_class(x)) == label


def test_inpaint_changes_only_the_masked_pixels(model, canvas):
    image, mask = canvas
    previews = []
    control = JobControl(lambda event: previews.append(event.preview) if event.preview is not None else None)
    out = run(model, "inpaint", 1, image, mask, control, steps=16, count=2, context_margin=6)
    assert len(out) == 2
    for result in out:
        assert result.shape == image.shape and result.dtype == np.uint8
        assert np.array_equal(result[mask == 0], image[mask == 0])
        assert not np.array_equal(result[mask > 0], image[mask > 0])
    assert previews and all(p.shape == image.shape for p in previews)
    again = run(model, "inpaint", 1, image, mask, steps=16, count=2, context_margin=6)
    assert np.array_equal(again[1], out[1])  # seeded


def test_inpaint_completes_a_known_shape(model):
    """The lower half of the bar hidden: the fit must bring the bar back, not the ring."""
    images, _ = toy_images(2)
    bar = np.repeat(((images[1, 0] + 1) * 127.5).round().to(torch.uint8).numpy()[..., None], 3, axis=2)
    mask = np.zeros((SIZE, SIZE), np.uint8)
    mask[9:, :] = 255
    [out] = run(model, "inpaint", 0, bar, mask, steps=60, lr=0.1, context_margin=16, **{"class": "one"})
    hole = mask > 0
    error = np.abs(out[hole].astype(int) - bar[hole]).mean()
    baseline = np.abs(out[hole].astype(int) * 0 + 128 - bar[hole]).mean()
    assert error < baseline


def test_cancel_mid_inpaint(model, canvas):
    image, mask = canvas
    seen = []

    def on_progress(event):
        seen.append(event.fraction)
        if len(seen) == 4:
            control.cancel()

    control = JobControl(on_progress)
    with pytest.raises(JobCancelled):
        run(model, "inpaint", 0, image, mask, control, steps=300)
    assert len(seen) == 4
