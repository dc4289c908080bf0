"""Issue 24, point 5: SIGTERM (logout, shutdown, `kill`) to a real app process keeps the work.

The window used to exit at once: no autosave, nothing offered at the next start, and a training run
started from it went on as an orphan that died without a checkpoint. Now the open document and its
mask are autosaved and offered at the next start, and the training child checkpoints and stops first.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest

from genimg_desktop.core.imageio import load_image, save_image
from genimg_desktop.ui import recovery
from genimg_desktop.ui.autosave import autosave_dir
from genimg_desktop.ui.main_window import MainWindow
from genimg_desktop.ui.test_hooks import READY, TRAIN
from genimg_desktop.ui.training.run_files import LOSS_LOG, has_checkpoint
from tests.support.shape_folder import make_shape_folder
from tests.support.tiny_models import GAN_TINY
from tests.ui.dialogs import click_when_shown
from tests.ui.test_autosave_crash import RECT, start_app

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/cmdline").exists(), reason="needs Linux signals and /proc"
)
READY_TIMEOUT_S = 120  # a bound, not a timing: usually a few seconds


def wait_until(done, proc, log_path, what: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not done():
        if proc.poll() is not None:
            pytest.fail(f"the app exited ({proc.returncode}) before {what}:\n{log_path.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            pytest.fail(f"no {what} within {READY_TIMEOUT_S} s:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.1)


def recover_in_a_new_window(photo) -> None:
    win = MainWindow()
    seen: list[str] = []
    click_when_shown("Recover", seen)
    try:
        assert recovery.offer_recovery(win) and seen
        expected_mask = np.zeros(win.document.mask.shape, np.uint8)
        x, y, w, h = RECT
        expected_mask[y : y + h, x : x + w] = 255
        np.testing.assert_array_equal(win.document.image, load_image(photo).rgba)
        np.testing.assert_array_equal(win.document.mask, expected_mask)
    finally:
        win.document.modified = False
        win.close()
        win.deleteLater()


def test_sigterm_autosaves_the_open_work_and_the_next_start_offers_it(qtbot, tmp_path, photo_rgb):
    photo = save_image(tmp_path / "photo.png", photo_rgb)
    log_path = tmp_path / "app.log"
    with log_path.open("wb") as log:
        # An hour between autosaves: only the signal can have written the file.
        proc = start_app(photo, tmp_path / "config", log, interval_s=3600)
        wait_until(lambda: READY in log_path.read_text(), proc, log_path, "the mask was painted")
        assert not list(autosave_dir().glob("*.ora"))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=120) == 128 + signal.SIGTERM
    assert "SIGTERM: saving the open work" in log_path.read_text()
    assert [p.suffix for p in autosave_dir().iterdir()] == [".ora"]  # kept, and no lock: abandoned
    recover_in_a_new_window(photo)


@pytest.mark.parametrize("whom", ["the app", "the whole session"])
def test_sigterm_stops_a_training_run_at_a_checkpoint_before_the_app_exits(qtbot, tmp_path, photo_rgb, whom):
    """`kill` reaches the app alone: it asks its training child to stop. A logout or a shutdown signals
    every process of the session at once: the child stops by itself, and the app waits for it."""
    photo = save_image(tmp_path / "photo.png", photo_rgb)
    run = {
        "family": "gan", "data": str(make_shape_folder(tmp_path / "pictures")), "size": 16,
        "steps": 100_000, "batch_size": 4, "lr": 2e-4, "model_id": "sigterm-gan", "sample_every": 1000,
        "checkpoint_every": 100_000, "device": "cpu", "precision": "float32",
        "settings": [f"{key}={json.dumps(value)}" for key, value in GAN_TINY.items()],
    }  # fmt: skip
    from genimg_desktop.ui.training.train_process import runs_dir

    run_dir = runs_dir() / "sigterm-gan"
    log_path = tmp_path / "app.log"
    with log_path.open("wb") as log:
        session = whom == "the whole session"
        hooks = {TRAIN: json.dumps(run)}
        proc = start_app(photo, tmp_path / "config", log, interval_s=3600, session=session, **hooks)
        try:
            wait_until(lambda: (run_dir / LOSS_LOG).exists(), proc, log_path, "the run trained a step")
            assert not has_checkpoint(run_dir)  # none before: a checkpoint every 100 000 steps
            if session:
                os.killpg(proc.pid, signal.SIGTERM)  # the app leads its own process group
            else:
                proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=120) == 128 + signal.SIGTERM
        finally:
            orphans = processes_naming(str(run_dir))
            for pid in orphans:  # a failed test must not leave its trainer running
                os.kill(pid, signal.SIGKILL)
    assert has_checkpoint(run_dir), log_path.read_text()[-3000:]  # stopped at a checkpoint
    assert "(checkpoint: " in log_path.read_text()  # `genimg train`'s own line for a stopped run
    assert not orphans  # no training went on without the app
    recover_in_a_new_window(photo)


def processes_naming(text: str) -> list[int]:
    """Live processes whose command line contains `text` (Linux /proc)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            continue  # ended while we looked
    return found
