"""`genimg train`'s stop request: the file OUT/stop-request checkpoints and stops a run (exit code
EXIT_STOPPED), is cleared when a run starts, and the same command then resumes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genimg_desktop import cli
from genimg_desktop.cli.train import stop_when
from genimg_desktop.core.run_folder import EXIT_STOPPED, STOP_REQUEST
from genimg_desktop.engine.training import progress_bar
from genimg_desktop.engine.training.loss_log import read_log
from tests.engine.training_helpers import TINY
from tests.support.shape_folder import make_shape_folder


def _command(data: Path, out: Path) -> list[str]:
    """A classifier run on the shape folder: a few CPU steps, a checkpoint every 2."""
    words = ["train", "--family", "classifier", "--data", str(data), "--size", "16", "--out", str(out)]
    words += ["--steps", "6", "--batch-size", "8", "--lr", "0.001", "--device", "cpu", "--id", "stop-test"]
    words += ["--sample-every", "0", "--checkpoint-every", "2"]
    return words + [f"--set={key}={json.dumps(value)}" for key, value in TINY.items()]


class _StopAt:
    """A progress listener that creates the stop request once `step` is done (as the app's view does);
    the loop sees it at the next step."""

    def __init__(self, out: Path, step: int) -> None:
        self.file, self.step = out / STOP_REQUEST, step

    def __call__(self, event) -> None:
        if event.kind == "step" and event.step == self.step:
            self.file.touch()


def test_stop_when_sees_ctrl_c_or_the_file(tmp_path):
    asked = [False]
    stop = stop_when(lambda: asked[0], tmp_path / STOP_REQUEST)
    assert not stop()
    (tmp_path / STOP_REQUEST).touch()
    assert stop()
    (tmp_path / STOP_REQUEST).unlink()
    asked[0] = True
    assert stop()


def test_the_stop_request_checkpoints_stops_and_the_same_command_resumes(tmp_path, monkeypatch, capsys):
    data, out = make_shape_folder(tmp_path / "pictures"), tmp_path / "run"
    monkeypatch.setattr(progress_bar, "ProgressBar", lambda: _StopAt(out, 3))
    assert cli.main(_command(data, out)) == EXIT_STOPPED
    assert "training stopped at step 4" in capsys.readouterr().err
    assert (out / "checkpoint.pt").is_file() and not (out / STOP_REQUEST).exists()
    assert [row["step"] for row in read_log(out / "losses.jsonl")] == [1, 2, 3, 4]

    monkeypatch.setattr(progress_bar, "ProgressBar", lambda: lambda event: None)
    assert cli.main(_command(data, out)) == 0
    assert [row["step"] for row in read_log(out / "losses.jsonl")] == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("leftover", [True, False])
def test_a_leftover_request_is_cleared_when_a_run_starts(tmp_path, monkeypatch, leftover):
    data, out = make_shape_folder(tmp_path / "pictures"), tmp_path / "run"
    out.mkdir()
    if leftover:
        (out / STOP_REQUEST).touch()
    monkeypatch.setattr(progress_bar, "ProgressBar", lambda: lambda event: None)
    assert cli.main(_command(data, out)) == 0
    assert not (out / STOP_REQUEST).exists()
    assert read_log(out / "losses.jsonl")[-1]["step"] == 6
