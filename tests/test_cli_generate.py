"""`genimg generate`: tiny random-weight models in the user's models folder, cli.main run in-process."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from genimg_desktop import cli
from genimg_desktop.core import paths
from genimg_desktop.core.imageio import save_image
from genimg_desktop.core.metadata import read_metadata
from tests.engine.latent_helpers import one_thread  # noqa: F401 (an autouse fixture)
from tests.support.tiny_models import GAN_SIZE, install_untrained


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One tiny model of each family, built once for the module."""
    folder = tmp_path_factory.mktemp("tiny_models")
    for family in ("gan", "vae", "pixelcnn"):
        install_untrained(family, folder, f"tiny-{family}")
    return folder


@pytest.fixture(autouse=True)
def installed(built: Path) -> None:
    """Each test has its own GENIMG_HOME (tests/conftest.py): copy the models into its models folder."""
    for path in built.glob("tiny-*.*"):
        shutil.copy2(path, paths.user_models_dir())


@pytest.fixture
def picture(tmp_path: Path) -> Path:
    image = np.random.default_rng(0).integers(0, 256, (20, 24, 3), dtype=np.uint8)
    return save_image(tmp_path / "in.png", image)


def generate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    """(exit code, stdout lines, stderr) of `genimg generate ARGS`."""
    code = cli.main(["generate", *args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def pixels(path: Path | str) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def test_gan_sample_writes_count_pngs_with_their_parameters(capsys, tmp_path):
    out = tmp_path / "new" / "dir"
    code, lines, err = generate(
        capsys, "--model", "tiny-gan", "--class", "star", "--count", "3", "--seed", "7", "--out", str(out)
    )
    assert code == 0, err
    names = [f"tiny-gan-sample-s7-{i:03d}.png" for i in range(3)]
    assert sorted(p.name for p in out.iterdir()) == names
    assert lines == [str(out / name) for name in names]  # no extra JSON: a GAN sample has no scores
    for index, name in enumerate(names):
        with Image.open(out / name) as im:
            assert im.size == (GAN_SIZE, GAN_SIZE)
            text, meta = im.text["parameters"], read_metadata(im)
        assert "Model: tiny-gan" in text and "Seed: 7" in text and "class: star" in text
        assert meta is not None
        assert (meta["model"], meta["task"], meta["seed"], meta["index"]) == ("tiny-gan", "sample", 7, index)
        assert meta["params"]["class"] == "star" and meta["params"]["count"] == 3


def test_same_seed_same_bytes_other_seed_other_images(capsys, tmp_path):
    runs = {}
    for label, seed in (("a", "3"), ("b", "3"), ("c", "4")):
        code, lines, err = generate(
            capsys, "--model", "tiny-gan", "--count", "2", "--seed", seed, "--out", str(tmp_path / label)
        )
        assert code == 0, err
        runs[label] = lines
    assert [Path(p).read_bytes() for p in runs["a"]] == [Path(p).read_bytes() for p in runs["b"]]
    assert not np.array_equal(pixels(runs["a"][0]), pixels(runs["c"][0]))


def test_interpolate_writes_its_frames(capsys, tmp_path):
    code, lines, err = generate(
        capsys,
        "--model", "tiny-gan", "--task", "interpolate", "--class", "circle",
        "--param", "frames=4", "--param", "seed_b=5", "--out", str(tmp_path),
    )  # fmt: skip
    assert code == 0, err
    assert [Path(p).name for p in lines] == [f"tiny-gan-interpolate-s0-{i:03d}.png" for i in range(4)]
    assert not np.array_equal(pixels(lines[0]), pixels(lines[-1]))


@pytest.mark.parametrize(("model", "task"), [("tiny-vae", "reconstruct"), ("tiny-pixelcnn", "likelihood")])
def test_a_task_that_needs_an_image(capsys, tmp_path, picture, model, task):
    code, lines, err = generate(capsys, "--model", model, "--task", task, "--out", str(tmp_path / "none"))
    assert code == 2 and lines == []
    assert err.strip() == f"genimg: error: task '{task}' needs an input picture: add --image IN.png"
    assert not (tmp_path / "none").exists()  # checked before anything is written

    code, lines, err = generate(
        capsys, "--model", model, "--task", task, "--image", str(picture), "--out", str(tmp_path)
    )
    assert code == 0, err
    assert Path(lines[0]).name == f"{model}-{task}-s0-000.png"
    with Image.open(lines[0]) as im:
        assert read_metadata(im)["image_size"] == [24, 20]
    if task == "likelihood":  # the score is printed as JSON after the paths
        scores = json.loads(lines[-1])
        assert scores["bits_per_dim"] > 0 and scores["most_likely_class"] in ("top", "shoe", "bag")
        assert "nll_bits_map" not in scores  # arrays stay out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--model", "nope"],
            "no model 'nope' (installed: ",  # then every installed id, built-in ones included
        ),
        (
            ["--model", "tiny-gan", "--task", "dream"],
            "model 'tiny-gan' has no task 'dream' (it offers: sample, ",
        ),
        (
            ["--model", "opencv-telea"],
            "model 'opencv-telea' has no 'sample' task; choose one with --task: inpaint",
        ),
        (["--model", "tiny-gan", "--task", "inpaint"], "task 'inpaint' needs a mask: use `genimg inpaint"),
        (["--model", "tiny-gan", "--class", "dog"], "parameter 'class': 'dog' is not valid (must be one of"),
        (
            ["--model", "tiny-gan", "--task", "interpolate", "--count", "3"],
            "has no 'count' parameter for --count",
        ),
        (["--model", "tiny-gan", "--count", "99"], "--count must be 1..64 for task 'sample', got 99"),
        (
            ["--model", "tiny-gan", "--count", "2", "--param", "count=3"],
            "--count and --param count= both given",
        ),
        (["--model", "tiny-gan", "--param", "colour=red"], "task 'sample' has no parameter(s): colour"),
    ],
)
def test_usage_errors_exit_2_with_one_line(capsys, tmp_path, args, message):
    code, lines, err = generate(capsys, *args, "--out", str(tmp_path / "out"))
    assert code == 2 and lines == []
    assert err.startswith("genimg: error: ") and message in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()
    if "nope" in args:  # the message lists what is installed
        assert "opencv-telea" in err and "tiny-gan, tiny-pixelcnn, tiny-vae" in err
