"""The fill network's hyperparameters: the architecture (rebuilt from the card's `config`) and the
training recipe (`--set key=value` overrides any of them)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from genimg_desktop.engine.latent_common import config_from_mapping

ARCH_KEYS = ("width", "max_width", "levels", "dilations", "smooth_iters", "fourier", "noise", "upsample")
UPSAMPLE_MODES = ("nearest", "bilinear")


@dataclass(frozen=True)
class InpaintConfig:
    # architecture: `levels` stride-2 stages (stride 2**levels), channels width * 2**level capped at
    # max_width, then residual blocks of dilated 3x3 convolutions at the lowest resolution.
    width: int = 16
    max_width: int = 64
    levels: int = 3
    dilations: str = "1,2,4,8,1"  # one residual block per entry; the receptive field's main source
    smooth_iters: int = 8  # Laplace steps per pyramid level of the pull-push first guess (pullpush.py)
    # Residual Fourier blocks after the dilated ones (LaMa's spectral unit, networks.py): each sees the
    # whole crop at once, a global receptive field. 0 keeps the network of the first shipped weights.
    fourier: int = 0
    # Noise injection (StyleGAN's, Karras et al. 2019): a map of Gaussian noise, drawn on the CPU from
    # the job's seed, added inside the hole at the bottleneck and after each decoder stage, scaled per
    # channel by learned weights that start at zero. A deterministic network whose input is smooth in
    # the hole has only its own stride pattern to make detail from (a square grid); with noise it can
    # shape texture instead. 0 keeps the network of the first shipped weights (no seed needed).
    noise: int = 0
    # The decoder's 2x upsampling before each convolution: "nearest" (the first shipped weights) or
    # "bilinear", which does not leave the stride's blocks for the detail and adversarial terms to
    # sharpen into a grid.
    upsample: str = "nearest"
    d_width: int = 32  # patch discriminator channels at its first layer
    # recipe: loss weights (L1 on the hole and on the kept pixels of the raw output, hinge adversarial,
    # feature matching on the discriminator's hidden layers between real and filled images)
    l1_hole: float = 6.0
    l1_valid: float = 1.0
    adv: float = 0.02
    feature_match: float = 1.0
    # Detail matching in the hole: L1 between the local mean |Laplacian| of the fill and of the
    # original (8 px cells). A mean-seeking fill is flat; this term charges it for the missing detail.
    texture: float = 0.0
    # Train on random `crop` x `crop` windows of the --size pictures (0: whole pictures), with masks
    # sized for the whole picture: the network learns holes at the pixel scale of the pictures it
    # will fill, at the cost of a crop.
    crop: int = 0
    # Train at 1/shrink of the pictures' scale (each --size tile averaged over shrink x shrink pixels,
    # before the crop): for a network run on a shrunk copy (the hybrid's fill_scale), where only its
    # coarse structure is used. Masks stay sized for a --size picture: shrink 2 of 240 px tiles gets
    # the holes a 512 px picture gets at half scale (the bench's).
    shrink: int = 1
    beta1: float = 0.5
    beta2: float = 0.999
    mask_kinds: str = "thin,medium,thick,box"  # also "blob", "object-box" (object-sized holes)

    @property
    def stride(self) -> int:
        return 2**self.levels

    def dilation_list(self) -> list[int]:
        return [int(d) for d in self.dilations.split(",") if d.strip()]

    def to_card(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_mapping(cls, values: dict[str, Any], strict: bool = True) -> InpaintConfig:
        config = config_from_mapping(cls, values, strict)
        if (
            min(config.levels, config.width, config.shrink) < 1
            or config.fourier < 0
            or not config.dilation_list()
            or config.noise not in (0, 1)
            or config.upsample not in UPSAMPLE_MODES
        ):
            raise ValueError(
                "inpaint config needs levels, width and shrink >= 1, fourier >= 0, at least one dilation, "
                f"noise 0 or 1 and upsample one of {', '.join(UPSAMPLE_MODES)}"
            )
        return config
