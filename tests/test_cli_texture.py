"""`genimg generate --size WxH --tile` with a tiny random-weight texture model in the user's models
folder (cli.main run in-process)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from genimg_desktop import cli
from genimg_desktop.core import paths
from genimg_desktop.core.metadata import read_metadata
from tests.engine.test_texture import install_tiny, seam_and_interior
from tests.support.tiny_models import install_untrained


@pytest.fixture(autouse=True)
def installed(tmp_path: Path) -> None:
    install_tiny(paths.user_models_dir())
    install_untrained("gan", paths.user_models_dir(), "tiny-gan")


def generate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    code = cli.main(["generate", *args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_size_and_tile_give_seamless_textures_of_that_size(capsys, tmp_path) -> None:
    args = ("--model", "tiny-texture", "--size", "70x45", "--tile", "--count", "2", "--seed", "4")
    code, lines, _ = generate(capsys, *args, "--out", str(tmp_path / "out"))
    assert code == 0 and len(lines) == 2
    with Image.open(lines[0]) as im:
        assert im.size == (70, 45)
        assert read_metadata(im)["params"] == {"width": 70, "height": 45, "count": 2, "tile": True}
        pixels = np.asarray(im.convert("RGB"))
    seam, inner = seam_and_interior(pixels)
    assert seam <= inner


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "tiny-texture", "--size", "9000x64"], "--size width must be 16..8192"),
        (["--model", "tiny-gan", "--size", "64x64"], "task 'sample' has no 'width' parameter for --size"),
        (["--model", "tiny-gan", "--tile"], "task 'sample' has no 'tile' parameter for --tile"),
        (
            ["--model", "tiny-texture", "--tile", "--param", "tile=false"],
            "--size/--tile and --param tile= both given",
        ),
    ],
)
def test_bad_size_or_tile_exit_2_with_one_line(capsys, tmp_path, args, message) -> None:
    code, lines, err = generate(capsys, *args, "--out", str(tmp_path / "out"))
    assert code == 2 and lines == []
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_a_size_that_is_not_w_x_h_is_a_usage_error(capsys, tmp_path) -> None:
    code, lines, err = generate(capsys, "--model", "tiny-texture", "--size", "10by3", "--out", str(tmp_path))
    assert code == 2 and lines == []
    assert "argument --size: '10by3' is not WIDTHxHEIGHT" in err


def test_an_interpolation_is_written_as_a_looping_animation(capsys, tmp_path) -> None:
    args = ("--model", "tiny-texture", "--task", "interpolate", "--size", "32x32", "--tile")
    movie = tmp_path / "walk.webp"
    more = ("--param", "frames=4", "--param", "seed_b=5", "--animation", str(movie))
    code, lines, _ = generate(capsys, *args, *more, "--out", str(tmp_path / "out"))
    assert code == 0 and len(lines) == 5 and lines[-1] == str(movie)
    frames = [np.asarray(Image.open(line).convert("RGB")) for line in lines[:4]]
    with Image.open(movie) as webp:
        assert webp.n_frames == 6  # forward, then back without repeating the ends: it loops smoothly
        webp.seek(1)
        second = np.asarray(webp.convert("RGB"))
    enlarged = np.repeat(np.repeat(frames[1], 8, axis=0), 8, axis=1)  # 32 px frames shown at 256 px
    assert np.array_equal(second, enlarged)


def test_an_animation_that_is_not_gif_or_webp_is_refused_before_the_run(capsys, tmp_path) -> None:
    args = ("--model", "tiny-texture", "--task", "interpolate", "--animation", str(tmp_path / "a.mp4"))
    code, lines, err = generate(capsys, *args, "--out", str(tmp_path / "out"))
    assert code == 2 and lines == [] and "--animation must end in .gif or .webp, not 'a.mp4'" in err
    assert not (tmp_path / "out").exists()
