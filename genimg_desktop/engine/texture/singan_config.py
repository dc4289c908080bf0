"""The multi-scale single-picture GAN's settings (SinGAN, Shaham, Dekel and Michaeli 2019, compact):
the pyramid and its small generators (rebuilt from the card's `config`) and the training recipe
(`--set key=value` overrides any of them)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from genimg_desktop.engine.latent_common import config_from_mapping

ARCH_KEYS = ("scales", "min_side", "width", "layers", "train_size")

RECIPE = """Multi-scale single-picture GAN (SinGAN, Shaham, Dekel and Michaeli 2019), compact: a
pyramid of `scales` copies of the picture from `min_side` px up to the training size, one small fully
convolutional generator per scale (`layers` 3x3 convolutions of `width` channels, LeakyReLU, tanh; it
adds detail to the coarser scale's picture, enlarged, plus noise) and one patch critic per scale
(spectral-normalised 3x3 convolutions, an 11 px patch), trained coarse to fine, each scale for an
equal share of the steps (up to 8 updates a step at the cheap coarse scales, which decide the layout)
while the coarser ones stay frozen: hinge loss against the picture at that
scale, plus 10x the squared error of reconstructing it from one fixed noise map (which sets each
scale's noise level: 0.1 x the error its input has). Each scale starts from the one below's weights;
Adam (0.5, 0.999), the rate dropping 10x over the last fifth of each scale. Noise at the coarsest
scale decides the layout, so new noise gives variations of the whole picture, and a pyramid of
another aspect ratio draws the picture's content at that shape."""


@dataclass(frozen=True)
class SinGanConfig:
    scales: int = 5
    min_side: int = 24  # the coarsest scale's side, px: the generators' 11 px reach covers half of it
    width: int = 32  # channels of every generator and critic layer
    layers: int = 5  # 3x3 convolutions per generator and critic
    train_size: int = 0  # the finest scale's side (the trainer sets it from --size)
    rec_weight: float = 10.0
    noise_amp: float = 0.1  # a scale's noise level, relative to the error of its enlarged input
    lr_drop: float = 0.8  # the fraction of a scale's steps after which the rate falls 10x
    # Up to this many critic + generator updates per step at a coarse scale: one there costs 1/100 of
    # one at the finest, and the coarse scales decide the layout (see repeats()).
    coarse_repeats: int = 8
    beta1: float = 0.5
    beta2: float = 0.999

    def __post_init__(self) -> None:
        if (
            self.scales < 1
            or self.layers < 3
            or self.width < 1
            or self.min_side < 8
            or self.coarse_repeats < 1
        ):
            raise ValueError(
                "SinGAN needs scales >= 1, layers >= 3, width >= 1, min_side >= 8 and coarse_repeats >= 1"
            )
        if self.train_size and self.train_size < self.min_side:
            raise ValueError(f"--size {self.train_size} is below the coarsest scale's {self.min_side} px")

    @property
    def factor(self) -> float:
        """Each scale's size over the next finer one's."""
        if self.scales == 1:
            return 1.0
        return (self.min_side / self.train_size) ** (1 / (self.scales - 1))

    def sizes(self, width: int, height: int) -> list[tuple[int, int]]:
        """(height, width) of each scale, coarsest first, for a picture of width x height px."""
        return [
            (max(4, round(height * self.factor**k)), max(4, round(width * self.factor**k)))
            for k in reversed(range(self.scales))
        ]

    def repeats(self, k: int) -> int:
        """Updates per step at scale k: half the finest scale's area over its own, 1 to coarse_repeats,
        so a coarse step costs at most about half a fine one."""
        ratio = self.factor ** (2 * (self.scales - 1 - k))
        return max(1, min(self.coarse_repeats, round(0.5 / ratio)))

    def to_card(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_mapping(cls, values: dict[str, Any], strict: bool = True) -> SinGanConfig:
        return config_from_mapping(cls, values, strict)
