"""The GAN's hyperparameters: the architecture (rebuilt from the card's `config`) and the recipe."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from genimg_desktop.core.model_card import ModelCard
from genimg_desktop.engine.gan.augment import parse_policy
from genimg_desktop.engine.latent_common import check_card, config_from_mapping, stage_plan

MAX_DIRECTION_SAMPLES = 65_536


@dataclass(frozen=True)
class GanConfig:
    resolution: int = 32
    channels: int = 1
    num_classes: int = 1
    # architecture
    z_dim: int = 128  # Gaussian latent
    w_dim: int = 128  # output of the mapping MLP; GANSpace directions live here
    mapping_layers: int = 2
    embed_dim: int = 64  # shared class embedding feeding every conditional batchnorm
    # Channels at full resolution, doubled per stage down to max_width. Sized for CPU training
    # (~13M multiply-adds per 28x28 image in each network); widen on a GPU.
    g_width: int = 32
    d_width: int = 32
    max_width: int = 256
    style_from_w: bool = False  # w also feeds every conditional batchnorm (see networks.Generator)
    mbstd_group: int = 4  # critic compares groups of this many images (minibatch stddev); 1: off
    # recipe
    beta1: float = 0.5  # SNGAN's setting for n_dis = 1; beta1 = 0 learnt visibly slower on CPU budgets
    beta2: float = 0.999
    d_lr_scale: float = 1.0  # D learning rate = lr * d_lr_scale
    ema_decay: float = 0.999
    r1_gamma: float = 0.0  # 0: no R1 penalty (spectral norm already bounds D); > 0: lazy R1
    r1_every: int = 4
    # Small data sets (a few thousand images or fewer): DiffAugment of everything the critic sees,
    # e.g. "translation,cutout,color" (engine.gan.augment), and class-sorted batches so that each
    # minibatch-stddev group holds one class and the critic can see a class collapsing.
    augment: str = ""
    class_groups: bool = False
    # Weight of the mode-seeking term (engine.gan.diversity, MSGAN) in the generator's loss; 0: off.
    # The Fashion-MNIST GAN trained without it drew every sandal alike (genimg eval's recall showed it).
    diversity: float = 0.0
    # inference
    directions: int = 10  # GANSpace components offered
    direction_samples: int = 4096

    def __post_init__(self) -> None:
        stage_plan(self.resolution)  # raises for a side the networks cannot build
        if self.channels not in (1, 3):
            raise ValueError(f"channels must be 1 or 3, not {self.channels}")
        parse_policy(self.augment)  # raises for an unknown augmentation
        if self.num_classes < 1 or self.mapping_layers < 1:
            raise ValueError("num_classes and mapping_layers must be at least 1")
        # The directions are found from this many mapped latents when the model loads: memory no
        # weights file bounds, so the card's number is bounded here.
        if not 1 <= self.direction_samples <= MAX_DIRECTION_SAMPLES:
            raise ValueError(f"direction_samples must be from 1 to {MAX_DIRECTION_SAMPLES}")

    @classmethod
    def from_card(cls, card: ModelCard) -> GanConfig:
        # Lenient on keys a newer version may add; strict on what the network needs to be rebuilt.
        config = config_from_mapping(cls, card.config, strict=False)
        check_card(card, config.resolution, config.channels, config.num_classes)
        return config

    def to_card(self) -> dict[str, Any]:
        return asdict(self)
