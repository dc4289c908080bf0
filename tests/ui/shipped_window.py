"""The real main window over the shipped models (models/), started and listed, for UI tests."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from PySide6.QtCore import Qt

from genimg_desktop.core.imageio import save_image
from genimg_desktop.ui.main_window import MainWindow
from tests.ui.opening import open_file

TIMEOUT_MS = 60_000
ID_ROLE = Qt.ItemDataRole.UserRole  # the picker keeps each item's model id here


def shipped_window(qtbot) -> Iterator[MainWindow]:
    """Yield the shown window once the shipped models are listed; close it afterwards."""
    # Not qtbot.addWidget: pytest-qt closes its widgets before fixtures end, so a test that changed
    # the document (a painted mask counts) would get the "save changes?" question before the line below.
    win = MainWindow()
    win.show()
    qtbot.waitExposed(win)
    win.start_engine()
    qtbot.waitUntil(lambda: len(win.picker.models()) >= 5, timeout=TIMEOUT_MS)
    yield win
    win.document.modified = False  # no "save changes?" question when the test closes it
    win.close()
    win.deleteLater()


def open_picture(qtbot, win: MainWindow, path, pixels: np.ndarray) -> None:
    """Save `pixels` to `path` and open it as an artist would (File > Open's own path)."""
    save_image(path, pixels)
    open_file(win, path)
    qtbot.waitUntil(lambda: win.document.size == (pixels.shape[1], pixels.shape[0]), timeout=TIMEOUT_MS)
