"""The "inpaint" family as the app runs it: fill the painted area of a picture of any size.

The shared crop strategy (engine/holes.py) runs the network on each group of holes' bounding box
plus a context margin and pastes back only the masked pixels, so the rest of the picture is returned
bit-exact and the cost follows the holes, not the picture. A crop larger than `max_side` (a very large
hole) is filled downscaled, scaled up and refined at full size (engine/crop_scale.py). The seam is
feathered when the result is accepted (core.composite, the staging bar's feather).
"""

from __future__ import annotations

from functools import partial

import numpy as np
import torch
import torch.nn.functional as F

from genimg_desktop.core.model_card import ModelCard
from genimg_desktop.core.params import ParamSpec, TaskSpec
from genimg_desktop.core.progress import JobControl
from genimg_desktop.engine.base import CONTEXT_MARGIN, GenerationModel
from genimg_desktop.engine.crop_scale import checked, fill_at_scale
from genimg_desktop.engine.declared_shapes import build_checked
from genimg_desktop.engine.holes import hole_width, inpaint_holes, report_to
from genimg_desktop.engine.inpaint.config import ARCH_KEYS, InpaintConfig
from genimg_desktop.engine.inpaint.networks import FillNet
from genimg_desktop.engine.job import Job

MAX_SIDE = ParamSpec(
    "max_side",
    "int",
    1024,
    label="Largest side",
    minimum=64,
    maximum=4096,
    step=64,
    help="A crop (hole + margin) longer than this is filled at this size first and scaled up: the "
    "whole hole in one view, and bounded time and memory for huge holes.",
)
REFINE = ParamSpec(
    "refine",
    "bool",
    True,
    label="Refine at full size",
    help="After a downscaled fill, run the network again at full resolution (in tiles) starting from "
    "it, to bring back detail; off: the scaled-up fill as it is.",
)


MIN_NETWORK_SIDE = 16  # a shrunk crop is never smaller than this (tiny holes fill at full size)


class InpaintModel(GenerationModel):
    """A trained FillNet rebuilt from the card's config."""

    family = "inpaint"

    def __init__(self, card: ModelCard, device: torch.device | str) -> None:
        super().__init__(card, device)
        self.config = _config(card)
        self.fill_scale, self.shrink_from = fill_scale(card)
        self._net: FillNet | None = None

    @classmethod
    def task_specs(cls, card: ModelCard) -> tuple[TaskSpec, ...]:
        _config(card)  # a bad card is reported at listing time
        fill_scale(card)
        inpaint = TaskSpec(
            "inpaint",
            "Inpaint",
            params=(CONTEXT_MARGIN, MAX_SIDE, REFINE),
            needs_image=True,
            needs_mask=True,
            seeded=bool(_config(card).noise),  # a network with noise maps fills by the seed
            help="Fill the painted area with the learned fill network; works at any picture size.",
        )
        return (inpaint,)

    def load(self) -> None:
        net = build_checked(self.card.weights, lambda: FillNet(self.config))
        self._net = self.load_state(net).requires_grad_(False)

    @property
    def net(self) -> FillNet:
        return self._loaded(self._net)

    def _run(self, job: Job) -> list[np.ndarray]:
        assert job.image is not None and job.mask is not None  # checked by run()
        max_side, refine = job.params["max_side"], job.params["refine"]
        out = inpaint_holes(
            job.image,
            job.mask,
            job.params["context_margin"],
            lambda crop, hole: self.fill_crop(crop, hole, job.seed, job.control, max_side, refine),
            progress=report_to(job.control, f"Inpainting ({self.card.name})"),
        )
        job.control.report(1.0, "Done")
        return [out]

    def fill_crop(
        self,
        crop: np.ndarray,
        hole: np.ndarray,
        seed: int,
        control: JobControl,
        max_side: int = MAX_SIDE.default,
        refine: bool = True,
    ) -> np.ndarray:
        """The network's fill of a whole crop, at full size. A card with fill_scale below 1 (a network
        trained at that scale, its recipe's `shrink`) fills a copy shrunk by it, scaled back up, for
        holes at least shrink_from px wide: object-sized holes get the view and the texture scale the
        network learned, at a quarter of the cost at 0.5; a brush stroke is filled at full size, since
        its fill comes from its edges, which the shrunk copy blurs. Otherwise a crop over `max_side`
        takes the bounded coarse-to-fine path (crop_scale.py), a cancel landing between its refine
        tiles (`refine` off: the scaled-up fill as it is)."""
        fill = partial(self.fill, seed=seed)
        if self.fill_scale < 1.0 and hole_width(hole) >= self.shrink_from:
            side = max(round(max(hole.shape) * self.fill_scale), MIN_NETWORK_SIDE)
            return fill_at_scale(crop, hole, fill, min(side, max_side), None)
        return fill_at_scale(crop, hole, fill, max_side, checked(fill, control) if refine else None)

    def fill(
        self, crop: np.ndarray, hole: np.ndarray, guess: np.ndarray | None = None, seed: int = 0
    ) -> np.ndarray:
        """The network's output for a whole (H, W, 3) uint8 crop (the caller keeps only the hole),
        starting from `guess` (a coarse fill scaled up, to be refined) or else from pull-push. `seed`
        draws the noise maps of a network that has them (the same seed, the same fill)."""
        height, width = hole.shape
        image = (
            torch.from_numpy(np.array(crop)).to(self.device).permute(2, 0, 1)[None]
        )  # copy: crop may be read-only
        image = image.float().div(127.5).sub(1.0)  # (1, 3, H, W) in [-1, 1]
        mask = torch.from_numpy(np.ascontiguousarray(hole > 0)).to(self.device)[None, None].float()
        stride = self.config.stride
        pad_h, pad_w = -height % stride, -width % stride
        # Replicate, not reflect: reflect needs the pad to be smaller than the side (a 3 px crop).
        image = F.pad(image, (0, pad_w, 0, pad_h), mode="replicate")
        mask = F.pad(mask, (0, pad_w, 0, pad_h))  # the padding counts as known pixels
        start = None
        if guess is not None:
            start = torch.from_numpy(np.array(guess)).to(self.device).permute(2, 0, 1)[None]
            start = F.pad(start.float().div(127.5).sub(1.0), (0, pad_w, 0, pad_h), mode="replicate")
            start = torch.where(mask > 0, start, image)  # known pixels are the picture's own
        generator = torch.Generator().manual_seed(int(seed) & 0xFFFF_FFFF_FFFF_FFFF)  # CPU: any device
        out = self.net(image, mask, start, generator)[0, :, :height, :width]
        pixels = out.add(1.0).mul(127.5).round().clamp(0, 255).byte()
        return pixels.permute(1, 2, 0).cpu().numpy()


def fill_scale(card: ModelCard) -> tuple[float, float]:
    """The card's (fill_scale, shrink_from): the scale the network fills at (1: the crop's own), for
    holes at least shrink_from px wide (0: every hole). The trainer writes them for a network trained
    at a shrunk scale."""
    scale, wide = float(card.config.get("fill_scale", 1.0)), float(card.config.get("shrink_from", 0.0))
    if not 0.125 <= scale <= 1.0 or wide < 0:
        raise ValueError(
            "config.fill_scale must be in 0.125..1 (1: full size) and config.shrink_from >= 0 px, "
            f"not {scale} and {wide}"
        )
    return scale, wide


def _config(card: ModelCard) -> InpaintConfig:
    arch = {key: value for key, value in card.config.items() if key in ARCH_KEYS}
    return InpaintConfig.from_mapping(arch)
