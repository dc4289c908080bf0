"""Tiny real upscale and restore networks for tests, until (and beside) the shipped ones: seeded random
weights saved as safetensors with a card, their architectures registered in
engine/restore/architectures.py for the test only (`registered` fixture helpers use monkeypatch).

TinySR enlarges by bilinear interpolation plus a learned-shape residual (two 3x3 convolutions and a
pixel shuffle), so its output looks like the input enlarged; TinyDenoise takes a noise-level map
(FFDNet-style) and subtracts a residual scaled by it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from torch import nn

from genimg_desktop.engine.restore import architectures

SR_ARCH = "test-tiny-sr"
DENOISE_ARCH = "test-tiny-denoise"
BLIND_ARCH = "test-tiny-blind"
FOLD_ARCH = "test-tiny-fold"


class TinySR(nn.Module):
    def __init__(self, scale: int, width: int = 8) -> None:
        super().__init__()
        self.scale = scale
        self.body = nn.Sequential(
            nn.Conv2d(3, width, 3, padding=1), nn.ReLU(), nn.Conv2d(width, 3 * scale * scale, 3, padding=1)
        )

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        base = F.interpolate(image, scale_factor=self.scale, mode="bilinear", align_corners=False)
        return base + 0.05 * F.pixel_shuffle(self.body(image), self.scale)


class TinyDenoise(nn.Module):
    takes_noise_level = True

    def __init__(self, width: int = 8) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(4, width, 3, padding=1), nn.ReLU(), nn.Conv2d(width, 3, 3, padding=1)
        )

    def forward(self, image: torch.Tensor, level: torch.Tensor) -> torch.Tensor:
        return image - level * 0.2 * torch.tanh(self.body(torch.cat([image, level], 1)))


class TinyBlind(nn.Module):
    """A blind restorer: a 3x3 smoothing with a learned-shape residual (no noise-level input)."""

    def __init__(self, width: int = 8) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(3, width, 3, padding=1), nn.ReLU(), nn.Conv2d(width, 3, 3, padding=1)
        )

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        smooth = F.avg_pool2d(F.pad(image, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
        return smooth + 0.02 * self.body(image)


class TinyFold(nn.Module):
    """Folds 2x2 pixels into channels (as pixel-unshuffle restorers do): needs even sides and tiles
    on the even grid (`size_multiple`)."""

    size_multiple = 2

    def __init__(self, width: int = 8) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(12, width, 3, padding=1), nn.ReLU(), nn.Conv2d(width, 12, 3, padding=1)
        )

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return image + 0.05 * F.pixel_shuffle(self.body(F.pixel_unshuffle(image, 2)), 2)


BUILDERS = {
    FOLD_ARCH: lambda config: TinyFold(int(config.get("width", 8))),
    SR_ARCH: lambda config: TinySR(int(config["scale"]), int(config.get("width", 8))),
    DENOISE_ARCH: lambda config: TinyDenoise(int(config.get("width", 8))),
    BLIND_ARCH: lambda config: TinyBlind(int(config.get("width", 8))),
}


def register(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tiny architectures in the registry for this test only."""
    for name, build in BUILDERS.items():
        monkeypatch.setitem(architectures.ARCHITECTURES, name, build)


def install(folder: Path, model_id: str, family: str, config: Mapping[str, Any], name: str = "") -> Path:
    """A seeded random network of `config["architecture"]` saved with its card in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    net = BUILDERS[config["architecture"]](config)
    weights = folder / f"{model_id}.safetensors"
    save_file({key: value.contiguous() for key, value in net.state_dict().items()}, str(weights))
    card = {
        "id": model_id,
        "name": name or model_id,
        "family": family,
        "weights": weights.name,
        "config": dict(config),
        "licence": "test",
        "sha256": hashlib.sha256(weights.read_bytes()).hexdigest(),
    }
    path = folder / f"{model_id}.json"
    path.write_text(json.dumps(card), encoding="utf-8")
    return path


def install_all(folder: Path) -> None:
    """x2 and x4 upscalers, an FFDNet-style, a blind and a 2x2-folding restorer."""
    install(folder, "tiny-up-x2", "upscale", {"architecture": SR_ARCH, "scale": 2}, "Tiny x2")
    install(folder, "tiny-up-x4", "upscale", {"architecture": SR_ARCH, "scale": 4}, "Tiny x4")
    install(folder, "tiny-denoise", "restore", {"architecture": DENOISE_ARCH, "scale": 1}, "Tiny denoise")
    install(folder, "tiny-blind", "restore", {"architecture": BLIND_ARCH, "scale": 1}, "Tiny blind")
    install(folder, "tiny-fold", "restore", {"architecture": FOLD_ARCH, "scale": 1}, "Tiny fold")
