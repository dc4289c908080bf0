"""Hostile model cards in the user's models folder (issue 24): `genimg models` and `genimg inpaint` with
a built-in model keep working, and each bad card is skipped with a message naming its file and field.
The cards are the corpus in tests/data/bad/models (tests/data/make_bad_files.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from genimg_desktop import cli
from genimg_desktop.core import paths
from genimg_desktop.core.imageio import load_image, save_image

BAD_CARDS = Path(__file__).resolve().parent / "data" / "bad" / "models"
# What each card's skip message must say: the file, then the field or the reason.
EXPECTED = {
    "resolution_inf.json": "resolution is inf",
    "channels_nan.json": "channels is nan",
    "config_inf.json": "config.num_classes is inf",
    "long_integer.json": "a number too long to read",
    "deep_nesting.json": "nested too deeply",
    "class_names_text.json": "class_names must be a list of texts",
    "weights_nul.json": "'weights' must be a file name",
    "id_two_lines.json": "id must be one line of at most 200 characters",
}


@pytest.fixture
def bad_cards() -> Path:
    """Every unreadable card of the corpus, copied into the (test's own) user models folder."""
    folder = paths.user_models_dir()
    for name in EXPECTED:
        shutil.copy(BAD_CARDS / name, folder / name)
    return folder


def test_bad_cards_are_skipped_by_name_and_every_other_model_is_listed(bad_cards, capsys):
    assert cli.main(["models"]) == 0
    captured = capsys.readouterr()
    skipped = {line.split(":")[1].split()[-1]: line for line in captured.err.splitlines()}
    assert set(skipped) == set(EXPECTED), captured.err
    for name, reason in EXPECTED.items():
        assert reason in skipped[name]
    listed = {line.split()[0] for line in captured.out.splitlines()[1:]}
    builtin = {p.stem for p in paths.builtin_models_dir().glob("*.json")}
    assert {"opencv-telea", "gan-fashion-mnist-28"} <= listed <= builtin


def test_a_builtin_model_runs_beside_bad_cards(bad_cards, tmp_path, capsys):
    picture = np.full((24, 32, 3), 120, np.uint8)
    mask = np.zeros((24, 32), np.uint8)
    mask[8:16, 10:20] = 255
    save_image(tmp_path / "in.png", picture)
    save_image(tmp_path / "mask.png", mask)
    out = tmp_path / "out.png"
    args = ["inpaint", "--model", "opencv-telea", "--image", str(tmp_path / "in.png")]
    assert cli.main([*args, "--mask", str(tmp_path / "mask.png"), "--out", str(out)]) == 0, (
        capsys.readouterr()
    )
    assert load_image(out).size == (32, 24)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_special_files_named_json_are_skipped_not_read(isolated_home):
    """A FIFO blocked listing forever (no writer), a link to /dev/zero read without end: only regular
    files are read, with a bounded read. Run as a real process so a hang cannot take pytest with it."""
    folder = paths.user_models_dir()
    os.mkfifo(folder / "pipe.json")
    os.symlink("/dev/zero", folder / "zeros.json")
    (folder / "folder.json").mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "genimg_desktop", "models"],
        capture_output=True,
        text=True,
        timeout=300,  # a bound on a hang, not a measure: listing takes about a second
        env={**os.environ, "GENIMG_HOME": str(isolated_home)},
    )
    assert done.returncode == 0, done.stderr
    for name in ("pipe.json", "zeros.json", "folder.json"):
        assert f"skipped {name}: not a regular file" in done.stderr, done.stderr
    assert "opencv-telea" in done.stdout


def _install_lying_card(name: str) -> Path:
    """A corpus card that declares sizes the shipped Fashion-MNIST GAN's weights (copied beside it)
    do not hold."""
    folder = paths.user_models_dir()
    shutil.copy(paths.builtin_models_dir() / "gan-fashion-mnist-28.safetensors", folder)
    return Path(shutil.copy(BAD_CARDS / name, folder / name))


def _peak_run(call: str, home: Path) -> subprocess.CompletedProcess[str]:
    """Run `call` (a Python expression giving an exit code, `cli` imported) in a fresh process that
    imports torch first and prints its peak resident size in kB."""
    code = (
        "import resource, sys, torch\n"
        "from genimg_desktop import cli\n"
        f"code = {call}\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        "sys.exit(code)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "GENIMG_HOME": str(home)},
    )


def test_declared_sizes_are_checked_against_the_weights_before_anything_is_built(isolated_home, tmp_path):
    """Issue 24: a card declaring a million classes made loading allocate 2.3 GB (a wider one tried
    275 GB) before "weights do not fit". Now the network is planned on the meta device and compared
    with the safetensors header; the process stays near its size with torch imported."""
    _install_lying_card("gan_million_classes.json")
    done = _peak_run(
        f"cli.main(['generate', '--model', 'lying-gan_million_classes', '--out', {str(tmp_path)!r}])",
        isolated_home,
    )
    assert done.returncode == 1, done.stderr
    assert "the card declares a network its weights do not hold" in done.stderr
    assert "embed.weight is (10, 64), expected (1000000, 512)" in done.stderr
    # Against the same process that only loads torch and the listing: building the million-class
    # embedding first would add 2 GB; what other tests leave in the environment moves both alike.
    baseline = _peak_run("cli.main(['models']) and 0", isolated_home)
    grown_kb = int(done.stdout.split()[-1]) - int(baseline.stdout.split()[-1])
    assert grown_kb < 500_000, f"loading grew the process by {grown_kb / 1e6:.2f} GB"
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("gan_wide.json", "stem.weight is (6272, 128), expected (3211264, 128)"),
        ("gan_deep_mapping.json", "far more tensors than its weights hold"),
    ],
)
def test_wider_or_deeper_networks_than_the_weights_are_refused_unbuilt(name, message):
    from genimg_desktop.engine.registry import ModelRegistry
    from genimg_desktop.engine.weights import ModelLoadError

    card = _install_lying_card(name)
    registry = ModelRegistry()
    registry.refresh()
    with pytest.raises(ModelLoadError, match="nothing was built") as caught:
        registry.load(f"lying-{card.stem}", "cpu")
    assert message in str(caught.value)


def test_a_card_asking_for_more_direction_samples_than_sane_is_skipped(capsys):
    _install_lying_card("gan_direction_samples.json")
    assert cli.main(["models"]) == 0
    assert "skipped gan_direction_samples.json: direction_samples must be from 1 to 65536" in (
        capsys.readouterr().err
    )
