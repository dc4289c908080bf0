"""Resumable checkpoints: `out/checkpoint.pt` (core/run_folder.py), written atomically by rank 0.

Only tensors and plain values go in (no pickled classes), so it is read back with
`torch.load(weights_only=True)` like every other file the app loads.
"""

from __future__ import annotations

import dataclasses
import pickle
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genimg_desktop.core.atomic import write_atomic
from genimg_desktop.engine.training.family_trainer import TrainConfig

FORMAT = 1
# What must be equal to resume, because it changes what is being trained. The others may differ on a
# resume: more --steps, other intervals, another device, output folders, id, name, command line.
MATCH_KEYS = ("family", "data", "size", "channels", "limit", "batch_size", "lr", "seed", "extra", "init_from")


class CheckpointError(ValueError):
    """The run folder holds a checkpoint this run cannot continue (the message says why)."""


def config_dict(config: TrainConfig) -> dict[str, Any]:
    """The config as plain values (paths as text): for checkpoints and the model card."""
    data = dataclasses.asdict(config)
    return {key: str(value) if isinstance(value, Path) else value for key, value in data.items()}


def save_checkpoint(
    path: Path,
    config: TrainConfig,
    step: int,
    elapsed_s: float,
    trainer_state: dict[str, Any],
    origin: dict[str, str] | None = None,
) -> Path:
    """`origin`: the model the run started from ({"id", "sha256"}, warm_start.py), if any."""
    payload = {
        "format": FORMAT,
        "step": int(step),
        "elapsed_s": float(elapsed_s),
        "config": config_dict(config),
        "trainer": trainer_state,
        "rng": rng_state(),
        "origin": dict(origin) if origin else {},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, lambda handle: torch.save(payload, handle))


def peek_checkpoint(path: Path) -> tuple[dict[str, Any], dict[str, str] | None] | None:
    """(the saved config, the origin or None) of the checkpoint at `path`; None when there is no
    readable checkpoint of this version (load_checkpoint then says what is wrong with it)."""
    try:
        state = _read(path, torch.device("cpu"))
    except CheckpointError:
        return None
    if state is None:
        return None
    origin = state.get("origin") or None
    return state["config"], None if origin is None else {str(k): str(v) for k, v in origin.items()}


def _read(path: Path, device: torch.device) -> dict[str, Any] | None:
    """The checkpoint at `path` as saved, None when there is none; CheckpointError when unreadable."""
    if not path.is_file():
        return None
    try:
        state = torch.load(path, map_location=device, weights_only=True)
    except (pickle.UnpicklingError, EOFError, OSError, RuntimeError, ValueError) as exc:
        raise CheckpointError(
            f"{path} is not a readable checkpoint ({exc}); delete it to start over"
        ) from exc
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a checkpoint of this version; delete it to start over")
    return state


def load_checkpoint(path: Path, config: TrainConfig, device: torch.device) -> dict[str, Any] | None:
    """The checkpoint at `path` (tensors on `device`), None when there is none; CheckpointError when it
    is unreadable or belongs to a differently configured run."""
    state = _read(path, device)
    if state is None:
        return None
    saved, wanted = state["config"], config_dict(config)
    differ = [key for key in MATCH_KEYS if saved.get(key) != wanted.get(key)]
    if differ:
        detail = ", ".join(f"{key} {saved.get(key)!r} -> {wanted.get(key)!r}" for key in differ)
        raise CheckpointError(
            f"{path.parent} holds a checkpoint of a different run ({detail}); "
            "use another --out folder or delete the checkpoint"
        )
    return state


def rng_state() -> dict[str, Any]:
    """torch (CPU and CUDA), numpy and Python random states, as tensors and plain values."""
    _, keys, pos, has_gauss, gauss = np.random.get_state()
    version, py_state, py_gauss = random.getstate()
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "numpy": {
            "keys": torch.from_numpy(keys.astype(np.int64)),
            "pos": int(pos),
            "has_gauss": int(has_gauss),
            "gauss": float(gauss),
        },
        "python": {"version": version, "state": torch.tensor(py_state, dtype=torch.int64), "gauss": py_gauss},
    }


def restore_rng(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"].cpu())
    if state["cuda"] and torch.cuda.is_available() and len(state["cuda"]) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda"]])
    npy = state["numpy"]
    keys = npy["keys"].cpu().numpy().astype(np.uint32)
    np.random.set_state(("MT19937", keys, npy["pos"], npy["has_gauss"], npy["gauss"]))
    py = state["python"]
    random.setstate((py["version"], tuple(int(v) for v in py["state"].tolist()), py["gauss"]))


def seed_all(seed: int) -> None:
    """Seed torch (all devices), numpy's and Python's global generators from one number."""
    torch.manual_seed(seed)
    np.random.seed(seed % (1 << 32))
    random.seed(seed)
