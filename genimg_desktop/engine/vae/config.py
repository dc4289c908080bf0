"""The VAE's hyperparameters: the architecture (rebuilt from the card's `config`) and the recipe."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from genimg_desktop.core.model_card import ModelCard
from genimg_desktop.engine.latent_common import check_card, config_from_mapping, stage_plan


@dataclass(frozen=True)
class VaeConfig:
    resolution: int = 32
    channels: int = 1
    num_classes: int = 1
    # architecture
    z_dim: int = 32  # one global Gaussian latent per image
    embed_dim: int = 16  # class embedding, fed to the encoder's head and the decoder's input
    width: int = 32  # channels at full resolution, doubled per stage down to max_width
    max_width: int = 256
    # recipe
    kl_warmup: int = 0  # steps over which the KL weight rises from 0 to 1 (0: always 1, the true ELBO)
    grad_clip: float = 100.0  # gradient norm clip; a rare huge step would wreck the log-scales
    stats_momentum: float = 0.01  # running statistics of encoded training images (edit directions)
    # inference
    directions: int = 8  # principal directions of the encoded data offered by `edit`

    def __post_init__(self) -> None:
        stage_plan(self.resolution)  # raises for a side the networks cannot build
        if self.channels not in (1, 3):
            raise ValueError(f"channels must be 1 or 3, not {self.channels}")
        if self.num_classes < 1:
            raise ValueError("num_classes must be at least 1")

    @property
    def dims(self) -> int:
        """Pixel values per image: the denominator of bits/dim."""
        return self.channels * self.resolution * self.resolution

    @classmethod
    def from_card(cls, card: ModelCard) -> VaeConfig:
        # Lenient on keys a newer version may add; strict on what the network needs to be rebuilt.
        config = config_from_mapping(cls, card.config, strict=False)
        check_card(card, config.resolution, config.channels, config.num_classes)
        return config

    def to_card(self) -> dict[str, Any]:
        return asdict(self)
