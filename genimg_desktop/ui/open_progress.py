"""The status bar's "Opening photo.jpg…" with a progress bar and Cancel, while a file loads."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from genimg_desktop.ui.window_model import WindowModel

NAME_CHARS = 40  # a longer file name is cut in the middle, so the bar keeps its place


class OpenProgress(QWidget):
    """Follows the model's `opening` and `open_progress`; hidden while no file loads."""

    cancel_requested = Signal()

    def __init__(self, model: WindowModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(160)
        self.cancel = QPushButton("Cancel")
        self.cancel.setToolTip("Stop opening the file; the open image stays as it is (Esc)")
        self.cancel.clicked.connect(self.cancel_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.label, self.bar, self.cancel):
            layout.addWidget(widget)
        model.opening_changed.connect(self._opening)
        model.open_progress.connect(self._progress)
        self.hide()

    def _opening(self, path: Path | None) -> None:
        if path is None:
            self.hide()
            return
        name = path.name if len(path.name) <= NAME_CHARS else f"{path.name[:18]}…{path.name[-18:]}"
        self.label.setText(f"Opening {name}…")
        self.label.setToolTip(str(path))
        self.bar.setRange(0, 0)  # busy until the loader tells how far it is (a project never does)
        self.show()

    def _progress(self, fraction: float) -> None:
        if fraction > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(round(fraction * 1000))
