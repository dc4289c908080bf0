"""Patch-based inpainting: the hole is filled with texture copied from the known part of the picture.

PatchMatch (Barnes et al., SIGGRAPH 2009) inside a coarse-to-fine completion (Wexler et al. 2007):
on an image pyramid, each hole pixel's patch is matched to the most similar fully known patch by
randomised search and propagation, the hole is re-painted by the votes of the matched patches, and
the matches are carried up to the next finer level. The coarse levels settle the structure (an edge
or a stem crossing the hole), the fine levels copy real texture: what Photoshop's Content-Aware Fill
and GIMP's Resynthesizer do, and InvokeAI's "patchmatch" infill.

The core is the `pypatchmatch` library (MIT; C++ with OpenCV linked in, one shared library per
wheel, on Linux, Windows and macOS). It was measured against a vectorised torch PatchMatch written
here (docs/INPAINTING.md): the same kind of fill, 40-60x slower on this CPU. The library's pyramid
is fixed (it halves the crop while it is larger than the patch radius, with more EM and search
iterations on the coarse levels); the card's parameters are the patch radius and how far around the
hole texture is taken from (the crop margin). The result is the same for the same picture, mask,
parameters and seed.

Cancel: the library's one call per crop has no callback and cannot be stopped (its pyramid loop runs
inside it). So the call runs on a helper thread and the job waits, looking at its cancel flag every
POLL_S: a cancel ends the job at once with no result. The abandoned call finishes on its own in the
background (at most one crop's fill, a few seconds of one core) and its pixels are dropped; a call
whose job was cancelled before it got the library does not run at all.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from types import ModuleType

import numpy as np

from genimg_desktop.core.model_card import ModelCard
from genimg_desktop.core.params import ParamSpec, TaskSpec
from genimg_desktop.core.progress import JobCancelled, JobControl
from genimg_desktop.engine.base import CONTEXT_MARGIN, GenerationModel
from genimg_desktop.engine.crop_scale import CropFill, fill_at_scale
from genimg_desktop.engine.holes import inpaint_holes, report_to
from genimg_desktop.engine.job import Job

PATCH_RADIUS = ParamSpec(
    "patch_radius",
    "int",
    3,
    label="Patch radius",
    minimum=1,
    maximum=12,
    step=1,
    help="Compared patches are (2 x radius + 1) pixels square. 3 copies fine texture; larger follows "
    "bigger structures but is slower and can repeat visible blocks.",
)
# Texture is copied only from this crop around the hole: wider finds more to copy, and costs more.
SOURCE_MARGIN = replace(
    CONTEXT_MARGIN,
    default=128,
    help="Pixels around the painted area that texture may be copied from (a small hole takes as much as "
    "its own size, at least 32); larger is slower.",
)
MISSING = (
    "PatchMatch needs the pypatchmatch package (Python 3.11 or newer): "
    "pip install 'pypatchmatch>=2.2,<3' ({reason})"
)
# The library keeps its random seed in one process-wide variable: seed and fill under one lock, so
# two jobs never draw from each other's seed.
_LOCK = threading.Lock()
POLL_S = 0.02  # how often a job waiting on the library looks at its cancel flag
# The library's memory follows the crop (about 130-180 bytes a crop pixel measured, the hybrid's
# network included): a crop over this many pixels (a hole of about 1800 px square with its margin)
# is filled on a copy scaled down to it and scaled back up, softer there but bounded (the hybrid's
# job peaked at 0.96 GB for a 3500 px hole in a 4096 px picture, bench/memory.py).
MAX_CROP_PIXELS = 2048 * 2048


class PatchMatchInpaint(GenerationModel):
    """pypatchmatch's inpaint on a crop around the mask; the request's seed drives its random search."""

    family = "patchmatch"

    @classmethod
    def task_specs(cls, card: ModelCard) -> tuple[TaskSpec, ...]:
        library()  # a missing library is reported when models are listed, with how to install it
        inpaint = TaskSpec(
            "inpaint",
            "Inpaint",
            params=(PATCH_RADIUS, SOURCE_MARGIN),
            needs_image=True,
            needs_mask=True,
            help="Fill the painted area with texture copied from the rest of the picture: grass, "
            "foliage, brick, sky. Best for removing objects from textured backgrounds.",
        )
        return (inpaint,)

    def _run(self, job: Job) -> list[np.ndarray]:
        assert job.image is not None and job.mask is not None  # checked by run()
        radius = job.params["patch_radius"]
        check_fillable(job.image.shape[:2], job.mask, radius)
        # The crop must hold at least one whole patch beside the hole to copy from.
        margin = max(job.params["context_margin"], 2 * radius + 1)
        seed = int(job.seed) & 0xFFFF_FFFF  # the library's seed is a 32-bit unsigned int

        def fill(crop: np.ndarray, hole: np.ndarray) -> np.ndarray:
            return fill_patchmatch(crop, hole, radius, seed, job.control)

        # One crop per group of holes, its margin following the group's size (the library's time
        # follows the crop); a cancel ends the job within the library's call (fill_patchmatch).
        progress = report_to(job.control, f"Inpainting ({self.card.name})")
        out = inpaint_holes(job.image, job.mask, margin, bounded(fill), progress=progress, relative=True)
        job.control.report(1.0, "Done")
        return [out]


def fill_patchmatch(
    image: np.ndarray, hole: np.ndarray, radius: int, seed: int, control: JobControl | None = None
) -> np.ndarray:
    """`image` ((H, W, 3) uint8) with the pixels where `hole` > 0 filled by PatchMatch. With a
    `control`, a cancel raises JobCancelled at once, even in the middle of the library's call."""
    patchmatch = library()
    binary = np.ascontiguousarray((hole > 0).astype(np.uint8) * 255)
    if binary.all():  # the library would return black
        raise ValueError("nothing around this hole to copy texture from: unmask some of the picture near it")
    pixels = np.ascontiguousarray(image)
    control = control or JobControl()

    def call() -> np.ndarray | None:
        with _LOCK:
            if control.cancelled:  # cancelled while an abandoned call still had the library
                return None
            patchmatch.set_random_seed(seed)
            return patchmatch.inpaint(pixels, binary, patch_size=radius)

    return _until_cancelled(call, control)


def _until_cancelled(call: Callable[[], np.ndarray | None], control: JobControl) -> np.ndarray:
    """`call()`'s result, run on a helper thread; JobCancelled as soon as `control` is cancelled
    (the call, which cannot be interrupted, then finishes in the background and is dropped). An
    error in the call is raised here."""
    done = threading.Event()
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["result"] = call()
        except Exception as exc:  # handed to the waiting job, which raises it
            outcome["error"] = exc
        finally:
            done.set()

    # A daemon thread: an abandoned call must not hold up quitting the app.
    threading.Thread(target=run, name="patchmatch", daemon=True).start()
    while not done.wait(POLL_S):
        control.check()
    error, result = outcome.get("error"), outcome.get("result")
    if isinstance(error, Exception):
        raise error
    if not isinstance(result, np.ndarray):  # the call skipped itself: its job was cancelled
        raise JobCancelled()
    return result


def bounded(fill: CropFill) -> CropFill:
    """`fill` on crops of at most MAX_CROP_PIXELS: a larger crop is filled scaled down to that many
    pixels and scaled back up (engine/crop_scale.py), so memory stays bounded at any hole size."""

    def run(crop: np.ndarray, hole: np.ndarray) -> np.ndarray:
        height, width = hole.shape
        if height * width <= MAX_CROP_PIXELS:
            return fill(crop, hole)
        side = int(max(height, width) * math.sqrt(MAX_CROP_PIXELS / (height * width)))
        return fill_at_scale(crop, hole, fill, side, None)

    return run


def in_library_call() -> bool:
    """Whether a PatchMatch call runs now (one a cancelled job left finishing in the background included)."""
    return _LOCK.locked()


def check_fillable(size: tuple[int, int], mask: np.ndarray, radius: int) -> None:
    """Raise ValueError, saying what to change, for a picture PatchMatch cannot fill."""
    height, width = size
    side = 2 * radius + 1
    if min(height, width) < side:
        raise ValueError(
            f"the picture is {width}x{height} px; PatchMatch with patch radius {radius} needs at least "
            f"{side}x{side} (lower the patch radius, or use OpenCV Telea for tiny pictures)"
        )
    if (mask > 0).all():
        raise ValueError(
            "the whole picture is masked: PatchMatch copies texture from the unmasked part, so leave "
            "some of the picture unmasked"
        )


@cache
def library() -> ModuleType:
    """The pypatchmatch module with its native library loaded; ValueError saying how to get it."""
    try:
        import patchmatch
    except ImportError as exc:
        raise ValueError(MISSING.format(reason=f"not installed: {exc}")) from exc
    if not patchmatch.patchmatch_available:  # the package is there but its shared library did not load
        raise ValueError(MISSING.format(reason="its native library did not load"))
    return patchmatch
