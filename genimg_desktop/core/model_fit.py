"""Whether a model can work on the open picture: the rule the model picker shows and Run checks.

A model trained on 28x28 grey Fashion-MNIST "inpaints" a colour photo with grey blobs, a 64x64 emoji
VAE "encodes" a cat photo into a blur, a 32x32 PixelCNN squashes a 451x300 photo into a square. The
card says what a model was made for (resolution, channels, data set); the picture gives its size and
whether it has colour. A model without a fixed resolution (OpenCV, the fill network) fits any size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genimg_desktop.core.model_card import ModelCard

# A picture up to this many times the model's side still works (a crop or a downscale by 2 keeps
# most of what matters); beyond it the result is the model's tiny square blown up.
SIZE_SLACK = 2.0
# A picture further from square than this comes out squashed in the model's square.
ASPECT_SLACK = 1.25
# Pixels looked at to tell a grey picture from a colour one (a strided sample of a huge picture).
GREY_SAMPLE = 1 << 20
# Channels may differ this much in a grey picture (JPEG noise).
GREY_TOLERANCE = 8


@dataclass(frozen=True)
class Picture:
    """What the fit rule needs to know of the open picture."""

    width: int
    height: int
    grey: bool

    @classmethod
    def of(cls, rgb: np.ndarray) -> Picture:
        """The picture of an (H, W, >=3) uint8 array."""
        height, width = rgb.shape[:2]
        return cls(int(width), int(height), is_grey(rgb))

    def describe(self) -> str:
        return f"{self.width}×{self.height} {'grey' if self.grey else 'colour'} picture"


@dataclass(frozen=True)
class Fit:
    """Why a model does not fit a picture (nothing: it fits)."""

    reasons: tuple[str, ...] = ()

    @property
    def fits(self) -> bool:
        return not self.reasons


def is_grey(rgb: np.ndarray) -> bool:
    """True when every (sampled) pixel has equal red, green and blue, within JPEG noise."""
    step = max(1, int(np.sqrt(rgb.shape[0] * rgb.shape[1] / GREY_SAMPLE)))
    r, g, b = (rgb[::step, ::step, c].astype(np.int16) for c in range(3))
    # max - min of three within the tolerance = each pair within it; numpy's max/min over an axis of
    # 3 took 2-4 s on a 6 MP picture under load, on the GUI thread at every new picture or resize.
    return bool(
        (np.abs(r - g) <= GREY_TOLERANCE).all()
        and (np.abs(g - b) <= GREY_TOLERANCE).all()
        and (np.abs(r - b) <= GREY_TOLERANCE).all()
    )


def made_for(card: ModelCard) -> str:
    """What the model was made for, in words: "28×28 grey pictures (fashion-mnist)"."""
    size = f"{card.resolution}×{card.resolution}" if card.resolution else "any size of"
    colour = "grey" if card.channels == 1 else "colour"
    data = f" ({card.dataset})" if card.dataset else ""
    return f"{size} {colour} pictures{data}"


def model_fit(card: ModelCard, picture: Picture) -> Fit:
    """Whether `card`'s model can work on `picture`, and if not, each reason in a sentence."""
    reasons = []
    if card.channels == 1 and not picture.grey:
        reasons.append("it draws in grey only: the colour of the picture is lost")
    side = card.resolution
    if side:
        longest, shortest = max(picture.width, picture.height), max(min(picture.width, picture.height), 1)
        if longest > SIZE_SLACK * side:
            reasons.append(f"it works at {side}×{side}: the picture's detail is scaled down to that")
        if longest / shortest > ASPECT_SLACK:
            reasons.append(f"it works on squares: a {picture.width}×{picture.height} picture is squashed")
    return Fit(tuple(reasons))


def why_not(card: ModelCard, picture: Picture | None) -> str:
    """ "" when `card`'s model fits `picture` (or no picture is open); else one paragraph for a
    tooltip or a warning: what the model is made for and why it does not fit."""
    if picture is None:
        return ""
    fit = model_fit(card, picture)
    if fit.fits:
        return ""
    return (
        f"{card.name} is made for {made_for(card)}; on this {picture.describe()} "
        + "; ".join(fit.reasons)
        + "."
    )
