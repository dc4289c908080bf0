"""kill -9 of a real app process mid-session, then a new window recovers the work.

The child is `python -m genimg_desktop gui --open photo.png` with this test's GENIMG_HOME (user folders),
its own settings folder holding a 1 s autosave interval (a real setting) and the GENIMG_TEST_MASK_RECT
hook that paints a mask once the photo is open, as a brush stroke would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from genimg_desktop.core.imageio import load_image, save_image
from genimg_desktop.ui import recovery
from genimg_desktop.ui.autosave import autosave_dir
from genimg_desktop.ui.main_window import MainWindow
from genimg_desktop.ui.settings import APPLICATION, ORGANISATION, Settings
from genimg_desktop.ui.test_hooks import MASK_RECT
from tests.conftest import REPO
from tests.ui.dialogs import click_when_shown

RECT = (40, 50, 100, 60)  # x, y, w, h
START_TIMEOUT_S = 45  # usually a few seconds; below the 60 s default, so the 1 s setting must work


def start_app(
    photo, config, log, interval_s: int = 1, session: bool = False, **hooks: str
) -> subprocess.Popen:
    """The app with `photo` open, the mask rectangle painted, an autosave every `interval_s` and any
    further test hooks (ui/test_hooks.py) as environment variables; `session`: in a session (and
    process group) of its own, as a desktop login is."""
    # QSettings' IniFormat lives under XDG_CONFIG_HOME: never the user's own settings.
    ini = config / ORGANISATION / f"{APPLICATION}.ini"
    store = QSettings(str(ini), QSettings.Format.IniFormat)
    store.setValue(Settings.autosave_interval_s.key, interval_s)
    store.sync()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(config), **hooks)
    env[MASK_RECT] = ",".join(map(str, RECT))
    cmd = [sys.executable, "-m", "genimg_desktop", "gui", "--open", str(photo)]
    return subprocess.Popen(
        cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=session
    )


def wait_for_autosave(proc: subprocess.Popen, log_path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not list(autosave_dir().glob("*.ora")):
        if proc.poll() is not None:
            pytest.fail(f"the app exited ({proc.returncode}):\n{log_path.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            pytest.fail(f"no autosave within {START_TIMEOUT_S} s:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.1)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX kill -9")
def test_kill_9_then_the_next_start_recovers_pixels_and_mask(qtbot, tmp_path, photo_rgb):
    photo = save_image(tmp_path / "photo.png", photo_rgb)
    log_path = tmp_path / "app.log"
    with log_path.open("wb") as log:
        proc = start_app(photo, tmp_path / "config", log)
        try:
            wait_for_autosave(proc, log_path)
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)  # reaped: a zombie would still count as a running owner
    assert proc.returncode == -signal.SIGKILL
    assert sorted(p.suffix for p in autosave_dir().iterdir()) == [".lock", ".ora"]  # left behind

    win = MainWindow()
    seen: list[str] = []
    click_when_shown("Recover", seen)
    try:
        assert recovery.offer_recovery(win) and seen
        expected_mask = np.zeros(photo_rgb.shape[:2], np.uint8)
        x, y, w, h = RECT
        expected_mask[y : y + h, x : x + w] = 255
        np.testing.assert_array_equal(win.document.image, load_image(photo).rgba)
        np.testing.assert_array_equal(win.document.mask, expected_mask)
        assert win.document.modified and win.document.path == photo  # its name, not "Untitled"
        assert win.windowTitle().startswith("photo.png*")
    finally:
        win.document.modified = False
        win.close()
        win.deleteLater()
    assert not list(autosave_dir().iterdir())  # recovered, then a clean exit: nothing left
