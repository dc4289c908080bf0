"""The texture model's tasks and their parameters, as the UI panels and `genimg generate` see them."""

from __future__ import annotations

from genimg_desktop.core.params import ParamSpec, TaskSpec

MAX_SIDE = 8192  # 64 MP: drawn in strips, so memory is no limit; the artist's patience is


def side(name: str, label: str, default: int) -> ParamSpec:
    return ParamSpec(
        name,
        "int",
        default,
        label=label,
        minimum=16,
        maximum=MAX_SIDE,
        step=16,
        help="Size of the texture in pixels (any size: the generator is fully convolutional).",
    )


WIDTH, HEIGHT = side("width", "Width", 512), side("height", "Height", 512)
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
    fill = TaskSpec(
        "fill",
        "Fill mask with texture",
        params=(MATCH,),
        needs_image=True,
        needs_mask=True,
        help="Paint the texture into the masked area at the picture's own scale (for large textured "
        "areas: grass, sand, water, a wall).",
    )
    return sample, variations, fill
