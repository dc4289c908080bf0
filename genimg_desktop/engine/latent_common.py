"""Helpers shared by the latent-variable families (GAN, VAE): layouts, classes, latents, pixels.

Tensor convention: images are float (B, C, H, W) in [-1, 1]; the app's images are uint8 (H, W, 3) RGB.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import cv2
import numpy as np
import torch

from genimg_desktop.core.model_card import ModelCard
from genimg_desktop.core.params import ParamSpec

ConfigT = TypeVar("ConfigT")
RANDOM = "random"  # class choice: draw a class per image from the seed
AUTO = "auto"  # class choice: let the model find the class that fits the image
SAME = "same"  # second class choice: same as the first


# ---- network layout -------------------------------------------------------------------------------


def stage_plan(resolution: int) -> tuple[int, int]:
    """(base side, number of 2x stages) such that base * 2**stages == resolution and base <= 8.

    28 -> (7, 2), 32 -> (4, 3), 64 -> (4, 4), 16 -> (4, 2). Raises ValueError for sides that do not
    halve down to 8 or less (e.g. 27, 36 = 9 * 4)."""
    base, stages = int(resolution), 0
    while base > 7 and base % 2 == 0:
        base, stages = base // 2, stages + 1
    if base > 8 or base < 3 or stages == 0:
        raise ValueError(f"resolution {resolution} must be 3..8 times a power of two (e.g. 28, 32, 64)")
    return base, stages


def stage_widths(stages: int, width: int, max_width: int) -> list[int]:
    """Channel widths from the lowest resolution (index 0, widest) to the highest (`width`)."""
    return [min(width * 2 ** (stages - i), max_width) for i in range(stages + 1)]


def config_from_mapping(cls: type[ConfigT], values: Mapping[str, Any], strict: bool = True) -> ConfigT:
    """Build the dataclass `cls` from `values` (card config or `--set key=value` text), each value
    converted to the type of the field's default. Unknown keys are an error when `strict`."""
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(values) - set(fields))
    if unknown and strict:
        raise ValueError(f"unknown {cls.__name__} setting(s): {', '.join(unknown)}")
    kwargs: dict[str, Any] = {}
    for name, value in values.items():
        if name in fields:
            kwargs[name] = _convert(value, fields[name].default, name)
    return cls(**kwargs)


def _convert(value: Any, default: Any, name: str) -> Any:
    try:
        if isinstance(default, bool):
            return value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes")
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"setting '{name}': {value!r} is not a number") from exc
    return value


def check_card(card: ModelCard, resolution: int, channels: int, num_classes: int) -> None:
    """The card's top-level fields must agree with its config (they are what the UI shows)."""
    if card.resolution is not None and card.resolution != resolution:
        raise ValueError(f"card resolution {card.resolution} differs from config resolution {resolution}")
    if card.channels != channels:
        raise ValueError(f"card channels {card.channels} differ from config channels {channels}")
    if card.class_names and len(card.class_names) != num_classes:
        raise ValueError(f"card has {len(card.class_names)} class names, config num_classes {num_classes}")


# ---- classes --------------------------------------------------------------------------------------


def class_param(card: ModelCard, first: Sequence[str] = (RANDOM,), name: str = "class") -> ParamSpec:
    """A choice over the card's class names, preceded by special choices such as "random"."""
    choices = tuple(first) + tuple(card.class_names)
    return ParamSpec(
        name,
        "choice",
        choices[0],
        label="Class" if name == "class" else "Second class",
        choices=choices,
        help=f"What to make. {RANDOM}: a class per image drawn from the seed; {AUTO}: the model picks "
        f"the class that fits the image; {SAME}: as the first class.",
    )


def class_labels(
    choice: str, class_names: Sequence[str], num_classes: int, count: int, generator: torch.Generator
) -> torch.Tensor:
    """(count,) int64 labels on the CPU for a class choice ("random" draws them from `generator`)."""
    if choice == RANDOM or not class_names:
        return torch.randint(0, num_classes, (count,), generator=generator)
    return torch.full((count,), list(class_names).index(choice), dtype=torch.long)


def spread_labels(count: int, num_classes: int) -> torch.Tensor:
    """Class-major labels for a grid: with count = k * num_classes, sample i is of class i // k."""
    return torch.arange(count) * num_classes // max(count, 1)


# ---- latents --------------------------------------------------------------------------------------


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation between rows a, b (D,) at fractions t (T,) -> (T, D).

    Gaussian latents live near a sphere; a straight line between two of them passes through
    atypically short vectors (washed-out images in the middle), the great circle does not."""
    cos = torch.dot(a, b) / (a.norm() * b.norm()).clamp_min(1e-12)
    omega = torch.arccos(cos.clamp(-1.0, 1.0))
    t = t[:, None]  # (T, 1)
    if float(omega) < 1e-4:  # nearly parallel: the sine weights divide by ~0, the line is the same
        return (1 - t) * a + t * b
    return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)


def slerp_fields(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """`slerp` of whole noise tensors (1, ...) -> (T, ...): a walk between two noise fields on which
    every frame's noise stays unit Gaussian (no washed-out frame in the middle)."""
    return slerp(a.flatten(), b.flatten(), t).view(len(t), *a.shape[1:])


def edit_amounts(amount: float, steps: int) -> list[float]:
    """Frames of a direction edit: one frame at `amount`, or `steps` from -amount to +amount (the
    middle frame of an odd count is the unedited image)."""
    if steps <= 1:
        return [float(amount)]
    return np.linspace(-amount, amount, steps).tolist()


# ---- pixels ---------------------------------------------------------------------------------------


def to_rgb_uint8(images: torch.Tensor) -> list[np.ndarray]:
    """(B, C, H, W) in [-1, 1], C = 1 or 3 -> B arrays (H, W, 3) uint8 (gray repeated to 3 channels)."""
    # in place after the first op (a batch-1 image in 12 us, not 14; 16 colour 64x64 in 100 us, not 130)
    x = images.detach().float().add(1).mul_(127.5).round_().clamp_(0, 255).to(torch.uint8)
    x = x.permute(0, 2, 3, 1).cpu().numpy()  # (B, H, W, C)
    if x.shape[-1] == 1:
        x = np.repeat(x, 3, axis=-1)
    return list(np.ascontiguousarray(x))  # each image a contiguous (H, W, 3) view of one block


def image_to_tensor(image: np.ndarray, resolution: int, channels: int) -> torch.Tensor:
    """(H, W, 3) uint8 RGB -> (1, C, R, R) float in [-1, 1] on the CPU, resized (stretched) to the
    model's square resolution; gray models see the luminance."""
    small = resize_image(image, resolution, resolution)  # (R, R, 3)
    if channels == 1:
        small = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)[..., None]  # (R, R, 1)
    x = torch.from_numpy(np.ascontiguousarray(small)).permute(2, 0, 1).float()  # (C, R, R)
    return (x / 127.5 - 1.0)[None]


def uint8_to_tensor(images: np.ndarray) -> torch.Tensor:
    """(N, H, W, C) uint8 -> (N, C, H, W) float in [-1, 1] (bin centres of the 256 levels)."""
    x = torch.from_numpy(np.array(images, dtype=np.uint8))  # a copy: the caller's array may be read-only
    if x.ndim == 3:  # (N, H, W) gray
        x = x[..., None]
    return x.permute(0, 3, 1, 2).float() / 127.5 - 1.0


def resize_image(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize uint8 (H, W, C): area averaging when shrinking (no aliasing), cubic when growing."""
    if image.shape[:2] == (height, width):
        return np.ascontiguousarray(image)
    shrinking = height * width < image.shape[0] * image.shape[1]
    out = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC)
    return out.reshape(height, width, *image.shape[2:])  # cv2 drops a trailing axis of 1


def join_strip(images: Sequence[np.ndarray]) -> np.ndarray:
    """Frames side by side, left to right, as one (H, W * n, 3) image."""
    return np.ascontiguousarray(np.concatenate(list(images), axis=1))


def output_frames(frames: list[np.ndarray], strip: bool) -> list[np.ndarray]:
    return [join_strip(frames)] if strip else frames


# ---- shared parameters -----------------------------------------------------------------------------

COUNT = ParamSpec("count", "int", 4, label="Count", minimum=1, maximum=64, step=1, help="Images to make.")
SEED_B = ParamSpec(
    "seed_b", "int", 1, label="Second seed", minimum=0, maximum=2**31 - 1, help="Seed of the other end."
)
FRAMES = ParamSpec(
    "frames", "int", 8, label="Frames", minimum=2, maximum=32, step=1, help="Images in the path."
)
STRIP = ParamSpec(
    "strip", "bool", False, label="As one strip", help="Join the frames side by side into one image."
)
AMOUNT = ParamSpec(
    "amount",
    "float",
    2.0,
    label="Amount",
    minimum=-3.0,
    maximum=3.0,
    step=0.1,
    help="How far to move along the direction, in standard deviations of the latents along it.",
)
EDIT_STEPS = ParamSpec(
    "steps",
    "int",
    5,
    label="Steps",
    minimum=1,
    maximum=16,
    step=1,
    help="Frames of the strip, from -amount to +amount (the middle one is unchanged); 1: only +amount.",
)


def direction_param(count: int, what: str) -> ParamSpec:
    return ParamSpec(
        "direction",
        "int",
        0,
        label="Direction",
        minimum=0,
        maximum=max(count - 1, 0),
        step=1,
        help=f"Which principal direction of {what} to move along; 0 is the one of most variation.",
    )


def edit_params(count: int, what: str) -> tuple[ParamSpec, ...]:
    """Direction, amount, steps and strip: the parameters of moving along a principal direction."""
    return (direction_param(count, what), AMOUNT, EDIT_STEPS, STRIP)


def trainer_config(
    cls: type[ConfigT], extra: Mapping[str, Any], size: int, channels: int, num_classes: int
) -> ConfigT:
    """A family's settings for training: `--set key=value` extras, with the data deciding size,
    channels and classes (setting those by hand is refused, it would contradict the data)."""
    fixed = {"resolution": size, "channels": channels, "num_classes": max(num_classes, 1)}
    clash = sorted(set(fixed) & set(extra))
    if clash:
        raise ValueError(f"{', '.join(clash)} follow from the data and --size; do not --set them")
    return config_from_mapping(cls, {**extra, **fixed})
