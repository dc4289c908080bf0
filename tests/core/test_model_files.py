"""Importing and removing model files without the window."""

from __future__ import annotations

import json

import pytest

from genimg_desktop.core import paths
from genimg_desktop.core.model_card import read_model_card
from genimg_desktop.core.model_files import ModelFileError, import_model, remove_model


def _card(folder, model_id, **extra):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{model_id}.bin.safetensors").write_bytes(b"weights")
    card = {"id": model_id, "family": "gan", "weights": f"{model_id}.bin.safetensors", **extra}
    path = folder / f"{model_id}.json"
    path.write_text(json.dumps(card), encoding="utf-8")
    return path


def test_import_copies_every_named_file_and_remove_deletes_them(tmp_path):
    source = _card(tmp_path / "src", "m1")
    installed = import_model(source)
    assert installed == paths.user_models_dir() / "m1.json"
    assert (paths.user_models_dir() / "m1.bin.safetensors").read_bytes() == b"weights"
    with pytest.raises(ModelFileError, match="already installed"):
        import_model(source)
    removed = remove_model(read_model_card(installed))
    assert [p.name for p in removed] == ["m1.json", "m1.bin.safetensors"]
    assert source.is_file()


def test_missing_files_and_builtin_models_are_refused(tmp_path):
    source = _card(tmp_path / "src", "m2", samples="grid.png")  # the grid is named but absent
    with pytest.raises(ModelFileError, match="missing beside its card: grid.png"):
        import_model(source)
    assert not paths.user_models_dir().exists() or not list(paths.user_models_dir().iterdir())
    with pytest.raises(ModelFileError, match="built-in"):
        remove_model(read_model_card(paths.builtin_models_dir() / "opencv-telea.json"))
