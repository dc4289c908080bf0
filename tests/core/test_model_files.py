"""Importing and removing model files without the window."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from genimg_desktop.core import paths
from genimg_desktop.core.model_files import ImportQuestion, ModelFileError, import_model, remove_model


def _card(folder, model_id, weights=b"weights", stem=None, checked=True, **extra):
    """A card `<stem>.json` with id `model_id` and weights `<stem>.bin.safetensors` in `folder`."""
    stem = stem or model_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.bin.safetensors").write_bytes(weights)
    card = {"id": model_id, "family": "gan", "weights": f"{stem}.bin.safetensors", **extra}
    if checked:
        card["sha256"] = hashlib.sha256(weights).hexdigest()
    path = folder / f"{stem}.json"
    path.write_text(json.dumps(card), encoding="utf-8")
    return path


def test_import_copies_every_named_file_and_remove_deletes_them(tmp_path):
    source = _card(tmp_path / "src", "m1")
    installed = import_model(source)
    assert installed == paths.user_models_dir() / "m1.json"
    assert (paths.user_models_dir() / "m1.bin.safetensors").read_bytes() == b"weights"
    with pytest.raises(ImportQuestion, match="would overwrite"):
        import_model(source)
    removed = remove_model(installed)
    assert [p.name for p in removed] == ["m1.json", "m1.bin.safetensors"]
    assert source.is_file()


def test_missing_files_and_builtin_models_are_refused(tmp_path):
    source = _card(tmp_path / "src", "m2", samples="grid.png")  # the grid is named but absent
    with pytest.raises(ModelFileError, match="missing beside its card: grid.png"):
        import_model(source)
    assert not paths.user_models_dir().exists() or not list(paths.user_models_dir().iterdir())
    with pytest.raises(ModelFileError, match="not in your models folder"):
        remove_model(paths.builtin_models_dir() / "opencv-telea.json")
    # A built-in id under another file name is refused even when asked to replace.
    impostor = _card(tmp_path / "src", "opencv-telea", stem="my-telea")
    with pytest.raises(ModelFileError, match="built-in model with the id 'opencv-telea'") as caught:
        import_model(impostor, replace=True)
    assert not isinstance(caught.value, ImportQuestion)


def test_a_model_with_another_id_but_the_same_file_names_is_not_overwritten_unasked(tmp_path):
    """Issue 24: the duplicate check looked at <id>.json only, so this card replaced the installed
    model's card and weights without a word."""
    installed = import_model(_card(tmp_path / "first", "shared", weights=b"the artist's model"))
    other = _card(tmp_path / "second", "another-id", weights=b"someone else's", stem="shared")
    with pytest.raises(ImportQuestion, match="shared.json") as caught:
        import_model(other)
    assert caught.value.option == "replace"
    assert json.loads(installed.read_text(encoding="utf-8"))["id"] == "shared"
    assert (paths.user_models_dir() / "shared.bin.safetensors").read_bytes() == b"the artist's model"
    import_model(other, replace=True)  # asked and answered yes
    assert json.loads(installed.read_text(encoding="utf-8"))["id"] == "another-id"
    assert (paths.user_models_dir() / "shared.bin.safetensors").read_bytes() == b"someone else's"


def test_the_same_id_under_other_file_names_is_replaced_whole_or_not_at_all(tmp_path):
    import_model(_card(tmp_path / "v1", "mine", stem="mine-v1"))
    newer = _card(tmp_path / "v2", "mine", stem="mine-v2")
    with pytest.raises(ImportQuestion, match="mine-v1.json"):
        import_model(newer)
    import_model(newer, replace=True)
    names = sorted(p.name for p in paths.user_models_dir().iterdir())
    assert names == ["mine-v2.bin.safetensors", "mine-v2.json"]  # no second card with the same id


def test_weights_without_a_sha256_are_imported_only_when_asked(tmp_path):
    source = _card(tmp_path / "src", "loose", checked=False)
    with pytest.raises(ImportQuestion, match="no sha256") as caught:
        import_model(source)
    assert caught.value.option == "unchecked"
    assert not list(paths.user_models_dir().iterdir())
    assert import_model(source, unchecked=True).is_file()


def test_removing_a_card_the_app_cannot_read_keeps_files_another_card_names(tmp_path):
    folder = paths.user_models_dir()
    kept = import_model(_card(tmp_path / "src", "kept"))
    broken = folder / "broken.json"
    broken.write_text('{"id": "broken", "weights": "kept.bin.safetensors", "resolution": 1e400}')
    assert remove_model(broken) == [broken]
    assert kept.is_file() and (folder / "kept.bin.safetensors").is_file()


@pytest.mark.parametrize(
    "name", ["resolution_inf.json", "config_inf.json", "long_integer.json", "deep_nesting.json"]
)
def test_a_hostile_card_is_refused_at_import_with_its_field_named(name):
    """Issue 24: such a card was imported ("Model imported") and then could not be listed, or threw an
    uncaught OverflowError out of the import."""
    from genimg_desktop.core.card_check import ModelCardError

    bad = paths.builtin_models_dir().parent / "tests" / "data" / "bad" / "models" / name
    with pytest.raises(ModelCardError, match=name):
        import_model(bad)
    assert not list(paths.user_models_dir().iterdir())


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_pipe_named_like_a_card_can_be_removed():
    pipe = paths.user_models_dir() / "pipe.json"
    os.mkfifo(pipe)
    assert remove_model(pipe) == [pipe] and not pipe.exists()
