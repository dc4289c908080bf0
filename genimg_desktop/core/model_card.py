"""Model cards: the JSON file beside each model's weights. Read without torch, so listing is instant."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genimg_desktop.core.card_check import ModelCardError, check_card_values, read_card_json
from genimg_desktop.core.params import TaskSpec

__all__ = ["ModelCard", "ModelCardError", "ModelDescriptor", "SkippedCard", "read_model_card"]


@dataclass(frozen=True)
class ModelCard:
    id: str
    name: str
    family: str
    card_path: Path
    weights: Path | None = None  # None for models without weights (classical methods)
    description: str = ""
    resolution: int | None = None
    channels: int = 3
    class_names: tuple[str, ...] = ()
    config: dict[str, Any] = field(default_factory=dict)  # family-specific architecture settings
    licence: str = ""
    sha256: str | None = None
    # "generation" (listed in the app), "evaluation" (the classifiers used by `genimg eval` only) or
    # "component" (a network only another model runs, e.g. the hybrid fill's: engine/registry.py).
    role: str = "generation"
    dataset: str = ""  # what it was trained on: a built-in dataset name or a folder
    samples: Path | None = None  # a grid of samples beside the card (PNG), for the model manager
    raw: dict[str, Any] = field(default_factory=dict)  # the whole card, for the model manager


def read_model_card(path: Path) -> ModelCard:
    """Parse `path` (a .json card). Raises ModelCardError with a clear message."""
    path = Path(path)
    data = read_card_json(path)
    for key in ("id", "family"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ModelCardError(f"{path.name}: model card lacks a text '{key}'")
    check_card_values(data, path.name)
    weights_path = _beside(path, data, "weights")
    samples_path = _beside(path, data, "samples")
    try:
        return ModelCard(
            id=data["id"].strip(),
            name=str(data.get("name") or data["id"]),
            family=data["family"].strip(),
            card_path=path,
            weights=weights_path,
            description=str(data.get("description", "")),
            resolution=int(data["resolution"]) if data.get("resolution") else None,
            channels=int(data.get("channels", 3)),
            class_names=tuple(str(c) for c in data.get("class_names", ()) or ()),
            config=dict(data.get("config", {}) or {}),
            licence=str(data.get("licence", "")),
            sha256=data.get("sha256"),
            role=str(data.get("role") or "generation"),
            dataset=str(data.get("dataset") or ""),
            samples=samples_path,
            raw=data,
        )
    except (TypeError, ValueError) as exc:
        raise ModelCardError(f"{path.name}: malformed field in model card ({exc})") from exc


def _beside(card_path: Path, data: dict[str, Any], key: str) -> Path | None:
    """The file named by `data[key]`, which must sit in the card's folder (no path tricks)."""
    name = data.get(key)
    if name is None or name == "":
        return None
    if not isinstance(name, str) or name in (".", "..") or any(c < " " for c in name):
        raise ModelCardError(f"{card_path.name}: '{key}' must be a file name")
    target = card_path.parent / name
    folder = card_path.parent.resolve()
    if target.parent.resolve() != folder:
        raise ModelCardError(f"{card_path.name}: {key} must sit beside the card")
    # A link is followed only within the models folder: one to a file elsewhere would let a card
    # copied in from a download read (and hash, and show in errors) any file the user can read.
    if target.is_symlink() and not target.resolve().is_relative_to(folder):
        raise ModelCardError(
            f"{card_path.name}: {key} '{name}' is a link to a file outside the models folder; links "
            "out of it are not followed (copy the file in instead)"
        )
    return target


@dataclass(frozen=True)
class ModelDescriptor:
    """A model as the UI sees it: its card and the tasks (with parameters) its family declares."""

    card: ModelCard
    tasks: tuple[TaskSpec, ...]
    builtin: bool = True

    @property
    def id(self) -> str:
        return self.card.id

    def task(self, name: str) -> TaskSpec:
        for spec in self.tasks:
            if spec.name == name:
                return spec
        raise KeyError(f"model '{self.id}' has no task '{name}'")


class SkippedCard(str):
    """Why a card in a models folder cannot be used, "<file>.json: why": a message (a str) wherever
    messages go, that also knows the card's path and whether it is built in, so that a user's card can
    be removed from the model manager."""

    path: Path
    builtin: bool

    def __new__(cls, path: Path, builtin: bool, reason: str) -> SkippedCard:
        message = super().__new__(cls, reason)
        message.path, message.builtin = Path(path), builtin
        return message

    @property
    def reason(self) -> str:
        return str(self)
