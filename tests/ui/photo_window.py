"""The real main window, shown and active (so single keys reach its shortcuts), on a photo (UI tests)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from genimg_desktop.core.imageio import LoadedImage
from genimg_desktop.ui.main_window import MainWindow


def photo_window(qtbot, rgba: np.ndarray) -> Iterator[MainWindow]:
    """Yield the window with `rgba` open and the canvas focused; close it afterwards without asking."""
    win = MainWindow()  # not qtbot.addWidget: that would close it before the edits are marked saved
    win.show()
    qtbot.waitExposed(win)
    win.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    h, w = rgba.shape[:2]
    win.set_loaded(LoadedImage(rgba, "RGBA", "PNG", (w, h), {}, []), None)
    win.canvas.setFocus()
    yield win
    win.document.modified = False  # no "save changes?" question on closing
    win.close()
    win.deleteLater()


def key(qtbot, win: MainWindow, k, mods=Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed over the canvas, as the artist types it (shortcuts included)."""
    qtbot.keyClick(win.canvas, k, mods)
