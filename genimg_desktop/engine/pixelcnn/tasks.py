"""The tasks a PixelCNN offers and their parameters (what the UI builds its panels from)."""

from __future__ import annotations

from dataclasses import replace

from genimg_desktop.core.params import ParamSpec, TaskSpec
from genimg_desktop.engine.base import CONTEXT_MARGIN
from genimg_desktop.engine.pixelcnn.guidance import DEFAULT_GUIDANCE

RANDOM = "random"
ANY = "any"

TEMPERATURE = ParamSpec(
    "temperature",
    "float",
    1.0,
    label="Temperature",
    minimum=0.1,
    maximum=2.0,
    step=0.05,
    help="Below 1: safer, smoother pixels; above 1: more varied and noisier.",
)
KEEP_ROWS = ParamSpec(
    "keep_rows",
    "float",
    0.5,
    label="Keep rows",
    minimum=0.0,
    maximum=1.0,
    step=0.05,
    help="Without a mask: the top fraction of rows is kept and the rest is resampled.",
)
GUIDANCE = ParamSpec(
    "guidance",
    "float",
    DEFAULT_GUIDANCE,
    label="Class guidance",
    minimum=0.0,
    maximum=6.0,
    step=0.25,
    help="How hard each pixel leans towards the class: 1 draws from the model as trained; higher "
    "gives clearer class shapes and less variety; 0 ignores the class.",
)
# A fixed-resolution model sees the crop shrunk to its size, so a small margin keeps the hole detailed.
INPAINT_MARGIN = replace(CONTEXT_MARGIN, default=8)


def count_param(default: int, maximum: int, what: str) -> ParamSpec:
    return ParamSpec("count", "int", default, label="Count", minimum=1, maximum=maximum, step=1, help=what)


def class_param(class_names: tuple[str, ...], extra: str, what: str) -> ParamSpec:
    return ParamSpec("class", "choice", extra, label="Class", choices=(*class_names, extra), help=what)


def task_specs(class_names: tuple[str, ...], size: int, guided: bool) -> tuple[TaskSpec, ...]:
    """The tasks; `guided`: the model was trained with class dropout, so drawing tasks offer guidance."""
    pick = class_param(class_names, RANDOM, "What to draw; 'random' picks a class per image.")
    draw = (TEMPERATURE, GUIDANCE) if guided else (TEMPERATURE,)
    note = f"The model works at {size}x{size} pixels."
    sample = TaskSpec(
        "sample",
        "Sample",
        params=(count_param(4, 16, "How many images."), pick, *draw),
        help=f"Draw new images pixel by pixel. {note}",
    )
    complete = TaskSpec(
        "complete",
        "Complete",
        params=(count_param(4, 16, "Completions, most likely first."), pick, *draw, KEEP_ROWS),
        needs_image=True,
        help=f"Redraw the masked pixels (or the lower rows) of the image, keeping the rest. {note}",
    )
    likelihood = TaskSpec(
        "likelihood",
        "Likelihood",
        params=(class_param(class_names, ANY, "Score under this class; 'any': averaged over classes."),),
        needs_image=True,
        seeded=False,
        help=f"How probable the model finds the image (bits/dim), with a map of surprising pixels. {note}",
    )
    inpaint = TaskSpec(
        "inpaint",
        "Inpaint",
        params=(count_param(4, 8, "Candidates, most likely first."), pick, *draw, INPAINT_MARGIN),
        needs_image=True,
        needs_mask=True,
        help=f"Fill the painted area; the crop around it is resized to the model's size. {note}",
    )
    return (sample, complete, likelihood, inpaint)
