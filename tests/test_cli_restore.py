"""`genimg upscale` and `genimg denoise` on real files, with tiny real networks in the user's models."""

from __future__ import annotations

import json

import numpy as np
import pytest

from genimg_desktop import cli
from genimg_desktop.core import paths
from genimg_desktop.core.imageio import load_image, save_image
from tests.support import tiny_restore


@pytest.fixture(autouse=True)
def tiny_models(monkeypatch: pytest.MonkeyPatch) -> None:
    tiny_restore.register(monkeypatch)
    tiny_restore.install_all(paths.user_models_dir())


def test_models_lists_upscale_and_denoise_tasks(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["models", "--json"]) == 0
    by_id = {m["id"]: m for m in json.loads(capsys.readouterr().out)["models"]}
    assert by_id["tiny-up-x2"]["tasks"] == ["upscale"] and by_id["tiny-up-x2"]["family"] == "upscale"
    assert by_id["tiny-denoise"]["tasks"] == ["denoise"] and by_id["tiny-denoise"]["family"] == "restore"


def test_upscale_keeps_alpha_enlarged(tmp_path, photo_rgb: np.ndarray) -> None:
    rgba = np.dstack([photo_rgb[:60, :80], np.full((60, 80), 255, np.uint8)])
    rgba[:, :40, 3] = 0  # the left half transparent
    save_image(tmp_path / "in.png", rgba)
    args = ["upscale", "--model", "tiny-up-x2", "--scale", "3", "--image", str(tmp_path / "in.png")]
    assert cli.main([*args, "--out", str(tmp_path / "out.png")]) == 0
    out = load_image(tmp_path / "out.png").rgba
    assert out.shape == (180, 240, 4)
    assert (out[:, :110, 3] == 0).all() and (out[:, 130:, 3] == 255).all()
    # The colour is the photo's, enlarged (compared where it is opaque).
    small = out[1::3, 1::3, :3].astype(int)
    assert np.abs(small[:, 45:] - photo_rgb[:60, 45:80]).mean() < 12


def test_denoise_through_a_mask_changes_only_the_mask(tmp_path, photo_rgb: np.ndarray) -> None:
    noisy = np.clip(photo_rgb + np.random.default_rng(1).normal(0, 20, photo_rgb.shape), 0, 255).astype(
        np.uint8
    )
    mask = np.zeros(photo_rgb.shape[:2], np.uint8)
    mask[100:200, 150:300] = 255
    save_image(tmp_path / "noisy.png", noisy)
    save_image(tmp_path / "mask.png", mask)
    args = ["denoise", "--model", "tiny-blind", "--image", str(tmp_path / "noisy.png"), "--strength", "1"]
    assert cli.main([*args, "--mask", str(tmp_path / "mask.png"), "--out", str(tmp_path / "out.png")]) == 0
    out = load_image(tmp_path / "out.png").rgba[..., :3]
    assert np.array_equal(out[mask == 0], noisy[mask == 0])
    # Smoother inside: the blind restorer averages the noise away.
    inside = (slice(100, 200), slice(150, 300))
    assert (
        np.abs(np.diff(out[inside].astype(int), axis=1)).mean()
        < np.abs(np.diff(noisy[inside].astype(int), axis=1)).mean()
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["upscale", "--model", "tiny-denoise"], "no task 'upscale'"),
        (["denoise", "--model", "tiny-up-x2"], "no task 'denoise'"),
        (["upscale", "--model", "nope"], "no model 'nope'"),
        (["upscale", "--model", "tiny-up-x2", "--scale", "abc"], "invalid float"),
    ],
)
def test_wrong_model_or_task_is_a_usage_error(
    tmp_path, photo_rgb, capsys, argv: list[str], message: str
) -> None:
    save_image(tmp_path / "in.png", photo_rgb[:16, :16])
    code = cli.main([*argv, "--image", str(tmp_path / "in.png"), "--out", str(tmp_path / "out.png")])
    assert code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "out.png").exists()
