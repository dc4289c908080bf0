"""The "upscale" and "restore" families: a network from architectures.py run over the picture in tiles.

`ImageToImageModel` does the shared work (the network by the card's `config["architecture"]`, its
weights, the device, half precision where checked, tiling with progress and cancel, the `tile`
parameter halved when memory runs out); each family adds only its task. Alpha is the caller's
(core/upscale.attach_alpha): the networks see RGB.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from genimg_desktop.core import upscale
from genimg_desktop.core.model_card import ModelCard
from genimg_desktop.core.params import ParamSpec, TaskSpec
from genimg_desktop.core.progress import JobControl
from genimg_desktop.engine.base import GenerationModel, mask_bbox
from genimg_desktop.engine.declared_shapes import build_checked
from genimg_desktop.engine.job import Job
from genimg_desktop.engine.precision import choose_draw, half_dtype
from genimg_desktop.engine.restore.architectures import build_network, builder
from genimg_desktop.engine.restore.tiling import TileProgress, run_tiled

DEFAULT_CONTEXT = 16  # input pixels a tile sees past its edge unless the network states its `context`
OVERLAP = 16  # input pixels neighbouring tiles cross-fade over
BLEND_ROWS = 256  # rows blended at a time (bounds the float temporaries)
# Half precision is kept only if the check picture moves by at most this many of 255 levels: the
# restored or enlarged picture is the artist's own photo, so the bar is stricter than for samples.
HALF_TOLERANCE_LEVELS = 1.0

TILE = ParamSpec(
    "tile",
    "int",
    512,
    label="Tile size",
    minimum=32,
    maximum=4096,
    step=32,
    help="The picture is processed in square tiles of this many pixels (overlapping, blended without "
    "seams); smaller tiles need less memory, larger ones are a little faster.",
)


class ImageToImageModel(GenerationModel):
    """A network mapping (N, 3, H, W) RGB in 0..1 to (N, 3, H*scale, W*scale), run in tiles."""

    oom_params = ("tile",)

    def __init__(self, card: ModelCard, device: torch.device | str) -> None:
        super().__init__(card, device)
        self.scale = native_scale(card)
        self._net: nn.Module | None = None
        self._draw: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None

    @classmethod
    def check_card(cls, card: ModelCard) -> None:
        """ValueError for a card this family cannot use (listing time: nothing is built)."""
        builder(card.config)
        native_scale(card)

    def load(self) -> None:
        net = build_checked(self.card.weights, lambda: build_network(self.card.config))
        self._net = self.load_state(net).requires_grad_(False)
        with torch.inference_mode():
            self._draw, self.precision = choose_draw(
                self._draw_in, _check_inputs(self.device), half_dtype(self.device), HALF_TOLERANCE_LEVELS
            )

    @property
    def net(self) -> nn.Module:
        return self._loaded(self._net)

    @property
    def takes_noise_level(self) -> bool:
        return bool(getattr(self.net, "takes_noise_level", False))

    @property
    def context(self) -> int:
        return int(getattr(self.net, "context", DEFAULT_CONTEXT))

    def enhance(
        self, image: np.ndarray, tile: int, level: float = 1.0, progress: TileProgress | None = None
    ) -> np.ndarray:
        """The network over `image` ((H, W, 3) uint8) in tiles: (H*scale, W*scale, 3) uint8.
        `level` is the noise-level map's value for networks that take one."""
        align = int(getattr(self.net, "size_multiple", 1))
        return run_tiled(
            image, lambda t: self.forward(t, level), self.scale, tile, self.context, OVERLAP, progress, align
        )

    def forward(self, pixels: np.ndarray, level: float = 1.0) -> np.ndarray:
        """The network on one (h, w, 3) uint8 tile: (h*scale, w*scale, 3) float32 in 0..255."""
        height, width = pixels.shape[:2]
        image = torch.from_numpy(np.array(pixels)).to(self.device).permute(2, 0, 1)[None].float().div(255)
        multiple = int(getattr(self.net, "size_multiple", 1))
        # Replicate, not reflect: reflection needs the pad to be shorter than the side.
        image = F.pad(image, (0, -width % multiple, 0, -height % multiple), mode="replicate")
        levels = torch.full_like(image[:, :1], float(level))
        out = self._loaded(self._draw)(image, levels)[0, :, : height * self.scale, : width * self.scale]
        return out.float().add(1.0).mul(127.5).clamp(0, 255).permute(1, 2, 0).contiguous().cpu().numpy()

    def _draw_in(self, dtype: torch.dtype) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
        """The network computing in `dtype`, as precision.choose_draw wants it: output in [-1, 1]."""
        net = self.net if dtype == torch.float32 else copy.deepcopy(self.net).to(dtype)
        takes_level = self.takes_noise_level

        def draw(image: torch.Tensor, levels: torch.Tensor) -> torch.Tensor:
            inputs = (image.to(dtype), levels.to(dtype)) if takes_level else (image.to(dtype),)
            return net(*inputs).float().clamp(0, 1).mul(2.0).sub(1.0)

        return draw

    def _progress(self, control: JobControl, what: str, part: tuple[int, int] = (0, 1)) -> TileProgress:
        """Tile progress as the job's progress (part `part[0]` of `part[1]` equal parts); it cancels."""

        def report(done: int, total: int) -> None:
            control.report(
                (part[0] + done / total) / part[1], f"{what} ({self.card.name}): tile {done}/{total}"
            )

        return report


class UpscaleModel(ImageToImageModel):
    """Enlarge the picture: the native scale, or any factor up to 8 by chaining and resampling."""

    family = "upscale"

    @classmethod
    def task_specs(cls, card: ModelCard) -> tuple[TaskSpec, ...]:
        cls.check_card(card)
        scale = native_scale(card)
        if scale < 2:
            raise ValueError(f"an upscale model's config 'scale' must be 2 or more, got {scale}")
        factor = ParamSpec(
            "scale",
            "float",
            float(scale),
            label="Factor",
            minimum=1.0,
            maximum=upscale.MAX_FACTOR,
            step=0.5,
            help=f"How much larger the picture becomes. The network enlarges x{scale}; other factors run "
            "it again as needed, then shrink the result to the exact size (Lanczos).",
        )
        task = TaskSpec(
            "upscale",
            "Upscale",
            params=(factor, TILE),
            needs_image=True,
            seeded=False,
            help="Enlarge the whole picture with the upscaling network; works at any picture size.",
        )
        return (task,)

    def _run(self, job: Job) -> list[np.ndarray]:
        assert job.image is not None
        factor = float(job.params["scale"])
        size = upscale.target_size(job.image.shape[1::-1], factor)
        runs = upscale.passes(self.scale, factor)
        out = job.image
        for index in range(runs):
            out = self.enhance(
                out, job.params["tile"], progress=self._progress(job.control, "Upscaling", (index, runs))
            )
        job.info["native_scale"] = self.scale
        job.info["passes"] = runs
        out = upscale.resample(out, size)
        job.control.report(1.0, "Done")
        return [out]


class RestoreModel(ImageToImageModel):
    """Remove noise and compression artefacts, on the whole picture or through the mask."""

    family = "restore"

    @classmethod
    def task_specs(cls, card: ModelCard) -> tuple[TaskSpec, ...]:
        cls.check_card(card)
        if native_scale(card) != 1:
            raise ValueError("a restore model's config 'scale' must be 1")
        strength = ParamSpec(
            "strength",
            "float",
            float(card.config.get("strength", 1.0)),
            label="Strength",
            minimum=0.0,
            maximum=1.0,
            step=0.05,
            help="How much noise to remove: lower keeps some grain (0 leaves the picture as it is).",
        )
        task = TaskSpec(
            "denoise",
            "Denoise / restore",
            params=(strength, TILE),
            needs_image=True,
            uses_mask=True,
            seeded=False,
            help="Remove noise and JPEG artefacts from the whole picture, or only where the mask is "
            "painted (every pixel outside it stays exactly as it was).",
        )
        return (task,)

    def _run(self, job: Job) -> list[np.ndarray]:
        assert job.image is not None
        strength = float(job.params["strength"])
        image, mask = job.image, job.mask
        box = mask_bbox(mask, self.context) if mask is not None and mask.any() else None
        y0, y1, x0, x1 = box if box is not None else (0, image.shape[0], 0, image.shape[1])
        crop = image[y0:y1, x0:x1]
        progress = self._progress(job.control, "Restoring")
        cleaned = self.enhance(crop, job.params["tile"], strength, progress)
        # A network with a noise-level input is told the strength; a blind one is blended with it.
        weight = np.float32(1.0 if self.takes_noise_level else strength)
        weights = np.full(crop.shape[:2], weight, np.float32)
        if box is not None:
            assert mask is not None
            weights *= mask[y0:y1, x0:x1].astype(np.float32) / 255
        out = np.array(image)
        out[y0:y1, x0:x1] = blend(crop, cleaned, weights)
        job.control.report(1.0, "Done")
        return [out]


def blend(base: np.ndarray, result: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """`result` over `base` by (H, W) weights in 0..1; where a weight is 0 the base pixel is kept bit
    for bit, where it is 1 the result's. Blended in bands of rows: no float copy of the whole picture."""
    out = np.array(result)
    for top in range(0, len(base), BLEND_ROWS):
        rows = slice(top, top + BLEND_ROWS)
        weight = weights[rows]
        if (weight == 1).all():
            continue
        mixed = (
            base[rows].astype(np.float32) + (result[rows].astype(np.float32) - base[rows]) * weight[..., None]
        )
        band = np.clip(np.rint(mixed), 0, 255).astype(np.uint8)
        np.copyto(band, base[rows], where=(weight == 0)[..., None])
        out[rows] = band
    return out


def native_scale(card: ModelCard) -> int:
    """The card's `config["scale"]`: how much the network enlarges (1 for a restorer)."""
    value: Any = card.config.get("scale", 1)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 8:
        raise ValueError(f"config 'scale' must be a whole number from 1 to 8, got {value!r}")
    return value


def _check_inputs(device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """The fixed picture half precision is checked on: smooth gradients with seeded noise and edges."""
    generator = torch.Generator().manual_seed(0)
    ramp = torch.linspace(0, 1, 48)
    image = torch.stack(
        [ramp[None, :].expand(48, 48), ramp[:, None].expand(48, 48), ramp.flip(0)[None, :].expand(48, 48)]
    )
    image = (image + 0.1 * torch.randn(3, 48, 48, generator=generator)).clamp(0, 1)
    image[:, 16:32, 16:32] = 1.0 - image[:, 16:32, 16:32]
    return image[None].to(device), torch.full((1, 1, 48, 48), 0.5, device=device)
