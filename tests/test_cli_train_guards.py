"""Issue 24, point 7: `genimg train` guards its run folder and checks its models folder up front.

Real `genimg train` processes on the shape folder: two runs into one folder used to share a live
checkpoint silently; a `.checkpoint.pt.*.tmp` a kill left behind was never cleaned; a read-only
models folder was found only after every training step, at the export.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from genimg_desktop.core.run_folder import CHECKPOINT, EXIT_STOPPED, LOCK, LOSS_LOG
from tests.conftest import REPO
from tests.engine.training_helpers import TINY
from tests.support.shape_folder import make_shape_folder

START_TIMEOUT_S = 240  # a bound, not a timing: torch's import and the first step, on a busy machine


def train_args(data: Path, out: Path, steps: int, models: Path | None = None) -> list[str]:
    """A classifier run on the shape folder on the CPU; no checkpoint or samples along the way."""
    words = [sys.executable, "-m", "genimg_desktop", "train", "--family", "classifier", "--data", str(data)]
    words += ["--size", "16", "--out", str(out), "--steps", str(steps), "--batch-size", "8", "--lr", "0.001"]
    words += ["--device", "cpu", "--id", "guard-test", "--sample-every", "0", "--checkpoint-every", "0"]
    words += ["--models-dir", str(models)] if models else []
    return words + [f"--set={key}={json.dumps(value)}" for key, value in TINY.items()]


def run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=600)


def start_training(data: Path, out: Path, log_path: Path) -> subprocess.Popen:
    """A run of a million steps, returned once it has trained its first step."""
    with log_path.open("wb") as log:
        proc = subprocess.Popen(train_args(data, out, 1_000_000), cwd=REPO, stdout=log, stderr=log)
    deadline = time.monotonic() + START_TIMEOUT_S
    while not (out / LOSS_LOG).exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the run did not start training:\n{log_path.read_text()[-2000:]}")
        time.sleep(0.2)
    return proc


def test_a_second_run_into_a_busy_folder_is_refused_and_a_killed_runs_litter_is_cleaned(tmp_path):
    data, out = make_shape_folder(tmp_path / "pictures"), tmp_path / "run"
    first = start_training(data, out, tmp_path / "first.log")
    try:
        second = run(train_args(data, out, 2))
        assert second.returncode != 0
        assert f"in use by another genimg train (process {first.pid})" in second.stderr
    finally:
        first.kill()  # kill -9: the lock must go with the process, never stay stale
        first.wait(timeout=60)
    assert (out / LOCK).exists()
    stale = out / f".{CHECKPOINT}.0badf00d.tmp"  # what a kill in the middle of a checkpoint leaves
    stale.write_bytes(b"half a checkpoint")
    third = run(train_args(data, out, 2))
    assert third.returncode == 0, third.stderr[-2000:]
    assert not stale.exists()


def _unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot create files in: read-only permissions, or, for root (whom
    permissions do not stop), a read-only file system such as Linux's /sys/fs."""
    folder = tmp_path / "read-only-models"
    folder.mkdir()
    folder.chmod(0o555)
    for candidate in (folder, Path("/sys/fs")):
        try:
            tempfile.TemporaryFile(dir=candidate).close()
        except OSError:
            return candidate
    pytest.skip("no folder this user cannot write to")


def test_a_read_only_models_folder_is_refused_before_the_first_step(tmp_path):
    data, out = make_shape_folder(tmp_path / "pictures"), tmp_path / "run"
    models = _unwritable_folder(tmp_path)
    try:
        proc = run(train_args(data, out, 2, models))
    finally:
        os.chmod(tmp_path / "read-only-models", 0o755)
    assert proc.returncode == 2 and f"the models folder {models} cannot be written" in proc.stderr
    assert not (out / LOSS_LOG).exists()  # refused at start: no training step ran


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_or_sighup_stops_a_run_at_a_checkpoint(tmp_path, number):
    """A logout or a shutdown sends these to every process of the session: `genimg train` used to die
    at once without a checkpoint. Now it stops as after Ctrl-C; the same command resumes."""
    data, out = make_shape_folder(tmp_path / "pictures"), tmp_path / "run"
    proc = start_training(data, out, tmp_path / "run.log")
    proc.send_signal(number)
    assert proc.wait(timeout=300) == EXIT_STOPPED
    assert (out / CHECKPOINT).is_file()
    assert f"{signal.Signals(number).name}: stopping after this step" in (tmp_path / "run.log").read_text()
