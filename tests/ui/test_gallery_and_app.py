"""Gallery actions and export in a window without an engine; the app's own start-up in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from genimg_desktop.core.imageio import LoadedImage, load_image
from genimg_desktop.core.model_card import ModelCard, ModelDescriptor
from genimg_desktop.core.params import ParamSpec, TaskSpec
from genimg_desktop.core.request import GenerationRequest, GenerationResult
from genimg_desktop.ui.main_window import MainWindow

INPAINT = TaskSpec("inpaint", "Inpaint", (ParamSpec("radius", "int", 3, minimum=1, maximum=50),), True, True)


@pytest.fixture
def window(qtbot, photo_rgb, monkeypatch):
    """A real window with the photo open and one fake model listed; the engine is never started."""
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    win = MainWindow()
    qtbot.addWidget(win)
    card = ModelCard(id="fake", name="Fake", family="classical", card_path=Path("fake.json"))
    win.model.set_models([ModelDescriptor(card=card, tasks=(INPAINT,), builtin=True)])
    rgba = np.dstack([photo_rgb, np.full(photo_rgb.shape[:2], 255, np.uint8)])
    win.set_loaded(LoadedImage(rgba, "RGB", "PNG", (512, 512), {}, []), None)
    yield win
    win.document.modified = False
    win.close()


def _result(image: np.ndarray, seed: int = 5) -> GenerationResult:
    mask = np.zeros(image.shape[:2], np.uint8)
    mask[100:200, 100:200] = 255
    request = GenerationRequest("fake", "inpaint", {"radius": 11}, seed, image, mask)
    return GenerationResult(request, [255 - image], {"device": "cpu"}, 0.5)


def test_gallery_stage_reuse_and_save(qtbot, window, photo_rgb, tmp_path, monkeypatch):
    result = _result(photo_rgb)
    window.gallery.add_result(result)
    assert window.gallery.current_result() is result
    assert "seed 5" in window.gallery.list.item(0).toolTip()

    window.gallery.stage_button.click()  # stage again on the canvas
    assert window.canvas.staged and window.staging.accept_button.isEnabled()  # window not shown here
    original = window.document.image.copy()
    window.staging.feather.setValue(0)
    window.staging.accept_button.click()
    changed = np.any(window.document.image != original, axis=-1)
    assert changed[150, 150] and not changed[50, 50]
    assert window.document.metadata["seed"] == 5  # a saved PNG will record how it was made

    window.params.seed.set_fixed(1)
    window.params.set_values({"radius": 3})
    window.gallery.reuse_button.click()
    assert window.params.values() == {"radius": 11} and window.params.seed.spin.value() == 5

    target = tmp_path / "from-gallery.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.gallery.save_button.click()
    saved = load_image(target)
    assert saved.metadata["model"] == "fake" and saved.metadata["params"] == {"radius": 11}
    np.testing.assert_array_equal(saved.rgba[..., :3], 255 - photo_rgb)


@pytest.mark.parametrize("ext", ["png", "jpg", "webp"])
def test_export_a_copy_keeps_the_document(window, tmp_path, monkeypatch, ext):
    chosen = tmp_path / "copy"  # no suffix typed: the menu entry's format is used
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(chosen), ""))
    window.document.modified = True
    window.acts[f"export_{ext}"].trigger()
    out = tmp_path / f"copy.{ext}"
    assert load_image(out).size == (512, 512)
    assert window.document.path is None and window.document.modified


def _run_app(tmp_path: Path, args: list[str]) -> subprocess.CompletedProcess:
    """The real app in a subprocess, with its own user data and settings folders."""
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        GENIMG_HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),  # QSettings' IniFormat lives here: never the user's
    )
    code = "from genimg_desktop.app import main; raise SystemExit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", "import sys; " + code, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_app_demo_screenshot_in_a_subprocess(tmp_path):
    """`genimg gui --demo --screenshot`: the real start-up path, models listed, the hybrid fill's
    result staged and in the history, PNG written."""
    from genimg_desktop.core.history import History

    shot = tmp_path / "shot.png"
    proc = _run_app(tmp_path, ["--demo", "--screenshot", str(shot), "--quit-after", "60000"])
    assert proc.returncode == 0, proc.stderr
    image = load_image(shot)
    assert image.size[0] >= 800 and image.size[1] >= 500
    assert (tmp_path / "config" / "GenImg" / "GenImg Desktop.ini").exists()  # settings written there
    [entry] = History(tmp_path / "home" / "data" / "history").entries()
    assert entry.meta["model"] == "hybrid-fill" and entry.meta["task"] == "inpaint"


def test_a_studio_scene_drives_the_shipped_gan_and_grabs_the_window(tmp_path):
    """`genimg gui --demo generate --screenshot` (docs/STUDIO.md's screenshots): a class picked by
    name, a fixed seed, the run button, a sample opened; the result reaches the history on disk."""
    from genimg_desktop.core.history import History

    shot = tmp_path / "generate.png"
    proc = _run_app(tmp_path, ["--demo", "generate", "--screenshot", str(shot), "--quit-after", "90000"])
    assert proc.returncode == 0, proc.stderr
    assert load_image(shot).size == (1280, 880)
    [entry] = History(tmp_path / "home" / "data" / "history").entries()
    assert entry.meta["model"] == "gan-fashion-mnist-28" and entry.meta["task"] == "sample"
    assert entry.meta["params"]["class"] == "Coat" and entry.meta["seed"] == 7


def test_paste_of_an_oversized_image_is_refused(window, monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage

    from genimg_desktop.core.imageio import MAX_SIDE

    seen = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: seen.append(a[2]))
    image = QImage(MAX_SIDE + 1, 2, QImage.Format.Format_RGB32)  # too wide, yet tiny in memory
    image.fill(Qt.GlobalColor.blue)
    QGuiApplication.clipboard().setImage(image)
    before = window.document
    window.acts["paste"].trigger()
    assert seen and "16384" in seen[0]
    assert window.document is before
