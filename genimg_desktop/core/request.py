"""The one request type that crosses from the GUI (or the CLI) to the engine, and its result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class GenerationRequest:
    """Everything the engine needs to run one job.

    image: (H, W, 3) uint8 RGB, or None for tasks that need no input image.
    mask:  (H, W) uint8, 255 = regenerate, 0 = keep; same H, W as image; or None.
    """

    model_id: str
    task: str
    params: Mapping[str, Any] = field(default_factory=dict)
    seed: int = 0
    image: np.ndarray | None = None
    mask: np.ndarray | None = None

    def summary(self) -> dict[str, Any]:
        """JSON-able description (no pixel data): stored in gallery entries and PNG metadata."""
        out: dict[str, Any] = {
            "model": self.model_id,
            "task": self.task,
            "seed": int(self.seed),
            "params": dict(self.params),
        }
        if self.image is not None:
            out["image_size"] = [int(self.image.shape[1]), int(self.image.shape[0])]
        return out


@dataclass
class GenerationResult:
    """What a finished job hands back: one or more (H, W, 3) uint8 RGB images."""

    request: GenerationRequest
    images: list[np.ndarray]
    info: dict[str, Any] = field(default_factory=dict)  # e.g. resolved params, device, timings
    elapsed_s: float = 0.0

    def pick(self, index: int) -> GenerationResult:
        """This result narrowed to its image `index` (recorded as "index" in the metadata), for
        saving or placing one sample of a grid."""
        if len(self.images) == 1:
            return self
        return GenerationResult(
            self.request, [self.images[index]], {**self.info, "index": index}, self.elapsed_s
        )

    def metadata(self) -> dict[str, Any]:
        """Parameters to embed into a saved PNG and to keep in the gallery."""
        meta = self.request.summary()
        meta.update({k: v for k, v in self.info.items() if _jsonable(v)})
        meta["elapsed_s"] = round(self.elapsed_s, 4)
        return meta


def _jsonable(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool, type(None), list, dict, tuple))
