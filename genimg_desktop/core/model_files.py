"""Importing a model (card + weights + sample grid) into the user's models folder, and removing one.

No torch here: the files are checked as files (the card parses, the weights exist and match the
card's sha256); whether the weights fit the family is the registry's check when it loads them.
"""

from __future__ import annotations

from pathlib import Path

from genimg_desktop.core import paths
from genimg_desktop.core.atomic import write_atomic
from genimg_desktop.core.hash_cache import file_sha256
from genimg_desktop.core.model_card import ModelCard, read_model_card


class ModelFileError(ValueError):
    """An import or removal that cannot be done; the message says why, nothing was changed."""


def import_model(card_path: Path, dest: Path | None = None) -> Path:
    """Copy the model whose card is `card_path` into `dest` (default: the user's models folder).
    Returns the new card's path. Refuses ids already installed (built-in or user)."""
    dest = Path(dest) if dest is not None else paths.user_models_dir()
    card = read_model_card(Path(card_path))
    for folder in (paths.builtin_models_dir(), dest):
        if (folder / f"{card.id}.json").exists():
            raise ModelFileError(f"a model with the id '{card.id}' is already installed in {folder}")
    files = _files_of(card)
    if card.weights is not None and card.sha256 and file_sha256(card.weights) != card.sha256:
        raise ModelFileError(f"{card.weights.name} does not match the sha256 in its card: damaged or altered")
    dest.mkdir(parents=True, exist_ok=True)
    # The card goes last: the registry only sees the model once everything it names is in place.
    for source in files[1:] + files[:1]:
        write_atomic(dest / source.name, lambda f, s=source: f.write(s.read_bytes()))
    return dest / card_path.name


def remove_model(card: ModelCard) -> list[Path]:
    """Delete a user model's card, weights and sample grid; built-in models cannot be removed.
    Returns the deleted files."""
    user = paths.user_models_dir().resolve()
    if card.card_path.parent.resolve() != user:
        raise ModelFileError(f"'{card.id}' is a built-in model: only models in {user} can be removed")
    removed = []
    for path in _files_of(card, must_exist=False):  # the card first: a half-removed model is unlisted
        if path.exists():
            path.unlink()
            removed.append(path)
    return removed


def _files_of(card: ModelCard, must_exist: bool = True) -> list[Path]:
    """The card, its weights and its sample grid (those it names)."""
    files = [card.card_path] + [p for p in (card.weights, card.samples) if p is not None]
    missing = [p.name for p in files if not p.is_file()]
    if must_exist and missing:
        raise ModelFileError(f"'{card.id}': missing beside its card: {', '.join(missing)}")
    return files


def disk_size(card: ModelCard) -> int:
    """Bytes of the model's files on disk."""
    return sum(p.stat().st_size for p in _files_of(card, must_exist=False) if p.is_file())
