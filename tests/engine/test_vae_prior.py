"""The VAE's fitted latent prior: the per-class mixture, the trainer's fit after the last step, and
the app model drawing from it (older models without one keep N(0, I))."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

from genimg_desktop.core import paths
from genimg_desktop.engine.registry import ModelRegistry
from genimg_desktop.engine.training.batches import DeviceImages
from genimg_desktop.engine.training.events import TrainEvent
from genimg_desktop.engine.training.loop import train
from genimg_desktop.engine.vae.model import VaeModel
from genimg_desktop.engine.vae.prior import PREFIX, ClassMixture, fit_class_mixture
from genimg_desktop.engine.weights import ModelLoadError
from tests.engine.latent_helpers import load_installed, one_thread, run_task  # noqa: F401 (autouse)
from tests.engine.test_vae import CLASSES, toy_images
from tests.engine.training_helpers import tiny_config
from tests.support.tiny_models import VAE_TINY, install_trained
from tests.support.tiny_models import make_vae_trainer as make_trainer


def clusters(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Class 0: two tight blobs at +-(5, 5, 0); class 1: one blob at (0, -5, 5); 3-D latents."""
    g = torch.Generator().manual_seed(seed)
    centres = torch.tensor([[5.0, 5, 0], [-5, -5, 0], [0, -5, 5]])
    which = torch.tensor([0] * 60 + [1] * 60 + [2] * 40)
    x = centres[which] + 0.3 * torch.randn(len(which), 3, generator=g)
    return x, (which == 2).long()


def test_the_mixture_puts_each_class_where_its_latents_are():
    x, y = clusters()
    prior = fit_class_mixture(x, y, 2, seed=0, components=4)
    assert prior.weights.shape == (2, 4) and prior.means.shape == (2, 4, 3)
    assert torch.allclose(prior.weights.sum(dim=1), torch.ones(2))
    labels = torch.tensor([0] * 500 + [1] * 500)
    z = prior.latents(
        torch.randn(1000, 3, generator=torch.Generator().manual_seed(1)), labels, torch.Generator()
    )
    nearest = torch.cdist(z, torch.tensor([[5.0, 5, 0], [-5, -5, 0], [0, -5, 5]])).argmin(dim=1)
    # Class 0 draws land on both of its blobs and never on class 1's; class 1 only on its own.
    assert set(nearest[:500].tolist()) == {0, 1} and (nearest[500:] == 2).all()
    assert 0.35 < (nearest[:500] == 0).float().mean() < 0.65
    # Not N(0, I): the draws sit on the data, about as spread as it is.
    assert torch.cdist(z, x).min(dim=1).values.median() < 1.0


def test_temperature_zero_draws_a_components_mean_and_a_seed_repeats():
    x, y = clusters()
    prior = fit_class_mixture(x, y, 2, seed=0)
    labels = torch.zeros(6, dtype=torch.long)
    at_zero = prior.latents(torch.zeros(6, 3), labels, torch.Generator().manual_seed(3))
    assert all(any(torch.allclose(row, m) for m in prior.means[0]) for row in at_zero)
    noise = torch.randn(6, 3, generator=torch.Generator().manual_seed(0))
    first = prior.latents(noise, labels, torch.Generator().manual_seed(5))
    assert torch.equal(first, prior.latents(noise, labels, torch.Generator().manual_seed(5)))


def test_few_images_give_fewer_components_and_no_images_the_standard_normal():
    x, y = clusters()
    few = torch.cat([x[:120], x[120:125]])  # class 1 keeps five images: one component
    labels = torch.cat([torch.zeros(120), torch.ones(5)]).long()
    prior = fit_class_mixture(few, labels, 3, seed=0)  # class 2 has no image at all
    assert int((prior.weights[1] > 0).sum()) == 1
    assert torch.allclose(prior.means[1, 0], few[120:].mean(dim=0).float(), atol=1e-5)
    assert prior.weights[2, 0] == 1 and torch.equal(prior.means[2, 0], torch.zeros(3))
    assert torch.allclose(prior.scale_tril[2, 0], torch.eye(3))
    # Five 3-D points still give a proper (positive definite) covariance, held up by the pooled one.
    assert (torch.linalg.diagonal(prior.scale_tril[1, 0]) > 0.1).all()


def test_the_fit_is_seeded():
    x, y = clusters()
    a, b = fit_class_mixture(x, y, 2, seed=4), fit_class_mixture(x, y, 2, seed=4)
    assert all(torch.equal(s, t) for s, t in zip(a.tensors().values(), b.tensors().values(), strict=True))


# ---- training and the app model ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A tiny VAE trained on the toy shapes and finished (prior fitted), installed as 'prior-vae'."""
    trainer = make_trainer(tmp_path_factory.mktemp("run"))
    images, labels = toy_images(16)
    for _ in range(60):
        trainer.train_step(images, labels)
    pixels = ((images + 1) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()
    assert trainer.finish(DeviceImages(pixels, labels.numpy(), torch.device("cpu")))
    folder = tmp_path_factory.mktemp("models")
    weights = install_trained(trainer, folder, "prior-vae", "Tiny VAE", CLASSES)
    return trainer, folder, weights, images, labels


def test_finish_fits_the_prior_to_the_encoded_training_images(finished):
    trainer, _, _, images, labels = finished
    with torch.no_grad():
        mu, _ = trainer.vae.encoder(images, trainer.vae.embed(labels))
    prior = trainer.prior
    assert prior is not None
    for k in (0, 1):  # each class's mixture mean is its images' mean latent
        mean = (prior.weights[k, :, None] * prior.means[k]).sum(dim=0)
        assert torch.allclose(mean, mu[labels == k].mean(dim=0), atol=1e-3)
    weights, card = trainer.export()
    assert {f"{PREFIX}weights", f"{PREFIX}means", f"{PREFIX}scale_tril"} <= set(weights)
    assert "mixture per class" in card["latent_prior"]


def test_the_app_samples_from_the_prior(finished):
    _, folder, _, _, _ = finished
    model = load_installed(folder, "prior-vae", VaeModel)
    assert model._prior is not None
    params = {"count": 3, "class": "one"}
    first = run_task(model, "prior-vae", "sample", 7, None, None, None, params)
    again = run_task(model, "prior-vae", "sample", 7, None, None, None, params)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    x = model.sample_tensor(4, 0, torch.Generator().manual_seed(0))
    assert x.shape == (4, 1, 16, 16) and torch.equal(
        x, model.sample_tensor(4, 0, torch.Generator().manual_seed(0))
    )
    frames = run_task(
        model, "prior-vae", "interpolate", 1, None, None, None, {"frames": 3, "class_b": "zero"}
    )
    assert len(frames) == 3


def test_a_model_without_a_prior_still_loads_and_draws_from_the_standard_normal(finished, tmp_path):
    _, folder, weights, _, _ = finished
    state = {k: v for k, v in load_file(str(weights)).items() if not k.startswith(PREFIX)}
    old = _rewrite(folder, tmp_path, "old-vae", state)
    model = load_installed(old, "old-vae", VaeModel)
    assert model._prior is None
    z = torch.randn(2, 6, generator=torch.Generator().manual_seed(0))
    assert torch.equal(model._latents(z, torch.zeros(2, dtype=torch.long), 0.5, torch.Generator()), z * 0.5)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.pop(f"{PREFIX}means"), "incomplete"),
        (lambda s: s.update({f"{PREFIX}means": s[f"{PREFIX}means"][:, :, :2]}), "shapes"),
        (lambda s: s.update({f"{PREFIX}weights": -s[f"{PREFIX}weights"]}), "weights"),
        (lambda s: s[f"{PREFIX}scale_tril"].view(-1)[0].fill_(float("nan")), "not finite"),
    ],
)
def test_a_broken_prior_is_a_clear_load_error(finished, tmp_path, change, message):
    _, folder, weights, _, _ = finished
    state = load_file(str(weights))
    change(state)
    broken = _rewrite(folder, tmp_path, "broken-vae", state)
    with pytest.raises(ModelLoadError, match=message):
        ModelRegistry([(broken, False)]).load("broken-vae", "cpu")


def test_the_mixture_round_trips_through_its_tensors():
    x, y = clusters()
    prior = fit_class_mixture(x, y, 2, seed=0)
    again = ClassMixture.from_tensors({**prior.tensors(), "decoder.stem.weight": torch.zeros(1)})
    assert again is not None and torch.equal(again.means, prior.means)
    assert ClassMixture.from_tensors({"decoder.stem.weight": torch.zeros(1)}) is None


@pytest.mark.usefixtures("shared_dataset_cache")
def test_a_training_run_ships_the_prior_and_a_grid_drawn_from_it(tmp_path):
    run = tmp_path / "run"
    config = tiny_config(run, family="vae", extra=dict(VAE_TINY), model_id="run-vae", steps=4)
    events: list[TrainEvent] = []
    card_path = train(config, events.append)
    assert [e.kind for e in events][-2:] == ["sample", "done"]  # the grid drawn again from the prior
    card = json.loads(card_path.read_text(encoding="utf-8"))
    weights = load_file(str(card_path.with_suffix(".safetensors")))
    assert f"{PREFIX}scale_tril" in weights and "mixture per class" in card["config"]["latent_prior"]
    grid = run / "samples" / "step_000004.png"
    assert (paths.user_models_dir() / card["samples"]).read_bytes() == grid.read_bytes()
    # Run again at its last step: no steps, the same prior fitted again, the same files.
    grid.unlink()
    train(config)
    again = load_file(str(card_path.with_suffix(".safetensors")))
    assert all(torch.equal(weights[k], again[k]) for k in weights) and grid.is_file()


def _rewrite(folder, tmp_path, model_id: str, state: dict[str, torch.Tensor]):
    """A copy of 'prior-vae' as `model_id` with other weights (the card's sha256 updated)."""
    import hashlib

    out = tmp_path / model_id
    out.mkdir()
    path = out / f"{model_id}.safetensors"
    save_file({k: v.contiguous() for k, v in state.items()}, str(path))
    card = json.loads((folder / "prior-vae.json").read_text(encoding="utf-8"))
    card.update(id=model_id, weights=path.name, sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    (out / f"{model_id}.json").write_text(json.dumps(card), encoding="utf-8")
    return out
