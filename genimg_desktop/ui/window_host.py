"""The main window as the modules it is built from see it.

ui/main_window.py imports file_ops, sample_actions, actions and the rest; they must not import it
back (that made an import circle of seven modules). Each names what it needs of the window as a
Protocol instead, and MainWindow has it all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np
from PySide6.QtWidgets import QWidget

from genimg_desktop.core.imageio import LoadedImage
from genimg_desktop.ui.image_opener import ImageOpener
from genimg_desktop.ui.settings import Settings
from genimg_desktop.ui.window_model import WindowModel


class WindowHost(Protocol):
    """What opening and saving files and the samples' actions need of the window."""

    model: WindowModel
    settings: Settings
    opener: ImageOpener  # reads files on a worker thread

    def window(self) -> QWidget:
        """The top-level widget (QWidget.window()): the parent of dialogs."""
        ...

    def set_loaded(self, loaded: LoadedImage, path: Path | None, mask: np.ndarray | None = None) -> None:
        """Make a freshly loaded picture the open document (and restore the parameters it records)."""
        ...
