"""The brush controls of the toolbar: size, hardness and the colour brush's colour, one widget with its
own signals.

It shows the canvas' brush (`show_brush`, without echoing a change back) and asks for changes through
`size_changed` / `hardness_changed` / `colour_changed`; the window connects both ways.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QToolButton,
    QWidget,
)

MAX_SIZE = 1000  # px, as the canvas allows
SWATCH = 18  # px, the colour button's square


class ToolControls(QWidget):
    size_changed = Signal(float)  # brush diameter in image pixels
    hardness_changed = Signal(float)  # 0 (soft edge) .. 1 (hard)
    colour_changed = Signal(QColor)  # the colour brush's colour

    def __init__(
        self, size: float, hardness: float, colour: QColor | None = None, parent: QWidget | None = None
    ) -> None:
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
        self.colour_button = QToolButton()
        self.colour_button.setObjectName("brush_colour")
        self.colour_button.setToolTip("Brush colour: P paints it on the picture; I or Alt+click picks one")
        self.colour_button.clicked.connect(self.choose_colour)
        self._colour = QColor(0, 0, 0)
        self.show_brush(size, hardness, colour if colour is not None else self._colour)
        self.size_spin.valueChanged.connect(lambda value: self.size_changed.emit(float(value)))
        self.hardness_slider.valueChanged.connect(lambda value: self.hardness_changed.emit(value / 100))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        widgets = (QLabel(" Size "), self.size_spin, QLabel(" Hardness "), self.hardness_slider)
        for widget in (*widgets, QLabel(" Colour "), self.colour_button):
            layout.addWidget(widget)

    def show_brush(self, size: float, hardness: float, colour: QColor | None = None) -> None:
        """Show the brush as it is now; emits nothing."""
        with QSignalBlocker(self.size_spin), QSignalBlocker(self.hardness_slider):
            self.size_spin.setValue(int(size))
            self.hardness_slider.setValue(int(round(hardness * 100)))
        if colour is not None:
            self._colour = QColor(colour)
            swatch = QPixmap(SWATCH, SWATCH)
            swatch.fill(self._colour)
            self.colour_button.setIcon(QIcon(swatch))

    @property
    def colour(self) -> QColor:
        return QColor(self._colour)

    def choose_colour(self) -> QColorDialog:
        """Open a colour dialog on the current colour (window-modal, not blocking); OK sends the choice."""
        dialog = QColorDialog(self._colour, self)
        dialog.setWindowTitle("Brush colour")
        # Qt's own dialog everywhere: it has a screen colour picker, and tests can drive it.
        dialog.setOption(QColorDialog.ColorDialogOption.DontUseNativeDialog)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.colorSelected.connect(self.colour_changed.emit)
        dialog.open()
        return dialog

    def step_size(self, factor: float) -> None:
        """[ and ]: a size `factor` times the current one, at least one pixel different."""
        size = self.size_spin.value()
        new = max(round(size * factor), size + 1) if factor > 1 else min(int(size * factor), size - 1)
        self.size_spin.setValue(max(1, min(MAX_SIZE, new)))
