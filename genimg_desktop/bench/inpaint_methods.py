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
UNLEARNED_FAMILIES = ("classical", "patchmatch")  # scored as "classical": no network at all
HYBRID_FAMILY = "hybrid"
# The hybrid's other order (the network refining PatchMatch's fill), benched beside the card's own.
REFINE_SUFFIX, REFINE_ORDER = " (refine)", "refine"


@dataclass(frozen=True)
class Method:
    name: str
    kind: str  # "classical", "learned" (a fill network: coarse-to-fine and targets) or "hybrid"
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
    model = registry.load(model_id, device)
    return _model_method(model, model_id, _kind(model.family), dict(params or {}))


def _kind(family_name: str) -> str:
    if family_name == HYBRID_FAMILY:
        return "hybrid"
    return "classical" if family_name in UNLEARNED_FAMILIES else "learned"


def other_order(registry: Any, model_id: str, device: Any) -> Method:
    """The hybrid `model_id` with the network refining PatchMatch's fill (its card's other order)."""
    from dataclasses import replace

    from genimg_desktop.engine.hybrid import HybridInpaint

    card = registry.descriptor(model_id).card
    model = HybridInpaint(replace(card, config={**card.config, "order": REFINE_ORDER}), device)
    model.load()
    return _model_method(model, model_id, "hybrid", {}, model_id + REFINE_SUFFIX)


def _model_method(
    model: Any, model_id: str, kind: str, params: dict[str, Any], name: str | None = None
) -> Method:
    def fill(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
        request = GenerationRequest(model_id, "inpaint", dict(params), 0, image, mask)
        return model.run(request, JobControl()).images[0]

    def with_params(more: dict[str, Any]) -> Method:
        return _model_method(model, model_id, kind, {**params, **more}, name)

    return Method(name or model_id, kind, fill, with_params)


def installed_methods(device: Any, only: tuple[str, ...] = ()) -> list[Method]:
    """OpenCV Telea and NS, biharmonic, PatchMatch (when its library is installed), every installed
    fill network (a trained family that runs at any picture size, engine/families.py), then each
    hybrid in its card's order and in the other; `only` narrows to those names."""
    from genimg_desktop.engine.families import family
    from genimg_desktop.engine.registry import ModelRegistry

    registry = ModelRegistry()
    found = registry.refresh()
    learned = sorted(d.id for d in found if _inpaints(d) and _is_fill_network(family(d.card.family)))
    patch = [PATCHMATCH] if PATCHMATCH in {d.id for d in found} else []
    hybrids = sorted(d.id for d in found if d.card.family == HYBRID_FAMILY)
    refined = [name + REFINE_SUFFIX for name in hybrids]
    wanted = [*CLASSICAL_IDS, BIHARMONIC, *patch, *learned, *hybrids, *refined]
    if only:
        missing = sorted(set(only) - set(wanted))
        if missing:
            raise ValueError(f"no inpainting method {', '.join(missing)} (there are: {', '.join(wanted)})")
        wanted = [name for name in wanted if name in only]
    return [_method(registry, name, device) for name in wanted]


def _method(registry: Any, name: str, device: Any) -> Method:
    if name == BIHARMONIC:
        return biharmonic()
    if name.endswith(REFINE_SUFFIX):
        return other_order(registry, name.removesuffix(REFINE_SUFFIX), device)
    return model_method(registry, name, device)


def _inpaints(descriptor: Any) -> bool:
    """Whether the model offers the "inpaint" task (an upscaler runs at any size too, but does not)."""
    return any(task.name == "inpaint" for task in descriptor.tasks)


def _is_fill_network(entry: Any) -> bool:
    return entry.trainer is not None and entry.any_size
