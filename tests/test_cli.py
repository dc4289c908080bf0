"""The `genimg` command line, on real files."""

from __future__ import annotations

import json
import subprocess
import sys
import types

import numpy as np
import pytest

from genimg_desktop import cli
from genimg_desktop.core import paths
from genimg_desktop.core.imageio import load_image, save_image


@pytest.fixture
def files(tmp_path, photo_rgb):
    """The photo and a mask with a 40x60 hole, saved as PNGs."""
    mask = np.zeros(photo_rgb.shape[:2], np.uint8)
    mask[300:340, 200:260] = 255
    save_image(tmp_path / "photo.png", photo_rgb)
    save_image(tmp_path / "mask.png", mask)
    return tmp_path, mask


def inpaint_args(folder, *extra: str, mask: str = "mask.png") -> list[str]:
    return ["inpaint", "--model", "opencv-telea", "--image", str(folder / "photo.png"),
            "--mask", str(folder / mask), "--out", str(folder / "out.png"), *extra]  # fmt: skip


def test_models_json(capsys):
    (paths.user_models_dir() / "broken.json").write_text("[]", encoding="utf-8")
    assert cli.main(["models", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    by_id = {m["id"]: m for m in listing["models"]}
    assert by_id["opencv-telea"]["family"] == "classical"
    assert by_id["opencv-telea"]["tasks"] == ["inpaint"]
    assert by_id["opencv-ns"]["origin"] == "builtin"
    assert any("broken.json" in e for e in listing["errors"])


def test_models_table_lists_user_models(capsys):
    card = {"id": "mine", "family": "classical", "config": {"method": "telea"}}
    (paths.user_models_dir() / "mine.json").write_text(json.dumps(card), encoding="utf-8")
    assert cli.main(["models"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "FAMILY", "TASKS", "ORIGIN", "CARD"]
    assert any(line.split()[:4] == ["mine", "classical", "inpaint", "user"] for line in lines)


def test_inpaint_end_to_end(files, photo_rgb, capsys):
    folder, mask = files
    assert cli.main(inpaint_args(folder, "--seed", "3", "--param", "radius=7")) == 0
    assert capsys.readouterr().out.strip() == str(folder / "out.png")
    out = load_image(folder / "out.png")
    rgb = out.rgba[..., :3]
    assert np.array_equal(rgb[mask == 0], photo_rgb[mask == 0])
    assert not np.array_equal(rgb[mask > 0], photo_rgb[mask > 0])
    assert out.metadata["model"] == "opencv-telea" and out.metadata["seed"] == 3
    assert out.metadata["params"] == {"radius": 7, "context_margin": 64}


def test_inpaint_keeps_transparency(tmp_path, photo_rgb):
    rgba = np.dstack([photo_rgb, np.full(photo_rgb.shape[:2], 128, np.uint8)])
    save_image(tmp_path / "photo.png", rgba)
    mask = np.zeros(photo_rgb.shape[:2], np.uint8)
    mask[10:20, 10:20] = 255
    save_image(tmp_path / "mask.png", np.dstack([mask] * 3))  # an RGB mask works too
    assert cli.main(inpaint_args(tmp_path)) == 0
    out = load_image(tmp_path / "out.png").rgba
    assert out[0, 0, 3] == 128 and out[15, 15, 3] == 255


def test_mask_of_another_size_is_exit_2(files, capsys):
    folder, mask = files
    save_image(folder / "small.png", mask[:100])
    assert cli.main(inpaint_args(folder, mask="small.png")) == 2
    err = capsys.readouterr().err
    assert err.startswith("genimg: error: the mask is 512x100 but the image is 512x512")
    assert "Traceback" not in err and len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        (["--param", "radius"], 2, "expects NAME=VALUE"),
        (["--param", "strength=1"], 2, "no parameter(s): strength"),
        (["--device", "tpu"], 2, "unknown device"),
        (["--out", "/nonexistent-dir/x.png"], 1, "Could not save"),
    ],
)
def test_bad_invocations(files, capsys, extra, code, message):
    folder, _ = files
    assert cli.main(inpaint_args(folder, *extra)) == code
    err = capsys.readouterr().err
    assert message in err and len(err.splitlines()) == 1


def test_unknown_model_and_missing_image(files, capsys):
    folder, _ = files
    args = inpaint_args(folder)
    args[2] = "nope"
    assert cli.main(args) == 2
    assert "no model 'nope'" in capsys.readouterr().err
    (folder / "photo.png").unlink()
    assert cli.main(inpaint_args(folder)) == 1
    assert "does not exist" in capsys.readouterr().err


def test_empty_mask_is_a_clear_error(files, capsys):
    folder, mask = files
    save_image(folder / "empty.png", np.zeros_like(mask))
    assert cli.main(inpaint_args(folder, mask="empty.png")) == 2
    assert "paint a mask first" in capsys.readouterr().err


def test_gui_is_the_default(monkeypatch):
    calls = []
    fake = types.ModuleType("genimg_desktop.app")
    fake.main = lambda argv: calls.append(argv) or 0
    monkeypatch.setitem(sys.modules, "genimg_desktop.app", fake)
    assert cli.main([]) == 0
    assert cli.main(["photo.jpg"]) == 0
    assert cli.main(["gui", "--flag"]) == 0
    assert calls == [[], ["photo.jpg"], ["--flag"]]


def test_version_and_usage_errors(capsys):
    assert cli.main(["--version"]) == 0
    assert "genimg 0." in capsys.readouterr().out
    assert cli.main(["inpaint", "--model", "x"]) == 2


def test_module_entry_point_runs_models_in_a_subprocess(isolated_home):
    done = subprocess.run(
        [sys.executable, "-m", "genimg_desktop", "models", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "GENIMG_HOME": str(isolated_home)},
    )
    assert done.returncode == 0, done.stderr
    assert {"opencv-telea", "opencv-ns"} <= {m["id"] for m in json.loads(done.stdout)["models"]}


def test_importing_the_cli_is_light():
    code = "import sys, genimg_desktop.cli; sys.exit(bool({'torch', 'PySide6'} & set(sys.modules)))"
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def test_inpaint_extend_fills_a_border_with_patchmatch(tmp_path):
    """`genimg inpaint --extend L,T,R,B` with no mask: the photo bit-exact inside, the border filled."""
    from skimage import data

    photo = data.coffee()
    save_image(tmp_path / "coffee.png", photo)
    out = tmp_path / "wide.png"
    args = ["inpaint", "--model", "patchmatch", "--image", str(tmp_path / "coffee.png")]
    assert cli.main([*args, "--extend", "40,0,60,20", "--out", str(out)]) == 0
    wide = load_image(out).rgba
    assert wide.shape == (420, 700, 4) and (wide[..., 3] == 255).all()
    np.testing.assert_array_equal(wide[:400, 40:640, :3], photo)
    assert wide[:, :40, :3].std() > 5  # not a flat colour
    assert cli.main([*args, "--out", str(out)]) == 2  # neither --mask nor --extend
    assert cli.main([*args, "--extend", "0,0,0", "--out", str(out)]) == 2


def test_select_writes_the_subjects_mask(tmp_path):
    from skimage import data

    from tests.core.test_subject import BOX, hand_mask

    save_image(tmp_path / "coffee.png", data.coffee())
    out = tmp_path / "cup.png"
    box = ",".join(str(v) for v in BOX)
    assert cli.main(["select", "--image", str(tmp_path / "coffee.png"), "--box", box, "--out", str(out)]) == 0
    found = load_image(out).rgba[..., 0] > 127
    hand = hand_mask()
    assert (found & hand).sum() / (found | hand).sum() > 0.8
    assert (
        cli.main(["select", "--image", str(tmp_path / "coffee.png"), "--box", "1,2", "--out", str(out)]) == 2
    )
