"""The Gated PixelCNN network and its configuration (what goes into the model card's `config`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from genimg_desktop.engine.pixelcnn.heads import LN2, levels_to_unit, make_head, unit_to_levels
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
    # Two scales (as the multiscale PixelCNNs of Reed et al. 2017): with context = s > 0 a small PixelCNN
    # (the prior: prior_layers x prior_hidden) first draws the picture at s x s, the average of each
    # block, and every gated layer at full size is then biased per position by features of that whole
    # small picture (context_hidden maps). A few layers' receptive field sees only the rows just above
    # a pixel; the small picture gives it the layout of the whole image (where the face, the flag is).
    context: int = 0
    prior_layers: int = 8
    prior_hidden: int = 32
    context_hidden: int = 32

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
        if self.context and not (2 <= self.context < self.size and self.size % self.context == 0):
            raise ValueError(f"context must be 0 or a divisor of size {self.size} from 2 to below it")
        if self.context and min(self.prior_layers, self.prior_hidden, self.context_hidden) < 1:
            raise ValueError("a two-scale PixelCNN needs prior_layers, prior_hidden and context_hidden >= 1")
        make_head(self.head, self.channels, self.mixtures)  # raises for a head that cannot model this

    @property
    def factor(self) -> int:
        """Pixels per side of one context block (1 without a context)."""
        return self.size // self.context if self.context else 1

    def prior_config(self) -> PixelCNNConfig:
        """The small picture's own PixelCNN: same channels, classes and head, single scale."""
        return replace(
            self, size=self.context, layers=self.prior_layers, hidden=self.prior_hidden, context=0, flip=0.0
        )

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
                context=config.context_hidden if config.context else 0,
            )
            for i in range(config.layers)
        )
        self.prior = PixelCNN(config.prior_config()) if config.context else None
        self.context_net = _context_encoder(config) if config.context else None
        self.out = nn.Sequential(
            nn.ReLU(),
            nn.Conv2d(config.hidden, config.hidden, 1),
            nn.ReLU(),
            nn.Conv2d(config.hidden, self.head.out_channels, 1),
        )

    def forward(
        self, x: torch.Tensor, labels: torch.Tensor | None = None, features: torch.Tensor | None = None
    ) -> torch.Tensor:
        """x (B, C, H, W): the whole image, or its first H rows when sampling. A two-scale network takes
        `features` = context_features(small picture) (B, K, size, size), cropped here to x's rows; for
        a whole image they may be left out, and come from the image's own small picture (training and
        likelihoods: the small picture is a function of the image)."""
        if self.context_net is not None and features is None:
            if x.shape[2] != self.config.size:
                raise ValueError("a two-scale PixelCNN needs context features for a partial image")
            features = self.context_features(self.downsample(unit_to_levels(x)))
        features = None if features is None else features[:, :, : x.shape[2]]
        x = torch.cat([x, torch.ones_like(x[:, :1])], dim=1)  # (B, C + 1, H, W)
        v = h = x
        for layer in self.layers:
            v, h = layer(v, h, labels, features)
        return self.out(h)  # (B, O, H, W)

    def downsample(self, levels: torch.Tensor) -> torch.Tensor:
        """Levels (B, C, S, S) -> the small picture's levels (B, C, s, s): each block's rounded mean."""
        return F.avg_pool2d(levels.float(), self.config.factor).round().long()

    def context_features(self, small: torch.Tensor) -> torch.Tensor:
        """Small picture levels (B, C, s, s) -> context features (B, K, S, S) for every gated layer."""
        assert self.context_net is not None, "a single-scale PixelCNN has no context"
        return self.context_net(levels_to_unit(small, self.out[1].weight.dtype))

    def prior_log_prob_map(self, levels: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor | None:
        """log p(small picture | class) in nats spread evenly over each block's pixels (B, S, S), so
        that the sum over the image is log p(small) + log p(image | small); None for a single scale.
        Summed, that is a lower bound on log p(image) of the two-scale model (one of the small pictures
        that could have led to the image), so its bits/dim is an upper bound."""
        if self.prior is None:
            return None
        factor = self.config.factor
        small = self.prior.log_prob_map(self.downsample(levels), labels)  # (B, s, s)
        return small.repeat_interleave(factor, 1).repeat_interleave(factor, 2) / factor**2

    def log_prob_map(self, levels: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """log p(pixel | earlier pixels, class) in nats, (B, H, W), for levels (B, C, H, W) int64 (for a
        two-scale network plus its share of the small picture's, see `prior_log_prob_map`)."""
        return self.log_prob_from(self(levels_to_unit(levels), labels), levels, labels)

    def log_prob_from(
        self, out: torch.Tensor, levels: torch.Tensor, labels: torch.Tensor | None
    ) -> torch.Tensor:
        """`log_prob_map` given this network's output `out` for levels (one forward pass for both)."""
        with torch.autocast(out.device.type, enabled=False):  # the head's logs and sums in float32
            log_map = self.head.log_prob(out.float(), levels)
        prior = self.prior_log_prob_map(levels, labels)
        return log_map if prior is None else log_map + prior

    def bits_per_dim(self, levels: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Mean negative log-likelihood in bits per sub-pixel of the batch (a scalar, differentiable)."""
        return -self.log_prob_map(levels, labels).mean() / (LN2 * self.config.channels)


def _context_encoder(config: PixelCNNConfig) -> nn.Sequential:
    """Small picture (B, C, s, s) in [-1, 1] -> features (B, K, S, S). Bilinear upsampling so that
    positions inside a block differ (nearest would give all 4x4 pixels of a block the same bias)."""
    width = config.context_hidden
    return nn.Sequential(
        nn.Conv2d(config.channels, width, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(width, width, 3, padding=1),
        nn.ReLU(),
        nn.Upsample(scale_factor=config.factor, mode="bilinear", align_corners=False),
        nn.Conv2d(width, width, 3, padding=1),
        nn.ReLU(),
    )
