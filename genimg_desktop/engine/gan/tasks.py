"""The GAN's tasks and their parameters, as the UI panels and `genimg generate` see them."""

from __future__ import annotations

from genimg_desktop.core.model_card import ModelCard
from genimg_desktop.core.params import ParamSpec, TaskSpec
from genimg_desktop.engine.gan.config import GanConfig
from genimg_desktop.engine.latent_common import (
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

TRUNCATION = ParamSpec(
    "truncation",
    "float",
    0.4,
    label="Truncation",
    minimum=0.0,
    maximum=1.0,
    step=0.05,
    help="0: off. Pulls each latent towards the average one (the truncation trick): higher gives more "
    "typical, cleaner but less varied images; 1 gives the class's average image (about 0.3-0.5 is a "
    "good trade).",
)
STRENGTH = ParamSpec(
    "strength",
    "float",
    0.3,
    label="Strength",
    minimum=0.0,
    maximum=2.0,
    step=0.05,
    help="Noise added to the seed's latent: 0 gives the seed's image, 1 a close relative (correlation "
    "0.7), 2 mostly a new image.",
)


def gan_tasks(card: ModelCard, config: GanConfig) -> tuple[TaskSpec, ...]:
    cls = class_param(card, (RANDOM,))
    sample = TaskSpec(
        "sample", "Sample", params=(cls, COUNT, TRUNCATION), help="New images of a class from the seed."
    )
    interpolate = TaskSpec(
        "interpolate",
        "Interpolate",
        params=(cls, class_param(card, (SAME,), "class_b"), SEED_B, FRAMES, TRUNCATION, STRIP),
        help="A smooth path from the seed's image to the second seed's (slerp between their latents; "
        "the class blends too when the second class differs).",
    )
    variations = TaskSpec(
        "variations",
        "Variations",
        params=(cls, COUNT, STRENGTH, TRUNCATION),
        help="Images near the seed's image: its latent with some noise added.",
    )
    directions = TaskSpec(
        "directions",
        "Latent directions",
        params=(
            cls,
            *edit_params(min(config.directions, config.w_dim), "the mapped latent w"),
            TRUNCATION,
        ),
        help="Move the seed's image along a principal direction of the latent space (GANSpace): "
        "unsupervised sliders that change pose, size, thickness or brightness.",
    )
    inpaint = inpaint_task(
        card, config.resolution, "1 = the Gaussian prior on z against a pixel noise of 0.1"
    )
    return sample, interpolate, variations, directions, inpaint
