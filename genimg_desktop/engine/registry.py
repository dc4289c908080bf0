"""Model families and the models found on disk.

A family is a GenerationModel subclass named by its `family` (engine/families.py lists them); a model
is a JSON card (plus weights) in the built-in or the user's models folder. Listing reads only the
cards; weights are loaded (and their checksum verified) when a model is first used.
"""

from __future__ import annotations

from pathlib import Path

import torch

from genimg_desktop.core import paths
from genimg_desktop.core.model_card import (
    ModelCard,
    ModelCardError,
    ModelDescriptor,
    SkippedCard,
    read_model_card,
)
from genimg_desktop.engine.base import GenerationModel
from genimg_desktop.engine.families import FAMILY_LIST
from genimg_desktop.engine.weights import WEIGHT_SUFFIXES, ModelLoadError, normalise_sha256

# The model class of each family name a card may give (tests add stand-in families to it).
FAMILIES: dict[str, type[GenerationModel]] = {entry.name: entry.model for entry in FAMILY_LIST}
EVALUATION = "evaluation"  # card "role" of models that serve `genimg eval` only (never in the picker)
# Card "role" of a network that only another model runs (the hybrid's fill network, named by its card):
# not offered alone, still found by id (`genimg train --init-from` trains on from it).
COMPONENT = "component"


class ModelNotFoundError(LookupError):
    """No usable model with that id (the message lists the ids there are)."""


def default_dirs() -> list[tuple[Path, bool]]:
    return [(paths.builtin_models_dir(), True), (paths.user_models_dir(), False)]


class ModelRegistry:
    """The models found in `dirs`, a list of (folder, is_builtin). Bad cards are reported, not raised."""

    def __init__(self, dirs: list[tuple[Path, bool]] | None = None) -> None:
        self.dirs = [
            (Path(folder), builtin) for folder, builtin in (default_dirs() if dirs is None else dirs)
        ]
        self.skipped: list[SkippedCard] = []  # the cards that cannot be used, and why
        self._models: dict[str, ModelDescriptor] | None = None

    def refresh(self) -> list[ModelDescriptor]:
        """Rescan the folders and return the generative models (what the picker lists); evaluation
        models are kept for `evaluation_models`. Unusable cards go to `.skipped` (their messages to
        `.errors`), each on its own: one bad card never hides another model; a built-in id wins."""
        found: dict[str, ModelDescriptor] = {}
        skipped: list[SkippedCard] = []
        for folder, builtin in self.dirs:
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.json")):
                described = _describe(path, builtin)
                if isinstance(described, str):
                    skipped.append(SkippedCard(path, builtin, f"{path.name}: {described}"))
                else:
                    _add(found, described, skipped)
        self._models, self.skipped = found, skipped
        return self.descriptors()

    @property
    def errors(self) -> list[str]:
        """Why each skipped card was skipped, one message per card naming its file."""
        return [s.reason for s in self.skipped]

    def descriptors(self) -> list[ModelDescriptor]:
        """The generative models offered to the artist (evaluation models and components are left out)."""
        return [d for d in self._all() if d.card.role not in (EVALUATION, COMPONENT)]

    def components(self) -> list[ModelDescriptor]:
        """Models with the card role "component" (run by another model, not offered alone)."""
        return [d for d in self._all() if d.card.role == COMPONENT]

    def evaluation_models(self, dataset: str | None = None) -> list[ModelDescriptor]:
        """Models with the card role "evaluation" (the classifiers), optionally only those trained on
        `dataset`, built-in ones first."""
        found = [d for d in self._all() if d.card.role == EVALUATION]
        if dataset is not None:
            found = [d for d in found if d.card.dataset == dataset]
        return sorted(found, key=lambda d: not d.builtin)

    def _all(self) -> list[ModelDescriptor]:
        if self._models is None:
            self.refresh()
        assert self._models is not None
        return list(self._models.values())

    def descriptor(self, model_id: str) -> ModelDescriptor:
        if self._models is None:
            self.refresh()
        assert self._models is not None
        try:
            return self._models[model_id]
        except KeyError:
            known = ", ".join(sorted(self._models)) or "none"
            raise ModelNotFoundError(f"no model '{model_id}' (installed: {known})") from None

    def load(self, model_id: str, device: torch.device | str) -> GenerationModel:
        """Instantiate the model on `device` and load its weights."""
        card = self.descriptor(model_id).card
        model = FAMILIES[card.family](card, device)
        try:
            model.load()
        except ModelLoadError as exc:  # say which model, for the status bar and `genimg inpaint`
            raise ModelLoadError(f"cannot load model '{model_id}': {exc}") from exc
        return model


def _describe(path: Path, builtin: bool) -> ModelDescriptor | str:
    """The descriptor for one card, or why it cannot be used."""
    try:
        card = read_model_card(path)
    except ModelCardError as exc:
        return str(exc).removeprefix(f"{path.name}: ")
    family = FAMILIES.get(card.family)
    if family is None:
        return f"unknown model family '{card.family}'"
    problem = _weights_problem(card)
    if problem:
        return problem
    try:
        tasks = family.task_specs(card)
    except Exception as exc:  # noqa: BLE001 - whatever a card makes a family's check raise skips that card only
        return str(exc) or type(exc).__name__
    return ModelDescriptor(card=card, tasks=tuple(tasks), builtin=builtin)


def _weights_problem(card: ModelCard) -> str:
    """Why the card's weights cannot be used, judged from the card and a stat only: listing must stay
    instant, so the checksum is verified at load time (and cached), never here."""
    if card.weights is None:
        return ""
    if card.weights.suffix.lower() not in WEIGHT_SUFFIXES:
        return f"weights must be a {', '.join(WEIGHT_SUFFIXES)} file (other formats can run code)"
    if not card.weights.is_file():
        return f"weights file '{card.weights.name}' is missing (or not a regular file)"
    if card.sha256 is not None:
        try:
            normalise_sha256(card.sha256, "card")
        except ModelLoadError:
            return "'sha256' must be 64 hex digits"
    return ""


def _add(found: dict[str, ModelDescriptor], new: ModelDescriptor, skipped: list[SkippedCard]) -> None:
    """Add `new` unless its id is taken; on a clash a built-in model beats a user one."""
    old = found.get(new.id)
    if old is None:
        found[new.id] = new
        return
    keep, drop = (new, old) if new.builtin and not old.builtin else (old, new)
    found[new.id] = keep
    reason = (
        f"{drop.card.card_path.name}: model id '{new.id}' is already used by "
        f"{keep.card.card_path} ({'built-in' if keep.builtin else 'user'} model); skipped"
    )
    skipped.append(SkippedCard(drop.card.card_path, drop.builtin, reason))
