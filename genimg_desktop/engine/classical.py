"""Classical inpainting with OpenCV (Telea's fast marching, Navier-Stokes): no weights, always there."""

from __future__ import annotations

import cv2
import numpy as np

from genimg_desktop.core.model_card import ModelCard
from genimg_desktop.core.params import ParamSpec, TaskSpec
from genimg_desktop.engine.base import CONTEXT_MARGIN, GenerationModel
from genimg_desktop.engine.holes import inpaint_holes, report_to
from genimg_desktop.engine.job import Job

METHODS = {"telea": cv2.INPAINT_TELEA, "ns": cv2.INPAINT_NS}

RADIUS = ParamSpec(
    "radius",
    "int",
    5,
    label="Radius",
    minimum=1,
    maximum=50,
    step=1,
    help="Neighbourhood radius (pixels) OpenCV considers around each filled pixel.",
)


class ClassicalInpaint(GenerationModel):
    """OpenCV's cv2.inpaint; the card's config.method picks "telea" or "ns"."""

    family = "classical"

    @classmethod
    def task_specs(cls, card: ModelCard) -> tuple[TaskSpec, ...]:
        _method(card)  # a card with a bad method is reported at listing time, not at first use
        inpaint = TaskSpec(
            "inpaint",
            "Inpaint",
            params=(RADIUS, CONTEXT_MARGIN),
            needs_image=True,
            needs_mask=True,
            seeded=False,
            help="Fill the painted area from its surroundings. Good for small blemishes and wires.",
        )
        return (inpaint,)

    def _run(self, job: Job) -> list[np.ndarray]:
        assert job.image is not None and job.mask is not None  # checked by run()
        flag, radius = _method(self.card), job.params["radius"]
        # OpenCV propagates from known pixels within `radius`, so the crop must hold at least that many.
        margin = max(job.params["context_margin"], radius + 1)

        def fill(crop: np.ndarray, hole: np.ndarray) -> np.ndarray:
            return cv2.inpaint(crop, hole, radius, flag)

        progress = report_to(job.control, f"Inpainting ({self.card.name})")
        out = inpaint_holes(job.image, job.mask, margin, fill, progress=progress)
        job.control.report(1.0, "Done")
        return [out]


def _method(card: ModelCard) -> int:
    method = str(card.config.get("method", "")).lower()
    if method not in METHODS:
        raise ValueError(f"config.method must be one of {', '.join(METHODS)}, not '{method}'")
    return METHODS[method]
