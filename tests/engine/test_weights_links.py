"""Issue 24, point 7: weights (or samples) that are links to files outside the models folder are not
followed; a card in a copied-in download could otherwise read any file the user can read. Real files:
a shipped model's card and weights, copied into the user's models folder."""

from __future__ import annotations

import json
import shutil
import sys

import pytest
import torch

from genimg_desktop.core import paths
from genimg_desktop.engine.registry import ModelRegistry
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges there")
SHIPPED = REPO / "models" / "gan-fashion-mnist-28"


def user_card(weights: str) -> None:
    card = json.loads(SHIPPED.with_suffix(".json").read_text(encoding="utf-8"))
    card.update(id="linked", name="Linked", weights=weights)
    card.pop("samples", None)
    (paths.user_models_dir() / "linked.json").write_text(json.dumps(card), encoding="utf-8")


def test_weights_linked_from_outside_the_models_folder_are_not_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere" / "secret.safetensors"
    elsewhere.parent.mkdir()
    shutil.copy(SHIPPED.with_suffix(".safetensors"), elsewhere)
    (paths.user_models_dir() / "linked.safetensors").symlink_to(elsewhere)
    user_card("linked.safetensors")
    registry = ModelRegistry()
    assert "linked" not in {d.id for d in registry.descriptors()}  # was listed and loaded
    assert any("link to a file outside the models folder" in str(e) for e in registry.skipped)


def test_a_link_within_the_models_folder_still_works(tmp_path):
    models = paths.user_models_dir()
    shutil.copy(SHIPPED.with_suffix(".safetensors"), models / "real.safetensors")
    (models / "linked.safetensors").symlink_to("real.safetensors")  # relative, inside the folder
    user_card("linked.safetensors")
    model = ModelRegistry().load("linked", torch.device("cpu"))
    assert model is not None
