"""Inpainting by latent optimisation, shared by the GAN and VAE families.

A fixed-resolution generator cannot see a whole photo, so (as every family does) only a crop around
the painted area is used (`base.inpaint_crop`): the crop is resized (stretched) to the model's square
resolution, latents are optimised so the generated image matches the known pixels while staying
likely under the model's prior, and the result is resized back. Only painted pixels are taken from
it, so everything outside the mask stays bit-exact.

`run()` executes families under `torch.inference_mode()`; optimisation needs autograd, so the whole
fit runs inside `autograd_on()`, and every tensor it uses must be made inside that block (inference
tensors cannot be saved for backward).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

from genimg_desktop.core.model_card import ModelCard
from genimg_desktop.core.params import ParamSpec, TaskSpec
from genimg_desktop.core.progress import JobControl
from genimg_desktop.engine.base import CONTEXT_MARGIN, inpaint_crop
from genimg_desktop.engine.latent_common import AUTO, class_param, image_to_tensor, resize_image, to_rgb_uint8

PREVIEWS = 8  # previews sent during one fit
MIN_STARTS = 4  # latents optimised in parallel; the best fits are returned (a bad start is common)

# (crop uint8 (h, w, 3), crop mask (h, w), preview) -> filled crops, best fit first
CropFit = Callable[[np.ndarray, np.ndarray, Callable[[np.ndarray], np.ndarray]], list[np.ndarray]]
# () -> (loss per latent (B,), images (B, C, R, R)) for the current values of the variables
Objective = Callable[[], tuple[torch.Tensor, torch.Tensor]]

FIT_STEPS = ParamSpec(
    "steps",
    "int",
    100,
    label="Steps",
    minimum=10,
    maximum=500,
    step=10,
    help="Optimisation steps fitting the latent to the pixels around the hole; more fits closer.",
)
FIT_LR = ParamSpec(
    "lr",
    "float",
    0.05,
    label="Step size",
    minimum=0.001,
    maximum=0.5,
    step=0.005,
    help="Adam learning rate on the latent; larger moves faster but may overshoot.",
)
FIT_COUNT = ParamSpec(
    "count",
    "int",
    1,
    label="Completions",
    minimum=1,
    maximum=8,
    step=1,
    help="Completions to return, the best fit to the known pixels first.",
)


def prior_param(default: float, meaning: str) -> ParamSpec:
    return ParamSpec(
        "prior",
        "float",
        default,
        label="Prior strength",
        minimum=0.0,
        maximum=10.0,
        step=0.05,
        help=f"Pull towards latents the model finds typical ({meaning}); 0 fits the known pixels only.",
    )


INPAINT_HELP = (
    "Fill the painted area by searching the model's latent space for an image that matches the "
    "pixels around it. Fixed-resolution model: it works on the crop around the mask resized to "
    "{res}x{res} and back, so large crops come out soft; pixels outside the mask are never changed."
)


def inpaint_task(card: ModelCard, resolution: int, prior_meaning: str) -> TaskSpec:
    """The "inpaint" task of a latent family: fit a latent to the pixels around the hole."""
    return TaskSpec(
        "inpaint",
        "Inpaint",
        params=(
            class_param(card, (AUTO,)),
            FIT_STEPS,
            FIT_LR,
            prior_param(1.0, prior_meaning),
            FIT_COUNT,
            CONTEXT_MARGIN,
        ),
        needs_image=True,
        needs_mask=True,
        help=INPAINT_HELP.format(res=resolution),
    )


@contextmanager
def autograd_on() -> Iterator[None]:
    """Autograd inside a job (jobs run under inference mode)."""
    with torch.inference_mode(False), torch.enable_grad():
        yield


@dataclass
class CropTarget:
    """The crop as the model sees it."""

    target: torch.Tensor  # (1, C, R, R) in [-1, 1]
    known: torch.Tensor  # (1, 1, R, R) 1.0 where the pixel is fully outside the hole
    crop_shape: tuple[int, int]  # (h, w) of the crop in the image

    @property
    def known_count(self) -> torch.Tensor:
        """Known values (pixels x channels), at least 1 so a crop that is all hole divides safely."""
        return (self.known.sum() * self.target.shape[1]).clamp_min(1.0)


def crop_target(
    crop: np.ndarray, crop_mask: np.ndarray, resolution: int, channels: int, device: torch.device
) -> CropTarget:
    target = image_to_tensor(crop, resolution, channels).to(device)  # (1, C, R, R)
    hole = resize_image((crop_mask > 0).astype(np.float32), resolution, resolution)  # (R, R) fraction
    # A model pixel that overlaps the hole at all is unknown: its colour mixes in what is being removed.
    known = torch.from_numpy((hole <= 1e-6).astype(np.float32))[None, None].to(device)
    return CropTarget(target, known, (crop.shape[0], crop.shape[1]))


def crop_fill(image: torch.Tensor, crop_shape: tuple[int, int]) -> np.ndarray:
    """(C, R, R) in [-1, 1] -> the crop (h, w, 3) uint8."""
    [rgb] = to_rgb_uint8(image[None])
    return resize_image(rgb, *crop_shape)


def fit_latents(
    variables: list[torch.Tensor],
    objective: Objective,
    steps: int,
    lr: float,
    control: JobControl,
    preview: Callable[[torch.Tensor], np.ndarray],
) -> tuple[torch.Tensor, torch.Tensor]:
    """Adam on `variables` (leaf tensors with requires_grad) minimising `objective`'s summed losses.
    Reports progress every step (which also cancels) with a preview of the best image now and then.
    Returns (losses (B,), images (B, C, R, R)) of the final latents, detached."""
    optimiser = torch.optim.Adam(variables, lr=lr)
    every = max(1, steps // PREVIEWS)
    for step in range(1, steps + 1):
        losses, images = objective()  # (B,), (B, C, R, R)
        optimiser.zero_grad(set_to_none=True)
        losses.sum().backward()  # latents are independent: the sum's gradient is each one's own
        optimiser.step()
        shown = preview(images[losses.argmin()].detach()) if step % every == 0 and step < steps else None
        best = float(losses.detach().min())
        control.report(
            step / (steps + 1), f"Fitting the known pixels: step {step}/{steps} ({best:.3f})", shown
        )
    with torch.no_grad():
        losses, images = objective()
    return losses.detach(), images.detach()


def ranked_fills(
    losses: torch.Tensor, images: torch.Tensor, count: int, target: CropTarget
) -> list[np.ndarray]:
    """The `count` best-fitting images as crops, best first."""
    order = torch.argsort(losses)[:count].tolist()
    return [crop_fill(images[i], target.crop_shape) for i in order]


def latent_inpaint(image: np.ndarray, mask: np.ndarray, margin: int, fit: CropFit) -> list[np.ndarray]:
    """Run `fit` on the crop around the mask; one full image per returned fill, best first."""

    def preview(fill: np.ndarray) -> np.ndarray:
        return inpaint_crop(image, mask, margin, lambda crop, hole: fill)

    fills: list[np.ndarray] = []

    def fit_first(crop: np.ndarray, hole: np.ndarray) -> np.ndarray:
        fills.extend(fit(crop, hole, preview))
        return fills[0]

    with autograd_on():
        results = [inpaint_crop(image, mask, margin, fit_first)]
    results += [inpaint_crop(image, mask, margin, lambda crop, hole, f=fill: f) for fill in fills[1:]]
    return results


def class_embedding(
    table: torch.Tensor, choice: str, class_names: tuple[str, ...], starts: int
) -> tuple[list[torch.Tensor], Callable[[], torch.Tensor]]:
    """(extra variables to optimise, a function giving the (S, E) class embedding now) from a model's
    (K, E) class embedding table. A named class is fixed; "auto" optimises a softmax mixture of the
    classes' embeddings, which stays among real classes while it finds the one that fits."""
    table = table.detach()
    if choice == AUTO or not class_names:
        logits = torch.zeros(starts, table.shape[0], device=table.device, requires_grad=True)  # (S, K)
        return [logits], lambda: torch.softmax(logits, dim=1) @ table
    fixed = table[list(class_names).index(choice)].expand(starts, -1)  # (S, E)
    return [], lambda: fixed
