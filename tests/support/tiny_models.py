"""Tiny GAN, VAE and PixelCNN models for tests: trainers small enough to step in a blink on a CPU, and
installing one (weights + card) into a models folder the way `genimg train` does at the end.

Shared by the family tests (tests/engine/test_gan.py, test_vae.py, test_pixelcnn_model.py) and the
CLI tests, so the tiny configurations live in one place.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save_file

from genimg_desktop.engine.gan.trainer import GanTrainer
from genimg_desktop.engine.pixelcnn.trainer import PixelCNNTrainer
from genimg_desktop.engine.training.family_trainer import DataInfo, TrainConfig
from genimg_desktop.engine.vae.trainer import VaeTrainer

GAN_CLASSES = ("circle", "square", "star")
GAN_SIZE = 16
GAN_TINY = {
    "z_dim": 16,
    "w_dim": 16,
    "mapping_layers": 1,
    "embed_dim": 8,
    "g_width": 8,
    "d_width": 8,
    "max_width": 16,
    "directions": 4,
    "direction_samples": 256,
    "r1_gamma": 1.0,
    "r1_every": 2,
}

VAE_CLASSES = ("zero", "one")
VAE_SIZE = 16
VAE_TINY = {"z_dim": 6, "embed_dim": 4, "width": 8, "max_width": 16, "directions": 4}

PIXELCNN_CLASSES = ("top", "shoe", "bag")
PIXELCNN_SIZE = 8
PIXELCNN_TINY = {"layers": 2, "hidden": 8, "kernel": 3, "first_kernel": 3}


def make_gan_trainer(tmp: Path, **extra: Any) -> GanTrainer:
    """A colour GAN at 16x16 over GAN_CLASSES (seeded: the same weights every time)."""
    config = TrainConfig(
        family="gan", data="toy", size=GAN_SIZE, out=tmp, lr=2e-4, batch_size=8, extra={**GAN_TINY, **extra}
    )
    torch.manual_seed(0)
    return GanTrainer(config, DataInfo(3, GAN_SIZE, GAN_CLASSES, "toy"), torch.device("cpu"))


def make_vae_trainer(tmp: Path, **extra: Any) -> VaeTrainer:
    """A gray VAE at 16x16 over VAE_CLASSES (seeded)."""
    config = TrainConfig(
        family="vae", data="toy", size=VAE_SIZE, out=tmp, lr=3e-3, extra={**VAE_TINY, **extra}
    )
    torch.manual_seed(0)
    return VaeTrainer(config, DataInfo(1, VAE_SIZE, VAE_CLASSES, "toy"), torch.device("cpu"))


def make_pixelcnn_trainer(channels: int, tmp: Path, **extra: Any) -> PixelCNNTrainer:
    """A PixelCNN at 8x8 over PIXELCNN_CLASSES, gray (1) or colour (3) (seeded)."""
    torch.manual_seed(0)
    settings = {**PIXELCNN_TINY, **({"mixtures": 2} if channels == 3 else {}), **extra}
    config = TrainConfig(family="pixelcnn", data="tiny", size=PIXELCNN_SIZE, out=tmp, lr=3e-3, extra=settings)
    data = DataInfo(channels, PIXELCNN_SIZE, PIXELCNN_CLASSES, "tiny")
    return PixelCNNTrainer(config, data, torch.device("cpu"))


def install_trained(trainer: Any, folder: Path, model_id: str, name: str, classes: tuple[str, ...]) -> Path:
    """What `genimg train` does at the end: weights + card into a models folder. Returns the weights."""
    folder.mkdir(parents=True, exist_ok=True)
    weights, config = trainer.export()
    path = folder / f"{model_id}.safetensors"
    save_file(weights, str(path))
    card = {
        "id": model_id,
        "name": name,
        "family": trainer.config.family,
        "weights": path.name,
        "resolution": trainer.config.size,
        "channels": trainer.data.channels,
        "class_names": list(classes),
        "config": config,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }
    (folder / f"{model_id}.json").write_text(json.dumps(card), encoding="utf-8")
    return path


def export_pixelcnn(trainer: PixelCNNTrainer, folder: Path, model_id: str) -> Path:
    return install_trained(trainer, folder, model_id, "Tiny PixelCNN", PIXELCNN_CLASSES)


def install_untrained(family: str, folder: Path, model_id: str) -> Path:
    """A random-weight tiny model of `family` ("gan", "vae" or "pixelcnn", gray) in `folder`: enough to
    run every task through the registry when the pictures themselves do not matter."""
    run_dir = folder / f".{model_id}-run"  # trainers want an output folder; nothing is written there
    if family == "gan":
        return install_trained(make_gan_trainer(run_dir), folder, model_id, "Tiny GAN", GAN_CLASSES)
    if family == "vae":
        return install_trained(make_vae_trainer(run_dir), folder, model_id, "Tiny VAE", VAE_CLASSES)
    if family == "pixelcnn":
        return export_pixelcnn(make_pixelcnn_trainer(1, run_dir), folder, model_id)
    raise ValueError(f"no tiny {family} model")
