"""The texture GAN's hyperparameters: the architecture (rebuilt from the card's `config`) and the
training recipe (`--set key=value` overrides any of them)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from genimg_desktop.engine.latent_common import config_from_mapping

ARCH_KEYS = ("local_dim", "global_dim", "periodic_dim", "widths", "wave_hidden")


@dataclass(frozen=True)
class TextureConfig:
    # architecture: the noise field's channels per cell, then the generator's widths, one per
    # resolution from the field's (1/16 of the output) up to 1/2; each step up doubles the size.
    local_dim: int = 24
    global_dim: int = 16
    periodic_dim: int = 4
    widths: str = "128,64,32,16"
    wave_hidden: int = 32  # hidden units of the MLP: global noise -> wave vectors
    d_width: int = 32  # critic channels at its first layer, doubled per stride-2 layer
    d_layers: int = 4  # stride-2 layers of the critic: its patch is about 6 * 2**d_layers px
    # recipe
    crop: int = 128  # training crop side (a multiple of the stride)
    beta1: float = 0.5
    beta2: float = 0.999
    ema_decay: float = 0.999
    # Weight of the multi-scale patch statistics loss (patch_stats.py) beside the critic's: it pulls the
    # colours and small-scale patches to the real ones from the first steps, which on a CPU budget
    # the critic alone takes thousands of steps to do; 0 turns it off.
    patch_loss: float = 10.0
    flip: bool = True  # mirror crops left-right at random (off for textures with a handedness)

    def __post_init__(self) -> None:
        widths = self.width_list()
        if len(widths) < 1 or min(widths) < 1 or self.local_dim < 1:
            raise ValueError("texture config needs at least one width and local_dim >= 1")
        if self.global_dim < 0 or self.periodic_dim < 0 or (self.periodic_dim and not self.global_dim):
            raise ValueError("periodic channels need global noise (global_dim >= 1) to draw their waves")
        if self.crop % self.stride or self.crop < self.stride:
            raise ValueError(f"crop must be a positive multiple of the stride {self.stride}")

    def width_list(self) -> list[int]:
        return [int(w) for w in self.widths.split(",") if w.strip()]

    @property
    def stride(self) -> int:
        """Output pixels per noise cell (each width but the first adds one 2x step, the last one too)."""
        return 2 ** len(self.width_list())

    @property
    def field_dim(self) -> int:
        return self.local_dim + self.global_dim + self.periodic_dim

    def to_card(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_mapping(cls, values: dict[str, Any], strict: bool = True) -> TextureConfig:
        return config_from_mapping(cls, values, strict)
