"""The model manager and the models folder in the real window with the engine running: cards shown,
import from disk, removal, and a model written into the folder (as `genimg train` does) listed live."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from genimg_desktop.core import paths
from genimg_desktop.core.imageio import save_image
from genimg_desktop.ui.main_window import MainWindow
from tests.support.tiny_models import install_untrained

TIMEOUT_MS = 30_000
BAD_CARDS = paths.builtin_models_dir().parent / "tests" / "data" / "bad" / "models"


@pytest.fixture
def window(qtbot, messages):
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.start_engine()
    qtbot.waitUntil(lambda: len(win.picker.models()) >= 2, timeout=TIMEOUT_MS)
    yield win
    win.close()


def _listed(win: MainWindow) -> set[str]:
    return {m.id for m in win.picker.models()}


def import_and_wait(qtbot, manager, *chosen: Path) -> Path | None:
    """Model > Import of `chosen`, waited for: it runs on a pool thread; the installed card or None."""
    with qtbot.waitSignal(manager.imported, timeout=TIMEOUT_MS) as outcome:
        manager.import_files(list(chosen))
    return outcome.args[0]


@pytest.fixture
def downloaded(tmp_path):
    """A model somewhere on disk, outside the models folders, with a sample grid named in its card."""
    folder = tmp_path / "downloads"
    install_untrained("gan", folder, "shared-gan")
    save_image(folder / "shared-gan.samples.png", np.full((40, 60, 3), 90, np.uint8))
    card = json.loads((folder / "shared-gan.json").read_text(encoding="utf-8"))
    card.update(samples="shared-gan.samples.png", metrics={"sample_accuracy": 0.875}, licence="CC0")
    (folder / "shared-gan.json").write_text(json.dumps(card), encoding="utf-8")
    return folder / "shared-gan.json"


def test_import_shows_the_card_then_remove(qtbot, window, downloaded, messages, monkeypatch):
    window.acts["model_manager"].trigger()
    manager = window.model_folder.manager
    assert manager is not None and manager.isVisible() and manager.list.count() >= 2
    assert not manager.remove_button.isEnabled()  # the first models are built-in

    assert import_and_wait(qtbot, manager, downloaded)
    qtbot.waitUntil(lambda: "shared-gan" in _listed(window), timeout=TIMEOUT_MS)
    assert (paths.user_models_dir() / "shared-gan.safetensors").is_file()
    qtbot.waitUntil(lambda: any(m.id == "shared-gan" for m in manager.models), timeout=TIMEOUT_MS)
    manager.list.setCurrentRow([m.id for m in manager.models].index("shared-gan"))
    text = manager.details.toPlainText()
    assert "gan" in text and "sample_accuracy" in text and "0.875" in text and "CC0" in text
    assert not manager.grid.pixmap().isNull()  # the sample grid is shown
    assert manager.remove_button.isEnabled()

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    manager.remove_button.click()
    qtbot.waitUntil(lambda: "shared-gan" not in _listed(window), timeout=TIMEOUT_MS)
    assert not list(paths.user_models_dir().glob("shared-gan*"))
    assert downloaded.is_file()  # the original stays where it was


def test_bad_imports_explain_and_copy_nothing(qtbot, window, downloaded, messages):
    manager = window.model_folder.open_manager()
    weights = downloaded.with_suffix(".safetensors")
    original = weights.read_bytes()
    weights.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))  # one flipped bit
    assert not import_and_wait(qtbot, manager, downloaded)
    assert "does not match the sha256" in messages[-1][1]
    weights.write_bytes(original)

    builtin = paths.builtin_models_dir() / "opencv-telea.json"
    assert not import_and_wait(qtbot, manager, builtin)
    assert "already installed" in messages[-1][1]
    # Issue 24: this card was "imported" and then could not be listed, so not removed either.
    assert not import_and_wait(qtbot, manager, BAD_CARDS / "resolution_inf.json")
    assert messages[-1][0] == "warning" and "resolution_inf.json: resolution is inf" in messages[-1][1]
    assert not list(paths.user_models_dir().glob("*.json"))


def test_a_model_written_into_the_folder_appears_without_restarting(qtbot, window, tmp_path):
    staging = tmp_path / "train-output"
    install_untrained("vae", staging, "fresh-vae")
    for path in staging.glob("fresh-vae.*"):  # weights first, card last, as the trainer writes them
        if path.suffix != ".json":
            shutil.copy(path, paths.user_models_dir())
    shutil.copy(staging / "fresh-vae.json", paths.user_models_dir())
    qtbot.waitUntil(lambda: "fresh-vae" in _listed(window), timeout=TIMEOUT_MS)


def test_a_hostile_card_is_shown_as_unusable_and_can_be_removed(qtbot, window, messages, monkeypatch):
    """Issue 24: one card with 1e400 in a number field made the list fail for every model, built-ins
    included, and the manager could not show it to remove it."""
    shutil.copy(BAD_CARDS / "resolution_inf.json", paths.user_models_dir() / "resolution_inf.json")
    manager = window.model_folder.open_manager()
    window.model_folder.reload()
    qtbot.waitUntil(
        lambda: [s.path.name for s in manager.skipped] == ["resolution_inf.json"], timeout=TIMEOUT_MS
    )
    assert {"opencv-telea", "inpaint-fill"} <= _listed(window)  # every other model stays usable
    manager.select("resolution_inf.json")
    assert "resolution is inf" in manager.details.toPlainText()
    assert manager.remove_button.isEnabled()

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    manager.remove_button.click()
    qtbot.waitUntil(lambda: not manager.skipped, timeout=TIMEOUT_MS)
    assert not (paths.user_models_dir() / "resolution_inf.json").exists()


def test_import_over_an_installed_model_asks_first(
    qtbot, window, downloaded, tmp_path, messages, monkeypatch
):
    """Issue 24: a card with another id but the same file names replaced an installed model's card
    and weights with no question."""
    manager = window.model_folder.open_manager()
    assert import_and_wait(qtbot, manager, downloaded)
    installed = paths.user_models_dir() / "shared-gan.safetensors"
    original = installed.read_bytes()
    other = tmp_path / "other"
    install_untrained("vae", other, "shared-gan")  # the same file names...
    card = json.loads((other / "shared-gan.json").read_text(encoding="utf-8"))
    card["id"] = "someone-elses-vae"  # ...under another id
    (other / "shared-gan.json").write_text(json.dumps(card), encoding="utf-8")

    assert not import_and_wait(qtbot, manager, other / "shared-gan.json")  # the fixture answers "no"
    assert messages[-1][0] == "question" and "would overwrite" in messages[-1][1]
    assert installed.read_bytes() == original

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert import_and_wait(qtbot, manager, other / "shared-gan.json")
    qtbot.waitUntil(lambda: "someone-elses-vae" in _listed(window), timeout=TIMEOUT_MS)
    assert "shared-gan" not in _listed(window) and installed.read_bytes() != original


def test_weights_without_a_checksum_are_not_imported_silently(qtbot, window, downloaded, messages):
    card = json.loads(downloaded.read_text(encoding="utf-8"))
    del card["sha256"]
    downloaded.write_text(json.dumps(card), encoding="utf-8")
    manager = window.model_folder.open_manager()
    assert not import_and_wait(qtbot, manager, downloaded)  # the fixture answers "no"
    assert messages[-1][0] == "question" and "no sha256" in messages[-1][1]
    assert not list(paths.user_models_dir().glob("shared-gan*"))


def test_card_details_survive_fields_of_the_wrong_kind(tmp_path):
    """A card whose metrics are a list or whose training is a text raised inside the list's slot."""
    from genimg_desktop.core.model_card import read_model_card
    from genimg_desktop.ui.model_manager import card_html

    card = {"id": "odd", "family": "classical", "metrics": [1, 2], "training": "steps", "name": 5}
    (tmp_path / "odd.json").write_text(json.dumps(card), encoding="utf-8")
    text = card_html(read_model_card(tmp_path / "odd.json"))
    assert "<h3>5</h3>" in text and "Metric" not in text and "Training" not in text
