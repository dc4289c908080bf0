"""Issue 24 through the real `genimg` command: masks other tools write, parameters that are no number."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from genimg_desktop.core.imageio import load_image
from tests.conftest import DATA, REPO


def genimg(*args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "genimg_desktop", *args]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)


@pytest.fixture
def picture(tmp_path):
    path = tmp_path / "noise.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (8, 8, 3), dtype=np.uint8)).save(path)
    return path


@pytest.mark.parametrize(
    ("mask", "note"), [("mask_0_1.png", "0 and 1"), ("mask_red_only.png", "red channel")]
)
def test_inpaint_reads_a_label_or_red_mask_as_meant_and_says_so(tmp_path, picture, mask, note):
    out = tmp_path / "out.png"
    proc = genimg("inpaint", "--model", "opencv-telea", "--image", str(picture), "--mask",
                  str(DATA / "bad" / mask), "--out", str(out))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "genimg: note: " in proc.stderr and note in proc.stderr
    before, after = load_image(picture).rgba.astype(int), load_image(out).rgba.astype(int)
    changed = np.abs(before - after).sum(axis=2) > 0
    assert changed[2:6, 2:6].mean() > 0.5  # the square was regenerated (before: a 1-level nudge)
    assert not changed[0, :].any()  # and nothing outside it


@pytest.mark.parametrize("value", ["inf", "nan", "1" + "0" * 400])
def test_a_parameter_that_is_no_number_is_a_one_line_error(tmp_path, picture, value):
    """--param radius=inf raised an uncaught OverflowError out of the parameter check."""
    mask = DATA / "bad" / "mask_0_1.png"
    proc = genimg("inpaint", "--model", "opencv-telea", "--image", str(picture), "--mask", str(mask),
                  "--out", str(tmp_path / "o.png"), "--param", f"radius={value}")  # fmt: skip
    assert proc.returncode == 2 and "parameter 'radius'" in proc.stderr and "Traceback" not in proc.stderr
