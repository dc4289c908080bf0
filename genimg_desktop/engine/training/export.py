"""Writing the finished model: `<id>.safetensors` + `<id>.json` card where the registry finds it."""

from __future__ import annotations

import datetime
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save as safetensors_bytes

from genimg_desktop.core import paths
from genimg_desktop.core.atomic import write_atomic, write_json
from genimg_desktop.core.hash_cache import hash_file
from genimg_desktop.engine.families import family
from genimg_desktop.engine.training.family_trainer import FamilyTrainer, TrainConfig

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


# Licences of the built-in data sets (see shared DATA.md), for the card; a folder is the user's own.
LICENCES = {
    "fashion-mnist": "MIT (Zalando Research)",
    "mnist": "MNIST's own terms (Yann LeCun, Corinna Cortes, Christopher Burges)",
    "emoji": "SIL Open Font License 1.1 (Noto Color Emoji)",
    "emoji-all": "SIL Open Font License 1.1 (Noto Color Emoji)",
    "openclipart": "CC0 1.0 (public domain)",
    "photos": "BSD-3-Clause (sample photos of scikit-image and scikit-learn)",
    "debian-photos": "each photo's own, as its Debian package states: public domain, CC0, CC-BY(-SA) "
    "3.0/4.0, GPL-2+/3+, LGPL (packages named in data_source)",
}
FOLDER_LICENCE = "the user's own images: their licence applies"


@dataclass(frozen=True)
class RunInfo:
    """Facts about the run for the card (the config says what was asked, this what happened)."""

    steps: int
    wall_time_s: float
    device: str
    processes: int
    dataset: Any  # the training split's ImageDataset (name, source, skipped, length)
    grid: Path | None = None  # the last sample grid of the run, shown by the app's model manager
    precision: str = "float32"  # the forward passes' type in the last part of the run
    init_from: dict[str, Any] | None = None  # the model whose weights the run started from (id, sha256)

    @property
    def licence(self) -> str:
        name = self.dataset.name
        own = getattr(self.dataset, "licence", "")
        if own or "+" not in name:  # "openclipart+photos": each part under its own licence
            return own or LICENCES.get(name, FOLDER_LICENCE)
        return "; ".join(f"{part}: {LICENCES.get(part, FOLDER_LICENCE)}" for part in name.split("+"))


def model_id_for(config: TrainConfig) -> str:
    """`--id`, or "<family>-<data>-<size>" (e.g. "gan-fashion-mnist-28"); checked to be a safe file name."""
    model_id = (
        config.model_id or f"{config.family}-{_slug(Path(config.data).name or config.data)}-{config.size}"
    )
    if not _ID.fullmatch(model_id):
        raise ValueError(f"model id '{model_id}' must be letters, digits, '.', '_' or '-' (at most 100)")
    return model_id


def models_dir_for(config: TrainConfig) -> Path:
    folder = Path(config.models_dir) if config.models_dir else paths.user_models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check_id_free(config: TrainConfig) -> None:
    """Fail before training, not after: a user model with a built-in model's id would be hidden by it."""
    model_id, target = model_id_for(config), models_dir_for(config).resolve()
    builtin = paths.builtin_models_dir()
    if target != builtin.resolve() and (builtin / f"{model_id}.json").is_file():
        raise ValueError(f"model id '{model_id}' belongs to a built-in model; choose another with --id")


def check_models_folder_writable(config: TrainConfig) -> None:
    """Fail before training, not after it: a read-only models folder was found only at the export."""
    try:
        folder = models_dir_for(config)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        where = config.models_dir or "in your data folder"
        raise ValueError(
            f"the models folder {where} cannot be written ({exc.strerror or exc}), so the finished "
            "model could not be saved there: make it writable or choose another with --models-dir"
        ) from None


def export_model(trainer: FamilyTrainer, config: TrainConfig, info: RunInfo) -> Path:
    """Write the weights and the card; returns the card's path."""
    tensors, arch = trainer.export()
    model_id, folder = model_id_for(config), models_dir_for(config)
    # clone(): safetensors refuses tensors that share memory (tied weights, views of one buffer).
    plain = {name: t.detach().to("cpu").contiguous().clone() for name, t in tensors.items()}
    weights = write_atomic(folder / f"{model_id}.safetensors", lambda f: f.write(safetensors_bytes(plain)))
    card = build_card(trainer, config, info, model_id, arch)
    card.update(weights=weights.name, sha256=hash_file(weights))
    if info.grid is not None and info.grid.is_file():
        samples = folder / f"{model_id}.samples.png"
        write_atomic(samples, lambda f: f.write(info.grid.read_bytes()))  # type: ignore[union-attr]
        card["samples"] = samples.name
    return write_json(folder / f"{model_id}.json", card)


def build_card(
    trainer: FamilyTrainer, config: TrainConfig, info: RunInfo, model_id: str, arch: dict[str, Any]
) -> dict[str, Any]:
    data = trainer.data
    return {
        "id": model_id,
        "name": config.name or f"{config.family.upper()} {Path(data.dataset).name} {data.size}px",
        "family": config.family,
        "role": trainer.role,
        "description": f"{config.family} trained on {data.dataset} ({len(info.dataset)} images) at "
        f"{data.size}x{data.size} for {info.steps} steps",
        "resolution": None if family(config.family).any_size else data.size,
        "channels": data.channels,
        "class_names": list(data.class_names),
        "config": arch,
        "dataset": data.dataset,
        "data_source": info.dataset.source,
        "licence": info.licence,
        "training": _training_facts(config, info),
        "metrics": {},  # measured by `genimg eval --write-card`, never guessed here
    }


def _training_facts(config: TrainConfig, info: RunInfo) -> dict[str, Any]:
    return {
        "command": config.command,
        "steps": info.steps,
        "batch_size": config.batch_size,
        "lr": config.lr,
        "lr_decay_from": config.lr_decay_from,
        "seed": config.seed,
        "limit": config.limit,
        "settings": dict(config.extra),
        "init_from": info.init_from,
        "images": len(info.dataset),
        "skipped": dict(info.dataset.skipped),
        "wall_time_s": round(info.wall_time_s, 1),
        "device": info.device,
        "precision": info.precision,
        "processes": info.processes,
        "cpu_threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "torch": torch.__version__,
        "finished": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "data"
