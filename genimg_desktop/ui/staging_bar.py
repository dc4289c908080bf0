"""The Accept / Discard / Before-After / Split bar over the canvas, live while a result is staged.

It is always there, its controls enabled only with a result: shown and hidden, it pushed the canvas
down each time a result arrived and back up when it went (issue 23's layout jumps).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

STAGED_TEXT = "Result staged:"
IDLE_TEXT = "No result to accept"


class StagingBar(QWidget):
    """Emits accept_requested(feather_px), discard_requested(), before_toggled(bool) and
    split_toggled(bool)."""

    accept_requested = Signal(float)
    discard_requested = Signal()
    before_toggled = Signal(bool)
    split_toggled = Signal(bool)

    def __init__(self, feather_px: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(IDLE_TEXT)
        self.before = QCheckBox("Show before")
        self.before.setToolTip("Compare with the image as it was")
        self.before.toggled.connect(self.before_toggled)
        self.split = QCheckBox("Split")
        self.split.setToolTip(
            "The picture as it is left of a line, the result right of it; the line follows the mouse"
        )
        self.split.toggled.connect(self.split_toggled)
        self.feather = QSpinBox()
        self.feather.setRange(0, 128)
        self.feather.setValue(feather_px)
        self.feather.setSuffix(" px feather")
        self.feather.setToolTip("Soften the seam inside the mask's edge when accepting")
        self.accept_button = QPushButton("Accept")
        self.accept_button.setToolTip("Put the result into the image (one undo step)")
        self.accept_button.clicked.connect(lambda: self.accept_requested.emit(float(self.feather.value())))
        self.discard_button = QPushButton("Discard")
        self.discard_button.setToolTip("Drop the result, keep the image as it is — Esc")
        self.discard_button.clicked.connect(self.discard_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        for widget in (self.label, self.before, self.split, self.feather):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.discard_button)
        layout.addWidget(self.accept_button)
        self.show_staged(False)

    def show_staged(self, staged: bool) -> None:
        for box in (self.before, self.split):
            box.blockSignals(True)
            box.setChecked(False)
            box.blockSignals(False)
        self.label.setText(STAGED_TEXT if staged else IDLE_TEXT)
        for control in (self.before, self.split, self.feather, self.discard_button, self.accept_button):
            control.setEnabled(staged)
