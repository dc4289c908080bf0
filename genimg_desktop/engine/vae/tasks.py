"""The VAE's tasks and their parameters, as the UI panels and `genimg generate` see them."""

from __future__ import annotations

from genimg_desktop.core.model_card import ModelCard
from genimg_desktop.core.params import ParamSpec, TaskSpec
from genimg_desktop.engine.latent_common import (
    AUTO,
    COUNT,
    FRAMES,
    RANDOM,
    SAME,
    SEED_B,
    STRIP,
    class_param,
    edit_params,
)
from genimg_desktop.engine.latent_inpaint import inpaint_task
from genimg_desktop.engine.vae.config import VaeConfig

CANVAS, MODEL, SEED, FILE = "canvas", "model", "seed", "file"

TEMPERATURE = ParamSpec(
    "temperature",
    "float",
    1.0,
    label="Temperature",
    minimum=0.0,
    maximum=2.0,
    step=0.05,
    help="Spread of the latent drawn around one of the class's typical looks: below 1 more typical "
    "and smoother images, 0 that look itself, above 1 stranger ones.",
)
OUTPUT_SIZE = ParamSpec(
    "output_size",
    "choice",
    CANVAS,
    label="Output size",
    choices=(CANVAS, MODEL),
    help="canvas: the result resized to the canvas image's size; model: at the model's resolution.",
)
START = ParamSpec(
    "start",
    "choice",
    SEED,
    label="Start from",
    choices=(SEED, CANVAS),
    help="seed: the seed's sample; canvas: the canvas image, encoded (its class is the one that fits "
    "it best when the class is random).",
)

END = ParamSpec(
    "end",
    "choice",
    SEED,
    label="End at",
    choices=(SEED, FILE),
    help="seed: the second seed's sample; file: the picture in 'End image', encoded (its class: "
    "Class b when that names one, else the one that fits it best).",
)
END_IMAGE = ParamSpec(
    "end_image",
    "image_file",
    "",
    label="End image",
    help="The picture to end at when 'End at' is file (any size: resized like the canvas image).",
)


def vae_tasks(card: ModelCard, config: VaeConfig) -> tuple[TaskSpec, ...]:
    random_class, fit_class = class_param(card, (RANDOM,)), class_param(card, (AUTO,))
    res = config.resolution
    sample = TaskSpec(
        "sample",
        "Sample",
        params=(random_class, COUNT, TEMPERATURE),
        help="New images of a class: latents drawn from the prior, decoded.",
    )
    reconstruct = TaskSpec(
        "reconstruct",
        "Encode and decode",
        params=(fit_class, OUTPUT_SIZE),
        needs_image=True,
        help=f"The canvas image (resized to {res}x{res}) as the model sees it: encoded, then decoded.",
    )
    interpolate = TaskSpec(
        "interpolate",
        "Interpolate",
        params=(
            START,
            random_class,
            END,
            END_IMAGE,
            class_param(card, (SAME,), "class_b"),
            SEED_B,
            FRAMES,
            TEMPERATURE,
            STRIP,
        ),
        uses_image=("start", CANVAS),
        help="A smooth path in latent space from the seed's sample (or the encoded canvas image) to "
        "the second seed's sample (or an encoded picture file): between two of your own images.",
    )
    edit = TaskSpec(
        "edit",
        "Edit latent",
        params=(
            fit_class,
            *edit_params(min(config.directions, config.z_dim), "the encoded training images"),
            OUTPUT_SIZE,
        ),
        needs_image=True,
        help=f"Encode the canvas image (resized to {res}x{res}), move its latent along a principal "
        "direction of the training data, decode.",
    )
    inpaint = inpaint_task(card, res, "1 = the exact posterior mode under the model's likelihood")
    return sample, reconstruct, interpolate, edit, inpaint
