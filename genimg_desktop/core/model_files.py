"""Importing a model (card + weights + sample grid) into the user's models folder, and removing one.

No torch here: the files are checked as files (the card parses, the weights exist and match the
card's sha256); whether the weights fit the family is the registry's check when it loads them.
An import never overwrites anything without being told to: a clash with an installed model (by id or
by a file name) and weights without a sha256 to check them by are each a question for the caller.
"""

from __future__ import annotations

from pathlib import Path

from genimg_desktop.core import paths
from genimg_desktop.core.atomic import write_atomic
from genimg_desktop.core.card_check import ModelCardError, read_card_json
from genimg_desktop.core.hash_cache import file_sha256
from genimg_desktop.core.model_card import read_model_card

NAMED_FILES = ("weights", "samples")  # the card fields that name files beside it


class ModelFileError(ValueError):
    """An import or removal that cannot be done; the message says why, nothing was changed."""


class ImportQuestion(ModelFileError):
    """An import that needs the artist's yes first; nothing was changed. Calling `import_model` again
    with `option`=True (e.g. replace=True) does it."""

    def __init__(self, message: str, option: str) -> None:
        super().__init__(message)
        self.option = option


def import_model(
    card_path: Path, dest: Path | None = None, replace: bool = False, unchecked: bool = False
) -> Path:
    """Copy the model whose card is `card_path` into `dest` (default: the user's models folder).
    Returns the new card's path. A built-in model's id is refused; a user model with the same id, or
    files of the same names, is replaced only with `replace` (the old model's files are removed
    first); weights the card gives no sha256 for are copied only with `unchecked`."""
    card_path = Path(card_path)
    dest = Path(dest) if dest is not None else paths.user_models_dir()
    card = read_model_card(card_path)
    if card.id in _ids(paths.builtin_models_dir()):
        raise ModelFileError(f"a built-in model with the id '{card.id}' is already installed; it stays")
    files = [card_path] + [p for p in (card.weights, card.samples) if p is not None]
    missing = [p.name for p in files if not p.is_file()]
    if missing:
        raise ModelFileError(f"'{card.id}': missing beside its card: {', '.join(missing)}")
    if card_path.parent.resolve() == dest.resolve():
        raise ModelFileError(f"{card_path.name} is already in your models folder {dest}")
    owners = _clashing_cards(card.id, [p.name for p in files], dest)
    taken = [p.name for p in files if (dest / p.name).exists()]
    if (owners or taken) and not replace:
        raise ImportQuestion(_clash_text(card.id, owners, taken, dest), "replace")
    if card.weights is not None and not card.sha256 and not unchecked:
        raise ImportQuestion(
            f"The card of '{card.id}' gives no sha256 for {card.weights.name}, so the weights cannot be "
            "checked for damage or tampering, now or later. Import them unchecked?",
            "unchecked",
        )
    if card.weights is not None and card.sha256 and file_sha256(card.weights) != card.sha256:
        raise ModelFileError(f"{card.weights.name} does not match the sha256 in its card: damaged or altered")
    dest.mkdir(parents=True, exist_ok=True)
    for owner in owners:  # asked and answered: the replaced models go whole, none is left half-there
        remove_model(owner)
    # The card goes last: the registry only sees the model once everything it names is in place.
    for source in files[1:] + files[:1]:
        write_atomic(dest / source.name, lambda f, s=source: f.write(s.read_bytes()))
    return dest / card_path.name


def remove_model(card_path: Path) -> list[Path]:
    """Delete a user model's card and the files it names beside it (weights, sample grid), except
    files another card there names too. Works for a card the app could not use (it is then at least
    the card that goes). Built-in models cannot be removed. Returns the deleted files."""
    card_path = Path(card_path)
    user = paths.user_models_dir().resolve()
    if card_path.parent.resolve() != user:
        raise ModelFileError(f"{card_path.name} is not in your models folder ({user}): it stays")
    shared = {name for other in _cards(user) if other != card_path for name in _named(other)}
    files = [card_path] + [user / name for name in _named(card_path) if name not in shared]
    removed = []
    for path in files:  # the card first: a half-removed model is unlisted
        # is_file() is false for a pipe or device named *.json: only a folder is left alone
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            path.unlink()
            removed.append(path)
    return removed


def disk_size(card_path: Path) -> int:
    """Bytes of a model's files on disk: its card and the files it names."""
    files = [card_path] + [card_path.parent / name for name in _named(card_path)]
    return sum(p.stat().st_size for p in files if p.is_file())


def _named(card_path: Path) -> list[str]:
    """The plain file names a card gives for its weights and sample grid; [] for an unreadable card."""
    try:
        data = read_card_json(card_path)
    except ModelCardError:
        return []
    names = [data.get(key) for key in NAMED_FILES]
    return [n for n in names if isinstance(n, str) and n not in ("", ".", "..") and Path(n).name == n]


def _cards(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def _ids(folder: Path) -> set[str]:
    """The ids of the readable cards in `folder`."""
    return {model_id for path in _cards(folder) for model_id in _ids_of(path)}


def _clashing_cards(model_id: str, names: list[str], folder: Path) -> list[Path]:
    """The cards in `folder` an import would overwrite or shadow: the same id, or one of `names`
    as the card's own file name or as a file it names."""
    owners = []
    for path in _cards(folder):
        same_file = path.name in names or bool(set(_named(path)) & set(names))
        if same_file or model_id in _ids_of(path):
            owners.append(path)
    return owners


def _ids_of(card_path: Path) -> set[str]:
    """{the card's id}, or {} for a card without a readable one."""
    try:
        data = read_card_json(card_path)
    except ModelCardError:
        return set()
    return {data["id"].strip()} if isinstance(data.get("id"), str) else set()


def _clash_text(model_id: str, owners: list[Path], taken: list[str], folder: Path) -> str:
    models = ", ".join(p.name for p in owners)
    files = ", ".join(taken)
    parts = [f"Importing '{model_id}' would overwrite what is installed in {folder}:"]
    if models:
        parts.append(f"the model(s) {models} (same id or the same file names)")
    if files:
        parts.append(f"the file(s) {files}")
    return " ".join(parts) + ". Replace them?"
