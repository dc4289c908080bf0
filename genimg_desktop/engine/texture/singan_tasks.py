"""The multi-scale picture model's tasks: random versions of the picture at any size and aspect ratio,
variations that keep its layout, and an animated walk."""

from __future__ import annotations

from genimg_desktop.core.params import ParamSpec, TaskSpec
from genimg_desktop.engine.latent_common import FRAMES, SEED_B, STRIP
from genimg_desktop.engine.texture.tasks import side

# Every scale runs a full-width convolution stack over the picture at once (no strips): 2048 px is
# ~0.5 GB of activations and ~20 s on a 2-core CPU.
MAX_SIDE = 2048

WIDTH, HEIGHT = side("width", "Width", 256, MAX_SIDE), side("height", "Height", 256, MAX_SIDE)
COUNT = ParamSpec("count", "int", 1, label="Count", minimum=1, maximum=8, step=1, help="Pictures to make.")


def keep_param(scales: int) -> ParamSpec:
    return ParamSpec(
        "keep",
        "int",
        min(1, scales - 1),
        label="Scales kept",
        minimum=0,
        maximum=max(scales - 1, 0),
        step=1,
        help="How many of the coarsest scales come from the picture itself: 0 a new layout, 1 the "
        "picture's layout with new shapes, more keeps more of it and changes only finer detail.",
    )


def singan_tasks(scales: int) -> tuple[TaskSpec, ...]:
    sample = TaskSpec(
        "sample",
        "New versions",
        params=(WIDTH, HEIGHT, COUNT),
        help="Random pictures made of the training picture's content, at any size and aspect ratio.",
    )
    variations = TaskSpec(
        "variations",
        "Variations",
        params=(WIDTH, HEIGHT, COUNT, keep_param(scales)),
        help="The picture with its coarse layout kept and the finer scales drawn anew.",
    )
    interpolate = TaskSpec(
        "interpolate",
        "Interpolate (animate)",
        params=(WIDTH, HEIGHT, SEED_B, FRAMES, STRIP),
        help="A smooth walk from the seed's picture to the second seed's (slerp of every scale's "
        "noise): frames for a looping animation (Samples > Animation…).",
    )
    return sample, variations, interpolate
