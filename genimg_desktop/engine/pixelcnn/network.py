"""The Gated PixelCNN network and its configuration (what goes into the model card's `config`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import torch
from torch import nn

from genimg_desktop.engine.pixelcnn.heads import LN2, levels_to_unit, make_head
from genimg_desktop.engine.pixelcnn.layers import GatedLayer

DEFAULT_CLASS_DROPOUT = 0.1  # the share classifier-free guidance papers use (Ho & Salimans: 0.1-0.2)


@dataclass(frozen=True)
class PixelCNNConfig:
    """Architecture hyperparameters; `to_dict()` is the card's `config`, `from_dict` reads it back."""

    size: int  # square side in pixels
    channels: int = 1  # 1 gray, 3 RGB
    num_classes: int = 0  # 0: unconditional
    layers: int = 12  # gated layers (each adds kernel // 2 to the receptive field in every direction)
    hidden: int = 64  # feature maps per stack
    kernel: int = 3  # kernel of layers 2..n
    first_kernel: int = 7  # the first layer sees a wider neighbourhood, as in the paper
    head: str = "softmax"  # "softmax" (gray only) or "logistic" (mixture, gray or colour)
    mixtures: int = 5  # logistic components (logistic head only)
    # Share of training images shown without their class (label -1), so that the same network also
    # learns the unconditional p(x): classifier-free guidance needs both. 0: plain conditional.
    class_dropout: float = 0.0
    # Regularisers for small sets (1676 emoji overfit a wide network within a few hundred epochs):
    # dropout inside each gated layer's residual branch (as PixelCNN++), and the share of training
    # images shown mirrored left-right. Both act in training only; sampling and likelihoods ignore them.
    dropout: float = 0.0
    flip: float = 0.0

    def __post_init__(self) -> None:
        if self.size < 2 or self.channels not in (1, 3) or self.num_classes < 0:
            raise ValueError(f"PixelCNN needs size >= 2, 1 or 3 channels (got {self.size}, {self.channels})")
        if self.layers < 1 or self.hidden < 1:
            raise ValueError("PixelCNN needs at least 1 layer and 1 hidden channel")
        if not 0.0 <= self.class_dropout < 1.0:
            raise ValueError("class_dropout must be from 0 to below 1")
        if not 0.0 <= self.dropout < 1.0 or not 0.0 <= self.flip <= 1.0:
            raise ValueError("dropout must be from 0 to below 1 and flip from 0 to 1")
        if self.kernel < 1 or self.kernel % 2 == 0 or self.first_kernel < 1 or self.first_kernel % 2 == 0:
            raise ValueError("PixelCNN kernel sizes must be odd")
        make_head(self.head, self.channels, self.mixtures)  # raises for a head that cannot model this

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> PixelCNNConfig:
        """Build from a card's config or `--set` strings; unknown keys are an error (a typo would
        otherwise train the wrong model silently)."""
        known = [f.name for f in fields(cls)]
        unknown = set(values) - set(known)
        if unknown:
            names = ", ".join(sorted(unknown))
            raise ValueError(f"unknown PixelCNN setting(s) {names}; known: {', '.join(known)}")
        kinds = {"head": str, "class_dropout": float, "dropout": float, "flip": float}
        return cls(**{k: kinds.get(k, int)(v) for k, v in values.items()})

    @classmethod
    def for_data(
        cls, channels: int, size: int, num_classes: int, overrides: Mapping[str, Any]
    ) -> PixelCNNConfig:
        """Defaults for a dataset: softmax for gray, a logistic mixture for colour, and for a model
        with classes 10% class dropout, so that it can be sampled with class guidance; `overrides` win."""
        base: dict[str, Any] = {"size": size, "channels": channels, "num_classes": num_classes}
        base["head"] = "softmax" if channels == 1 else "logistic"
        base["class_dropout"] = DEFAULT_CLASS_DROPOUT if num_classes else 0.0
        return cls.from_dict({**base, **overrides})


class PixelCNN(nn.Module):
    """Conditional Gated PixelCNN: image (B, C, H, W) in [-1, 1] -> head parameters (B, O, H, W),
    where the output at pixel i depends only on pixels before i in raster order."""

    def __init__(self, config: PixelCNNConfig) -> None:
        super().__init__()
        self.config = config
        self.head = make_head(config.head, config.channels, config.mixtures)
        cin = config.channels + 1  # + a constant plane, so zero padding differs from a mid-gray image
        self.layers = nn.ModuleList(
            GatedLayer(
                cin if i == 0 else config.hidden,
                config.hidden,
                config.first_kernel if i == 0 else config.kernel,
                config.num_classes,
                first=i == 0,
                dropout=config.dropout,
            )
            for i in range(config.layers)
        )
        self.out = nn.Sequential(
            nn.ReLU(),
            nn.Conv2d(config.hidden, config.hidden, 1),
            nn.ReLU(),
            nn.Conv2d(config.hidden, self.head.out_channels, 1),
        )

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        x = torch.cat([x, torch.ones_like(x[:, :1])], dim=1)  # (B, C + 1, H, W)
        v = h = x
        for layer in self.layers:
            v, h = layer(v, h, labels)
        return self.out(h)  # (B, O, H, W)

    def log_prob_map(self, levels: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """log p(pixel | earlier pixels, class) in nats, (B, H, W), for levels (B, C, H, W) int64."""
        return self.head.log_prob(self(levels_to_unit(levels), labels), levels)

    def bits_per_dim(self, levels: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Mean negative log-likelihood in bits per sub-pixel of the batch (a scalar, differentiable)."""
        return -self.log_prob_map(levels, labels).mean() / (LN2 * self.config.channels)
