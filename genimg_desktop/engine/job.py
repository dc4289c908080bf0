"""One attempt at one task: everything a family's `GenerationModel._run` is given, in one object."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from genimg_desktop.core.params import TaskSpec
from genimg_desktop.core.progress import JobControl


@dataclass
class Job:
    """Built by `GenerationModel.run` for each attempt (a retry after running out of memory gets a
    fresh one, so a failed attempt leaves nothing behind)."""

    task: TaskSpec
    params: dict[str, Any]  # resolved and checked by the task's ParamSpecs
    image: np.ndarray | None  # (H, W, 3) uint8 RGB, a read-only view of the document's pixels
    mask: np.ndarray | None  # (H, W) uint8, 255 = regenerate, read-only too
    control: JobControl  # progress, previews and cancelling
    generator: torch.Generator  # CPU generator seeded from `seed`: the job's randomness
    seed: int  # for a library that keeps its own random state (patchmatch.py)
    # What the task adds to the result's info (scores, maps, class names), after the base's keys.
    info: dict[str, Any] = field(default_factory=dict)
