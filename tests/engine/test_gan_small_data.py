"""The GAN's small-data options: DiffAugment, class-sorted batches and styles from w."""

from __future__ import annotations

import math

import pytest
import torch

from genimg_desktop.engine.gan.augment import diff_augment, parse_policy
from genimg_desktop.engine.gan.config import GanConfig
from genimg_desktop.engine.gan.model import GanModel
from genimg_desktop.engine.gan.networks import Generator
from tests.engine.latent_helpers import load_installed, one_thread  # noqa: F401 (autouse fixture)
from tests.support.tiny_models import GAN_CLASSES, GAN_SIZE, install_trained
from tests.support.tiny_models import make_gan_trainer as make_trainer

SMALL_DATA = {"augment": "translation,cutout,color", "class_groups": True, "style_from_w": True}


def test_policy_names_are_checked():
    assert parse_policy(" translation, cutout ") == ("translation", "cutout")
    assert parse_policy("") == ()
    with pytest.raises(ValueError, match="unknown augmentation"):
        parse_policy("translation,flip")
    with pytest.raises(ValueError, match="unknown augmentation"):
        GanConfig(augment="rotate")


def test_translation_moves_whole_images_by_whole_pixels():
    torch.manual_seed(0)
    x = torch.rand(16, 3, 16, 16) * 2 - 1
    out = diff_augment(x, ("translation",))
    assert out.shape == x.shape
    for original, moved in zip(x, out, strict=True):
        found = [
            (dy, dx)
            for dy in range(-2, 3)
            for dx in range(-2, 3)
            if torch.equal(
                moved[:, max(dy, 0) : 16 + min(dy, 0), max(dx, 0) : 16 + min(dx, 0)],
                original[:, max(-dy, 0) : 16 + min(-dy, 0), max(-dx, 0) : 16 + min(-dx, 0)],
            )
        ]
        assert found, "every image is its original shifted by at most 2 pixels"
    assert not torch.equal(out, x)


def test_cutout_erases_at_most_a_quarter_and_colour_keeps_shapes():
    torch.manual_seed(0)
    x = torch.ones(32, 3, 16, 16)
    cut = diff_augment(x, ("cutout",))
    erased = (cut == 0).all(dim=1).float().mean(dim=(1, 2))  # per image
    assert erased.max() <= 0.25 + 1e-6 and erased.min() > 0
    coloured = diff_augment(x.clone(), ("color",))
    assert coloured.shape == x.shape and torch.isfinite(coloured).all()


def test_augmentation_is_differentiable():
    x = torch.rand(4, 3, 16, 16, requires_grad=True)
    diff_augment(x, parse_policy("translation,cutout,color")).sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_small_data_training_steps_and_export_load(tmp_path):
    trainer = make_trainer(tmp_path / "run", **SMALL_DATA)
    images, labels = torch.rand(8, 3, GAN_SIZE, GAN_SIZE) * 2 - 1, torch.tensor([2, 0, 1, 0, 2, 1, 0, 1])
    logs = [trainer.train_step(images, labels) for _ in range(2)]
    assert all(math.isfinite(v) for log in logs for v in log.values())
    install_trained(trainer, tmp_path / "models", "tiny-gan-small", "Tiny GAN", GAN_CLASSES)
    model = load_installed(tmp_path / "models", "tiny-gan-small", GanModel)
    assert model.config.style_from_w and model.config.augment == SMALL_DATA["augment"]
    z = torch.randn(3, model.config.z_dim)
    with torch.inference_mode():
        out = model.net(z, torch.zeros(3, dtype=torch.long))
    assert out.shape == (3, 3, GAN_SIZE, GAN_SIZE)


def test_styles_from_w_reach_every_layer():
    """With style_from_w the latent changes each layer's gains: images differ even when the stem's
    input is held fixed."""
    config = GanConfig(resolution=16, channels=3, num_classes=2, style_from_w=True, z_dim=8, w_dim=8)
    g = Generator(config).eval()
    embedding = g.embed(torch.zeros(2, dtype=torch.long))
    w = torch.randn(2, 8)
    with torch.no_grad():
        same_stem = g.stem.weight.clone()
        g.stem.weight.zero_()  # the stem now ignores w: only the styles carry it
        out = g.synthesis(w, embedding)
        g.stem.weight.copy_(same_stem)
    assert not torch.allclose(out[0], out[1])


def test_channels_last_weights_give_the_same_images(tmp_path):
    """The GAN and VAE load their weights channels-last (faster CPU convolutions); the images are
    those of the default layout up to float rounding."""
    trainer = make_trainer(tmp_path / "run", style_from_w=True)
    install_trained(trainer, tmp_path / "models", "tiny-gan-cl", "Tiny GAN", GAN_CLASSES)
    model = load_installed(tmp_path / "models", "tiny-gan-cl", GanModel)
    assert model.net.to_image.weight.is_contiguous(memory_format=torch.channels_last)
    plain = Generator(model.config).eval()
    plain.load_state_dict({k: v.contiguous() for k, v in model.net.state_dict().items()})
    z, labels = torch.randn(4, model.config.z_dim), torch.tensor([0, 1, 2, 0])
    with torch.inference_mode():
        assert torch.allclose(model.net(z, labels), plain(z, labels), atol=1e-5)
