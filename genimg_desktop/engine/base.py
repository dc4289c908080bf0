"""The base class every model family derives from, and the one inpainting crop/paste strategy.

The base does the work that must be identical across families (input checks, parameter resolution,
seeding, inference mode, timing), so a family only declares its tasks and implements `_run`, which
gets one `Job` (engine/job.py) per attempt.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar, TypeVar

import numpy as np
import torch
from torch import nn

from genimg_desktop.core.model_card import ModelCard
from genimg_desktop.core.params import ParamSpec, TaskSpec
from genimg_desktop.core.progress import JobControl
from genimg_desktop.core.request import GenerationRequest, GenerationResult
from genimg_desktop.engine import oom
from genimg_desktop.engine.crop_scale import CropFill, CropRefine
from genimg_desktop.engine.device import device_label
from genimg_desktop.engine.holes import fill_box
from genimg_desktop.engine.job import Job
from genimg_desktop.engine.precision import Precision
from genimg_desktop.engine.weights import ModelLoadError, load_into, load_weights

CONTEXT_MARGIN = ParamSpec(
    "context_margin",
    "int",
    64,
    label="Context margin",
    minimum=0,
    maximum=512,
    step=8,
    help="Pixels around the painted area the model sees as context; larger is slower.",
)

ModuleT = TypeVar("ModuleT", bound=nn.Module)
LoadedT = TypeVar("LoadedT")


class GenerationModel(ABC):
    """One loaded model on one device. Families subclass this; engine/families.py lists them."""

    family: ClassVar[str] = ""
    # Int parameters (e.g. "batch", "tile") that `run` halves, in this order, when a job runs out of
    # memory, before giving up with a clear message. Empty: no retry.
    oom_params: ClassVar[tuple[str, ...]] = ()
    # Keep the network's weights channels-last (NHWC). For the DCGAN-style GAN and VAE stacks torch's
    # CPU convolutions then run 1.2-3x faster at the same results (measured by `genimg bench`);
    # families with hand-made caches of activations (PixelCNN) keep the default layout.
    channels_last: ClassVar[bool] = False
    # What the networks draw with; families that check half precision set it when loading (precision.py).
    precision: Precision = Precision()

    def __init__(self, card: ModelCard, device: torch.device | str) -> None:
        self.card = card
        self.device = torch.device(device)
        self.device_label = device_label(self.device)  # once: on CUDA it asks the driver
        self.tasks = type(self).task_specs(card)

    @classmethod
    @abstractmethod
    def task_specs(cls, card: ModelCard) -> tuple[TaskSpec, ...]:
        """The tasks this model offers; may depend on the card (e.g. class names). Raise ValueError
        for a card this family cannot use: the registry reports it and skips the model."""

    def load(self) -> None:  # noqa: B027 - optional hook, deliberately not abstract
        """Load weights (see `read_weights`); models without weights keep this no-op."""

    def read_weights(self, device: torch.device | str | None = None) -> dict[str, torch.Tensor]:
        """The card's weights as tensors (on this model's device unless told otherwise), checked
        against the card's sha256. See engine.weights: pickles are read with weights_only=True."""
        path = self.card.weights
        if path is None:
            raise ModelLoadError(f"model '{self.card.id}' has no weights file")
        return load_weights(path, self.card.sha256, self.device if device is None else device)

    def load_state(self, module: ModuleT, state: Mapping[str, torch.Tensor] | None = None) -> ModuleT:
        """Fill `module` with the card's weights, or `state` read from them (strict: every tensor
        present, none extra, shapes equal; else one ModelLoadError), then move it to this device in
        eval mode."""
        if state is None:
            state = self.read_weights(device="cpu")  # load on the CPU, move the filled module once
        assert self.card.weights is not None  # read_weights raised otherwise
        load_into(module, state, self.card.weights.name)
        module = module.to(self.device).eval()
        return module.to(memory_format=torch.channels_last) if self.channels_last else module

    def _loaded(self, value: LoadedT | None) -> LoadedT:
        """`value` (a module, a draw function) once `load()` has set it; a clear error for a model
        used before loading."""
        if value is None:
            raise RuntimeError(f"model '{self.card.id}' is not loaded")
        return value

    def task(self, name: str) -> TaskSpec:
        for spec in self.tasks:
            if spec.name == name:
                return spec
        offered = ", ".join(spec.name for spec in self.tasks)
        raise ValueError(f"model '{self.card.id}' has no task '{name}' (it offers: {offered})")

    def sampling_settings(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        """The "sample" task's parameters with `given` over the defaults: what evaluation's
        `sample_tensor` draws with (count, class and seed come from the evaluation itself)."""
        fixed = {"count", "class"} & set(given or {})
        if fixed:
            raise ValueError(f"evaluation sets {', '.join(sorted(fixed))} itself")
        return self.task("sample").resolve(dict(given or {}))

    def run(self, request: GenerationRequest, control: JobControl) -> GenerationResult:
        """Check the request, resolve parameters, seed, and run `_run` without autograd.

        Out of memory: retry with a halved `oom_params` value (up to MAX_OOM_RETRIES times, with a
        note in `info`), then raise ModelOutOfMemory with a message for the user.
        """
        task = self.task(request.task)
        _check_inputs(task, request)
        params = task.resolve(request.params)
        # The family sees read-only views: a half-finished job can never scribble on the document.
        frozen = request
        if request.image is not None or request.mask is not None:
            frozen = replace(request, image=_read_only(request.image), mask=_read_only(request.mask))
        start = time.perf_counter()
        job, images, shrunk = self._run_shrinking(task, params, frozen, control)
        elapsed = time.perf_counter() - start
        info: dict[str, Any] = {
            "params": params,
            "device": self.device_label,
            "precision": self.precision.label,
            "family": self.family,
        }
        if shrunk:
            info["notes"] = [oom.retry_note(shrunk)]
        info.update(job.info)
        return GenerationResult(request=request, images=images, info=info, elapsed_s=elapsed)

    def _run_shrinking(
        self, task: TaskSpec, params: dict[str, Any], request: GenerationRequest, control: JobControl
    ) -> tuple[Job, list[np.ndarray], list[tuple[str, int, int]]]:
        """Attempt until one fits in memory, halving an `oom_params` value (in `params`) each time."""
        shrunk: list[tuple[str, int, int]] = []
        while True:
            control.check()
            job = _job(task, params, request, control)  # re-seeded per try: a retry is reproducible too
            images, oom_text = self._attempt(job)
            if images is not None:
                return job, images, shrunk
            # The failed attempt's frames (and the tensors they held) are gone now, so this frees them.
            oom.free_memory(self.device)
            step = oom.shrink(task, params, self.oom_params) if len(shrunk) < oom.MAX_OOM_RETRIES else None
            if step is None:
                last = {name: params[name] for name in self.oom_params if name in params} if shrunk else {}
                message = oom.failure_message(self.device, last)
                raise oom.ModelOutOfMemory(message) from RuntimeError(oom_text)
            shrunk.append(step)
            control.report(0.0, f"Out of memory; retrying with {step[0]} {step[2]}")

    def _attempt(self, job: Job) -> tuple[list[np.ndarray] | None, str]:
        """One try: (images, "") or, when it ran out of memory, (None, what the error said)."""
        try:
            with torch.inference_mode():
                return self._run(job), ""
        except Exception as exc:
            if not oom.is_out_of_memory(exc):
                raise
            return None, f"{type(exc).__name__}: {exc}"

    @abstractmethod
    def _run(self, job: Job) -> list[np.ndarray]:
        """Produce (H, W, 3) uint8 RGB images. Call `job.control.report` between steps (it also
        cancels); put what the task measured besides the images into `job.info`."""

    def noise(self, *shape: int, generator: torch.Generator) -> torch.Tensor:
        """Standard normal noise drawn on the CPU, then moved: the same seed gives the same image on
        every device (CUDA and MPS generators produce different streams)."""
        return torch.randn(shape, generator=generator).to(self.device)


def _job(task: TaskSpec, params: dict[str, Any], request: GenerationRequest, control: JobControl) -> Job:
    """A fresh attempt: its own copy of the parameters and a generator seeded from the request."""
    generator = torch.Generator(device="cpu")
    generator.manual_seed(int(request.seed) & 0xFFFF_FFFF_FFFF_FFFF)
    return Job(task, dict(params), request.image, request.mask, control, generator, int(request.seed))


def _check_inputs(task: TaskSpec, request: GenerationRequest) -> None:
    image, mask = request.image, request.mask
    if task.needs_image and image is None:
        raise ValueError(f"task '{task.name}' needs an image")
    if image is not None and (image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3):
        raise ValueError(f"image must be (H, W, 3) uint8 RGB, got {image.shape} {image.dtype}")
    if task.needs_mask:
        if mask is None:
            raise ValueError("paint a mask first")
        if mask.dtype != np.uint8 or mask.ndim != 2:
            raise ValueError(f"mask must be (H, W) uint8, got {mask.shape} {mask.dtype}")
        if image is not None and mask.shape != image.shape[:2]:
            raise ValueError(f"mask size {mask.shape[::-1]} differs from image size {image.shape[1::-1]}")
        if not mask.any():
            raise ValueError("paint a mask first: nothing is marked to regenerate")


def mask_bbox(mask: np.ndarray, margin: int = 0) -> tuple[int, int, int, int]:
    """(y0, y1, x0, x1) of the painted pixels grown by `margin`, clipped to the image."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        raise ValueError("paint a mask first: nothing is marked to regenerate")
    height, width = mask.shape
    return (
        max(int(rows[0]) - margin, 0),
        min(int(rows[-1]) + 1 + margin, height),
        max(int(cols[0]) - margin, 0),
        min(int(cols[-1]) + 1 + margin, width),
    )


def inpaint_crop(
    image: np.ndarray,
    mask: np.ndarray,
    margin: int,
    fn: CropFill,
    max_side: int | None = None,
    refine: CropRefine | None = None,
) -> np.ndarray:
    """Fill the masked pixels of `image` by running `fn` on a crop around the mask only.

    `fn(crop_image, crop_mask)` returns the filled crop (same shape, uint8). Only pixels where the
    mask is non-zero are taken from it, so every pixel with mask == 0 is bit-exact the input, and the
    cost follows the size of the hole rather than the size of the image. A crop longer than
    `max_side` is filled downscaled and, when the model gives `refine(crop, mask, guess)`, refined at
    full size in tiles (engine/crop_scale.py). Blending a soft mask edge is left to core.composite
    when the result is applied. Scattered holes are better served by `holes.inpaint_holes`, one
    crop per group; this one crop suits a model that fills the whole crop at once (latent models).
    """
    out = image.copy()
    fill_box(out, image, mask, mask_bbox(mask, max(int(margin), 0)), fn, max_side, refine)
    return out


def _read_only(array: np.ndarray | None) -> np.ndarray | None:
    if array is None:
        return None
    view = array.view()
    view.flags.writeable = False
    return view
