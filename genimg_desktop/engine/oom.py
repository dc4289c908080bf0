"""Running out of memory: recognise it, free what can be freed, and pick a smaller batch or tile.

GenerationModel.run uses these to retry a job that ran out of memory with a halved batch/tile
parameter (the family names it in `oom_params`) before telling the user.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from typing import Any

import torch

from genimg_desktop.core.params import TaskSpec

MAX_OOM_RETRIES = 4  # halving 4 times takes a batch of 16 down to 1


class ModelOutOfMemory(MemoryError):
    """Out of memory even after the retries; the message is meant for the user as it is."""


def is_out_of_memory(exc: BaseException) -> bool:
    """CUDA's OutOfMemoryError, Python's MemoryError, and the RuntimeErrors that MPS and the CPU
    allocator raise (they have no type of their own, only a message)."""
    if isinstance(exc, (torch.OutOfMemoryError, MemoryError)):
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and ("out of memory" in text or "can't allocate memory" in text)


def free_memory(device: torch.device) -> None:
    """Collect garbage and hand cached GPU blocks back, so the retry starts from a clean slate.
    Call it after the failed attempt's exception (and the tensors its frames hold) is gone."""
    gc.collect()
    if device.type == "cuda" and torch.cuda.is_available():
        torch.cuda.empty_cache()
    elif device.type == "mps" and hasattr(torch, "mps"):
        torch.mps.empty_cache()


def shrink(task: TaskSpec, params: dict[str, Any], names: Sequence[str]) -> tuple[str, int, int] | None:
    """Halve the first of `names` this task has that can still shrink: (name, old, new), or None."""
    for name in names:
        try:
            spec = task.param(name)
        except KeyError:
            continue
        old = int(params[name])
        floor = max(int(spec.minimum or 1), 1)
        if old > floor:
            new = max(old // 2, floor)
            params[name] = new
            return name, old, new
    return None


def retry_note(steps: list[tuple[str, int, int]]) -> str:
    """E.g. "Ran out of memory; retried with batch 4, then batch 2"."""
    tried = ", then ".join(f"{name} {new}" for name, _, new in steps)
    return f"Ran out of memory; retried with {tried}"


def failure_message(device: torch.device, last: dict[str, int]) -> str:
    """The user's message once retries are spent; `last` holds the shrunk values tried last (or {})."""
    where = "GPU memory" if device.type in ("cuda", "mps") else "memory"
    tried = " even with " + ", ".join(f"{name} {value}" for name, value in last.items()) if last else ""
    hint = "paint a smaller area, lower the size" + (" or switch to the CPU" if where != "memory" else "")
    return f"Out of {where}{tried}: {hint}"
