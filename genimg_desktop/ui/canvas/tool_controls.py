"""The brush controls of the toolbar: size and hardness, one widget with its own signals.

It shows the canvas' brush (`show_brush`, without echoing a change back) and asks for changes through
`size_changed` / `hardness_changed`; the window connects both ways.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QSlider, QSpinBox, QWidget

MAX_SIZE = 1000  # px, as the canvas allows


class ToolControls(QWidget):
    size_changed = Signal(float)  # brush diameter in image pixels
    hardness_changed = Signal(float)  # 0 (soft edge) .. 1 (hard)

    def __init__(self, size: float, hardness: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tool_controls")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)  # no wider in a wide toolbar
        self.size_spin = QSpinBox()
        self.size_spin.setRange(1, MAX_SIZE)
        self.size_spin.setSuffix(" px")
        self.size_spin.setToolTip("Brush size in image pixels ( [ and ] )")
        self.hardness_slider = QSlider(Qt.Orientation.Horizontal)
        self.hardness_slider.setRange(0, 100)
        self.hardness_slider.setMaximumWidth(120)
        self.hardness_slider.setToolTip("Brush hardness: soft edge at the left, hard at the right")
        self.show_brush(size, hardness)
        self.size_spin.valueChanged.connect(lambda value: self.size_changed.emit(float(value)))
        self.hardness_slider.valueChanged.connect(lambda value: self.hardness_changed.emit(value / 100))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (QLabel(" Size "), self.size_spin, QLabel(" Hardness "), self.hardness_slider):
            layout.addWidget(widget)

    def show_brush(self, size: float, hardness: float) -> None:
        """Show the brush as it is now; emits nothing."""
        with QSignalBlocker(self.size_spin), QSignalBlocker(self.hardness_slider):
            self.size_spin.setValue(int(size))
            self.hardness_slider.setValue(int(round(hardness * 100)))

    def step_size(self, factor: float) -> None:
        """[ and ]: a size `factor` times the current one, at least one pixel different."""
        size = self.size_spin.value()
        new = max(round(size * factor), size + 1) if factor > 1 else min(int(size * factor), size - 1)
        self.size_spin.setValue(max(1, min(MAX_SIZE, new)))
