"""The texture model's tasks and their parameters, as the UI panels and `genimg generate` see them."""

from __future__ import annotations

from genimg_desktop.core.params import ParamSpec, TaskSpec
from genimg_desktop.engine.latent_common import FRAMES, SEED_B, STRIP

MAX_SIDE = 8192  # 64 MP: drawn in strips, so memory is no limit; the artist's patience is
# An animation's frames are all held at once (32 frames of 1024 x 1024: 400 MB as floats).
MAX_FRAME_SIDE = 1024


def side(name: str, label: str, default: int, maximum: int = MAX_SIDE) -> ParamSpec:
    return ParamSpec(
        name,
        "int",
        default,
        label=label,
        minimum=16,
        maximum=maximum,
        step=16,
        help="Size of the texture in pixels (any size: the generator is fully convolutional).",
    )


WIDTH, HEIGHT = side("width", "Width", 512), side("height", "Height", 512)
FRAME_WIDTH = side("width", "Width", 256, MAX_FRAME_SIDE)
FRAME_HEIGHT = side("height", "Height", 256, MAX_FRAME_SIDE)
COUNT = ParamSpec("count", "int", 1, label="Count", minimum=1, maximum=16, step=1, help="Textures to make.")
TILE = ParamSpec(
    "tile",
    "bool",
    False,
    label="Tileable",
    help="Wrap the noise around: the texture repeats seamlessly when laid side by side (as a pattern "
    "or a game material).",
)
STRENGTH = ParamSpec(
    "strength",
    "float",
    0.3,
    label="Strength",
    minimum=0.0,
    maximum=2.0,
    step=0.05,
    help="How far the overall look may move from the seed's: 0 keeps it (only the arrangement "
    "changes), 1 a close relative, 2 mostly a new look.",
)
MATCH = ParamSpec(
    "match_colours",
    "float",
    0.0,
    label="Match surroundings",
    minimum=0.0,
    maximum=1.0,
    step=0.1,
    help="0: the texture's own colours. 1: its colour and tone moved to those of the picture around the "
    "mask (Reinhard colour transfer), so it sits in the photo's light.",
)


def texture_tasks() -> tuple[TaskSpec, ...]:
    sample = TaskSpec(
        "sample",
        "Texture",
        params=(WIDTH, HEIGHT, COUNT, TILE),
        help="A texture of any size from the seed; tileable on request.",
    )
    variations = TaskSpec(
        "variations",
        "Variations",
        params=(WIDTH, HEIGHT, COUNT, STRENGTH, TILE),
        help="Textures near the seed's: the same overall look, the details laid out anew.",
    )
    interpolate = TaskSpec(
        "interpolate",
        "Interpolate (animate)",
        params=(FRAME_WIDTH, FRAME_HEIGHT, SEED_B, FRAMES, TILE, STRIP),
        help="A smooth walk from the seed's texture to the second seed's (every noise field along a "
        "great circle): frames for a looping animation (Samples > Animation…), tileable on request.",
    )
    fill = TaskSpec(
        "fill",
        "Fill mask with texture",
        params=(MATCH,),
        needs_image=True,
        needs_mask=True,
        help="Paint the texture into the masked area at the picture's own scale (for large textured "
        "areas: grass, sand, water, a wall).",
    )
    return sample, variations, interpolate, fill
