"""The methods `genimg bench inpaint` compares: every installed inpainting model (the classical
OpenCV ones, PatchMatch and the learned fill networks) through the same `GenerationModel.run` the
app uses, plus scikit-image's biharmonic inpainting, which has no model card, run through the same
crop strategy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from genimg_desktop.core.progress import JobControl
from genimg_desktop.core.request import GenerationRequest

Fill = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (image, mask) -> filled image, same shape
BIHARMONIC = "skimage-biharmonic"
CLASSICAL_IDS = ("opencv-telea", "opencv-ns")
PATCHMATCH = "patchmatch"


@dataclass(frozen=True)
class Method:
    name: str
    kind: str  # "classical" or "learned"
    fill: Fill
    # The same method with other task parameters (registry models only), e.g. a smaller max_side.
    with_params: Callable[[dict[str, Any]], Method] | None = None


def biharmonic(margin: int = 16) -> Method:
    """skimage.restoration.inpaint_biharmonic on a crop around the mask (it solves one sparse system
    over the crop, so the crop keeps it usable on big pictures)."""
    from skimage.restoration import inpaint_biharmonic

    from genimg_desktop.engine.holes import inpaint_holes

    def fill_crop(crop: np.ndarray, hole: np.ndarray) -> np.ndarray:
        out = inpaint_biharmonic(crop, hole > 0, channel_axis=-1)  # float in [0, 1]
        return np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8)

    return Method(BIHARMONIC, "classical", lambda image, mask: inpaint_holes(image, mask, margin, fill_crop))


def model_method(registry: Any, model_id: str, device: Any, params: dict[str, Any] | None = None) -> Method:
    """A registry model's "inpaint" task as a Method (loaded once, here, not inside the timing)."""
    from genimg_desktop.engine.families import family

    model = registry.load(model_id, device)
    kind = "classical" if family(model.family).trainer is None else "learned"  # OpenCV, PatchMatch: untrained

    return _model_method(model, model_id, kind, dict(params or {}))


def _model_method(model: Any, model_id: str, kind: str, params: dict[str, Any]) -> Method:
    def fill(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
        request = GenerationRequest(model_id, "inpaint", dict(params), 0, image, mask)
        return model.run(request, JobControl()).images[0]

    def with_params(more: dict[str, Any]) -> Method:
        return _model_method(model, model_id, kind, {**params, **more})

    return Method(model_id, kind, fill, with_params)


def installed_methods(device: Any, only: tuple[str, ...] = ()) -> list[Method]:
    """OpenCV Telea and NS, biharmonic, PatchMatch (when its library is installed), then every
    installed fill network (a trained family that runs at any picture size, engine/families.py);
    `only` narrows to those names."""
    from genimg_desktop.engine.families import family
    from genimg_desktop.engine.registry import ModelRegistry

    registry = ModelRegistry()
    found = registry.refresh()
    learned = sorted(d.id for d in found if _is_fill_network(family(d.card.family)))
    patch = [PATCHMATCH] if PATCHMATCH in {d.id for d in found} else []
    wanted = [*CLASSICAL_IDS, BIHARMONIC, *patch, *learned]
    if only:
        missing = sorted(set(only) - set(wanted))
        if missing:
            raise ValueError(f"no inpainting method {', '.join(missing)} (there are: {', '.join(wanted)})")
        wanted = [name for name in wanted if name in only]
    return [biharmonic() if name == BIHARMONIC else model_method(registry, name, device) for name in wanted]


def _is_fill_network(entry: Any) -> bool:
    return entry.trainer is not None and entry.any_size
