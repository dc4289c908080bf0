from __future__ import annotations

import pytest
import torch

from genimg_desktop.core import paths
from genimg_desktop.engine.classical import ClassicalInpaint
from genimg_desktop.engine.families import FAMILY_LIST, family, trainable
from genimg_desktop.engine.registry import FAMILIES, ModelNotFoundError, ModelRegistry

CLASSICAL = {"family": "classical", "config": {"method": "telea"}}


def test_the_registry_knows_every_listed_family():
    assert FAMILIES["classical"] is ClassicalInpaint
    assert {entry.name: entry.model for entry in FAMILY_LIST} == FAMILIES


def test_finds_the_builtin_classical_cards():
    registry = ModelRegistry()
    found = {d.id: d for d in registry.refresh()}
    assert {"opencv-telea", "opencv-ns"} <= set(found)
    assert registry.errors == []
    telea = found["opencv-telea"]
    assert telea.builtin and telea.card.family == "classical" and telea.card.weights is None
    assert [t.name for t in telea.tasks] == ["inpaint"]
    assert telea.task("inpaint").needs_mask


def test_default_dirs_are_builtin_then_user():
    assert ModelRegistry().dirs == [(paths.builtin_models_dir(), True), (paths.user_models_dir(), False)]


def test_user_models_are_found(user_models, write_card):
    write_card(user_models, "mine", id="my-telea", name="Mine", **CLASSICAL)
    found = {d.id: d for d in ModelRegistry().refresh()}
    assert not found["my-telea"].builtin
    assert found["my-telea"].card.card_path == user_models / "mine.json"


def test_bad_cards_are_reported_and_skipped(user_models, write_card):
    (user_models / "garbage.json").write_text("{not json", encoding="utf-8")
    write_card(user_models, "alien", id="alien", family="no-such-family")
    write_card(user_models, "heavy", id="heavy", family="classical", weights="gone.safetensors")
    write_card(user_models, "badmethod", id="bad", family="classical", config={"method": "magic"})
    write_card(user_models, "pickle", id="pickle", family="classical", weights="w.pkl")
    (user_models / "w.pkl").write_bytes(b"x")
    write_card(user_models, "escape", id="escape", **CLASSICAL, samples="../grid.png")
    write_card(user_models, "fine", id="fine", **CLASSICAL)
    registry = ModelRegistry()
    ids = {d.id for d in registry.refresh()}
    assert "fine" in ids and not ids & {"alien", "heavy", "bad", "pickle", "escape"}
    errors = "\n".join(registry.errors)
    assert len(registry.errors) == 6
    assert "escape.json: samples must sit beside the card" in errors
    assert "pickle.json: weights must be a .safetensors, .pt, .pth, .ckpt file" in errors
    assert "garbage.json" in errors and "not a readable JSON" in errors
    assert "unknown model family 'no-such-family'" in errors
    assert "weights file 'gone.safetensors' is missing" in errors
    assert "badmethod.json" in errors and "magic" in errors


def test_a_user_card_cannot_replace_a_builtin_one(user_models, write_card):
    write_card(user_models, "impostor", id="opencv-telea", name="Impostor", **CLASSICAL)
    registry = ModelRegistry()
    found = {d.id: d for d in registry.refresh()}
    assert found["opencv-telea"].builtin and found["opencv-telea"].card.name == "OpenCV Telea"
    assert any("impostor.json" in e and "already used" in e for e in registry.errors)


def test_builtin_wins_even_when_scanned_last(tmp_path, write_card):
    write_card(tmp_path / "user", "a", id="same", name="user", **CLASSICAL)
    write_card(tmp_path / "builtin", "b", id="same", name="builtin", **CLASSICAL)
    registry = ModelRegistry([(tmp_path / "user", False), (tmp_path / "builtin", True)])
    [only] = registry.refresh()
    assert only.card.name == "builtin" and len(registry.errors) == 1


def test_missing_folders_are_fine(tmp_path):
    registry = ModelRegistry([(tmp_path / "nope", True)])
    assert registry.refresh() == [] and registry.errors == []


def test_unknown_model_id():
    with pytest.raises(ModelNotFoundError, match="no model 'nope'.*opencv-telea"):
        ModelRegistry().descriptor("nope")


def test_load_gives_a_model_on_the_device():
    model = ModelRegistry().load("opencv-ns", "cpu")
    assert isinstance(model, ClassicalInpaint)
    assert model.device == torch.device("cpu") and model.card.id == "opencv-ns"


def test_each_family_is_listed_once_with_a_rate_exactly_when_it_trains():
    names = [entry.name for entry in FAMILY_LIST]
    assert len(set(names)) == len(names) and all(names)
    assert all((entry.trainer is None) == (entry.lr is None) for entry in FAMILY_LIST)
    # the rates the shipped models were trained with (models/*.json "training")
    assert family("vae").lr == 1e-3 and family("gan").lr == 2e-4 and family("inpaint").any_size


def test_unknown_and_untrainable_families_are_refused_with_the_names_there_are():
    with pytest.raises(ValueError, match="no model family 'nope' .*gan"):
        family("nope")
    with pytest.raises(ValueError, match="no trainer for family 'classical' .*classifier"):
        trainable("classical")


def test_genimg_train_help_names_every_trainable_family(capsys):
    """The help is built without torch, so it cannot read the list: it must not fall behind it."""
    from genimg_desktop import cli

    assert cli.main(["train", "--help"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    for entry in FAMILY_LIST:
        assert (entry.name in shown) == (entry.trainer is not None), entry.name
