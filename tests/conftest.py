"""Test isolation: headless Qt, a temporary GENIMG_HOME, and QSettings that never touch the user's."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Float32 everywhere: a machine with native bfloat16 would otherwise draw some models in half precision
# and others not, and the tests must give the same results on every machine. tests/engine/
# test_precision.py turns the check on where it tests it.
os.environ["GENIMG_PRECISION"] = "float32"

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own user folders (models, data, cache, settings)."""
    home = tmp_path_factory.mktemp("genimg_home")
    monkeypatch.setenv("GENIMG_HOME", str(home))
    try:
        from PySide6.QtCore import QSettings
    except ImportError:  # core/engine tests may run without Qt installed
        return home
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(home / "settings"))
    return home


@pytest.fixture(autouse=True)
def no_leftover_threads():
    """A test must not leave Python threads running (QThreads are checked by their owners)."""
    before = set(threading.enumerate())
    yield
    leftover = [t for t in threading.enumerate() if t not in before and t.is_alive() and not t.daemon]
    for t in leftover:
        t.join(timeout=2.0)
    still = [t.name for t in leftover if t.is_alive()]
    assert not still, f"threads left running: {still}"


@pytest.fixture
def photo_rgb():
    """A real photo (scikit-image's astronaut, 512x512 RGB uint8)."""
    from skimage import data

    return data.astronaut()
