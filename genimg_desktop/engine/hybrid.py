"""Hybrid inpainting, the default for photos: the learned fill's structure and colour, PatchMatch's
texture.

Each fill alone fails an artist in its own way. The fill network (engine/inpaint) puts the right
colours and the big shapes into the hole (the best hole PSNR of all methods on strokes and boxes)
but paints them smooth: 20-30% of the photo's detail. PatchMatch (engine/patchmatch.py) copies the
picture's own grass, fur or brick into the hole, as detailed as the photo, but a plausible patch in
the wrong place costs more error than a blur, and it happily repeats an object it finds beside the
hole. The hybrid keeps PatchMatch's fill where it agrees with the network's at a coarse scale, and
where they disagree takes the low frequencies (below a Gaussian of `sigma` px) from a blend of both
(their errors partly cancel); on top go the high frequencies of PatchMatch's fill, scaled by the
"Texture" parameter: the structure is checked by the network, the texture is the photo's own.

The other order, the network refining PatchMatch's fill as its first guess (the network's `guess`
input), was measured too (`genimg bench inpaint`, docs/INPAINTING.md): it smooths the texture away
and loses PSNR to both, so the card's "order" picks "bands" and "refine" is kept for the bench.

The network runs on the same crop as PatchMatch (one crop per group of holes, engine/holes.py);
pixels outside the mask are returned bit-exact. A cancel ends the job within PatchMatch's call
(engine/patchmatch.py: fill_patchmatch), between it and the network's pass, and between groups of holes.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import torch

from genimg_desktop.core.model_card import ModelCard, ModelCardError, read_model_card
from genimg_desktop.core.params import ParamSpec, TaskSpec
from genimg_desktop.engine.base import GenerationModel
from genimg_desktop.engine.holes import inpaint_holes, report_to
from genimg_desktop.engine.inpaint.model import InpaintModel
from genimg_desktop.engine.job import Job
from genimg_desktop.engine.patchmatch import (
    PATCH_RADIUS,
    SOURCE_MARGIN,
    bounded,
    check_fillable,
    fill_patchmatch,
    library,
)

ORDERS = ("bands", "refine")  # structure from the network + PatchMatch's texture; network over PatchMatch
# Agreement of the two fills: their difference blurred over AGREE_SIGMA px; a gap of AGREE_LEVELS
# grey levels (RGB distance) leaves PatchMatch's structure 1/e of the weight it has where they agree.
AGREE_SIGMA, AGREE_LEVELS = 4.0, 20.0
TEXTURE = ParamSpec(
    "texture",
    "float",
    0.8,
    label="Texture",
    minimum=0.0,
    maximum=1.0,
    step=0.05,
    help="How much of the picture's own fine texture (copied by PatchMatch) goes into the hole: 0 "
    "gives the smooth structure alone, 1 all of the copied detail.",
)


class HybridInpaint(GenerationModel):
    """The fill network named by the card's config.fill (a card file beside this one) + PatchMatch."""

    family = "hybrid"

    def __init__(self, card: ModelCard, device: torch.device | str) -> None:
        super().__init__(card, device)
        self.learned = InpaintModel(fill_card(card), device)
        self.order, self.share, self.sigma = _blend(card)

    @classmethod
    def task_specs(cls, card: ModelCard) -> tuple[TaskSpec, ...]:
        library()  # a missing PatchMatch library is reported when models are listed
        fill_card(card)  # and so is a missing fill network
        _blend(card)
        texture = replace(TEXTURE, default=float(card.config.get("texture", TEXTURE.default)))
        inpaint = TaskSpec(
            "inpaint",
            "Inpaint",
            params=(texture, PATCH_RADIUS, SOURCE_MARGIN),
            needs_image=True,
            needs_mask=True,
            help="Fill the painted area on a photo: shapes and colours from the learned fill, fine "
            "texture copied from the rest of the picture. Best for removing objects from photos.",
        )
        return (inpaint,)

    def load(self) -> None:
        self.learned.load()

    def _run(self, job: Job) -> list[np.ndarray]:
        assert job.image is not None and job.mask is not None  # checked by run()
        radius, texture = job.params["patch_radius"], job.params["texture"]
        check_fillable(job.image.shape[:2], job.mask, radius)
        margin = max(job.params["context_margin"], 2 * radius + 1)
        seed = int(job.seed) & 0xFFFF_FFFF
        label = f"Inpainting ({self.card.name})"

        def fill(crop: np.ndarray, hole: np.ndarray) -> np.ndarray:
            patch = fill_patchmatch(crop, hole, radius, seed, job.control)
            job.control.check()  # a cancel lands between the two passes
            if self.order == "refine":
                return self.learned.fill(crop, hole, patch, seed)
            learned = self.learned.fill_crop(crop, hole, seed, job.control)
            return blend_bands(learned, patch, self.share, self.sigma, texture)

        progress = report_to(job.control, label)
        out = inpaint_holes(job.image, job.mask, margin, bounded(fill), progress=progress, relative=True)
        job.control.report(1.0, "Done")
        return [out]


def blend_bands(
    learned: np.ndarray, patch: np.ndarray, share: float, sigma: float, texture: float
) -> np.ndarray:
    """`patch`'s texture over the structure both fills agree on (uint8 (H, W, 3) in and out).

    The split into low and high frequencies is a Gaussian of `sigma` px. Where PatchMatch's fill
    agrees with the network's at a coarse scale (AGREE_SIGMA), its own low frequencies are kept, so
    an edge it continued stays crisp; where they disagree (it copied something the network does not
    see there, e.g. a second head of the animal beside the hole) the low frequencies are `share` x
    the network's + the rest PatchMatch's. Then `texture` x PatchMatch's high frequencies on top."""
    learned_f, patch_f = learned.astype(np.float32), patch.astype(np.float32)
    coarse_gap = cv2.GaussianBlur(learned_f - patch_f, (0, 0), AGREE_SIGMA)
    agree = np.exp(-np.square(coarse_gap).sum(axis=2, keepdims=True) / AGREE_LEVELS**2)  # (H, W, 1)
    low_patch = cv2.GaussianBlur(patch_f, (0, 0), sigma)
    low_learned = cv2.GaussianBlur(learned_f, (0, 0), sigma)
    mixed = share * low_learned + (1.0 - share) * low_patch
    low = agree * low_patch + (1.0 - agree) * mixed
    out = low + texture * (patch_f - low_patch)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def fill_card(card: ModelCard) -> ModelCard:
    """The card of the fill network the hybrid uses (config.fill: a card file in the same folder)."""
    name = card.config.get("fill")
    if not isinstance(name, str) or not name.endswith(".json") or Path(name).name != name:
        raise ValueError(
            "config.fill must name the fill network's card file (beside this card), e.g. inpaint-fill.json"
        )
    path = card.card_path.parent / name
    if not path.is_file():
        raise ValueError(
            f"the fill network's card {name} is missing (the hybrid needs it beside its own card)"
        )
    try:
        fill = read_model_card(path)
    except ModelCardError as exc:
        raise ValueError(f"the fill network's card is unusable: {exc}") from exc
    if fill.family != InpaintModel.family or fill.weights is None or not fill.weights.is_file():
        raise ValueError(f"{name} is not a fill network with its weights (family 'inpaint')")
    return fill


def _blend(card: ModelCard) -> tuple[str, float, float]:
    """The card's (order, share of the network in the low frequencies, sigma in px)."""
    order = str(card.config.get("order", "bands"))
    if order not in ORDERS:
        raise ValueError(f"config.order must be one of {', '.join(ORDERS)}, not '{order}'")
    share, sigma = float(card.config.get("structure_share", 0.5)), float(card.config.get("sigma", 2.0))
    if not (0.0 <= share <= 1.0 and 0.3 <= sigma <= 32.0):
        raise ValueError("config.structure_share must be in 0..1 and config.sigma in 0.3..32 px")
    return order, share, sigma
