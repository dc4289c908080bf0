"""The Resize image and Canvas size dialogs: width and height in pixels, Keep aspect ratio; for the
canvas also where the picture sits in it (anchor) and whether the new area is masked for inpainting.
The size is checked against the app's limits before OK closes it."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QLabel,
    QSpinBox,
    QToolButton,
    QWidget,
)

from genimg_desktop.core.geometry import CENTRE, Anchor, check_new_size
from genimg_desktop.core.imageio import MAX_SIDE
from genimg_desktop.ui.dialog_buttons import ok_cancel

ARROWS = ("↖", "↑", "↗", "←", "•", "→", "↙", "↓", "↘")  # the anchor grid, row by row


class SizeDialog(QDialog):
    def __init__(self, title: str, size: tuple[int, int], parent: QWidget | None, canvas: bool = False):
        super().__init__(parent)
        self.setWindowTitle(title)
        self._old = size
        self.width_spin = self._spin(size[0])
        self.height_spin = self._spin(size[1])
        self.keep_aspect = QCheckBox("Keep aspect ratio")
        self.keep_aspect.setChecked(not canvas)  # a resize keeps the shape; a new canvas seldom does
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d04040")
        form = QFormLayout(self)
        form.addRow("Width:", self.width_spin)
        form.addRow("Height:", self.height_spin)
        form.addRow("", self.keep_aspect)
        self.anchors = QButtonGroup(self)
        self.mask_new = QCheckBox("Mask the new area (to fill it by inpainting)")
        if canvas:
            form.addRow("Picture at:", self._anchor_grid())
            form.addRow("", self.mask_new)
        form.addRow(self.error)
        form.addRow(ok_cancel(self))
        self.width_spin.valueChanged.connect(lambda w: self._follow(self.height_spin, w, size[1] / size[0]))
        self.height_spin.valueChanged.connect(lambda h: self._follow(self.width_spin, h, size[0] / size[1]))

    @staticmethod
    def _spin(value: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(1, MAX_SIDE)
        spin.setSuffix(" px")
        spin.setValue(value)
        return spin

    def _anchor_grid(self) -> QWidget:
        grid = QWidget()
        layout = QGridLayout(grid)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for index, arrow in enumerate(ARROWS):
            button = QToolButton()
            button.setText(arrow)
            button.setCheckable(True)
            button.setChecked(index == 4)
            self.anchors.addButton(button, index)
            layout.addWidget(button, index // 3, index % 3)
        return grid

    def _follow(self, other: QSpinBox, value: int, ratio: float) -> None:
        """With Keep aspect ratio, the other side follows this one."""
        if self.keep_aspect.isChecked():
            with QSignalBlocker(other):
                other.setValue(max(1, round(value * ratio)))
        self.error.clear()

    def new_size(self) -> tuple[int, int]:
        return self.width_spin.value(), self.height_spin.value()

    def anchor(self) -> Anchor:
        index = self.anchors.checkedId()
        return CENTRE if index < 0 else ((index % 3) / 2, (index // 3) / 2)

    def accept(self) -> None:
        """OK: a size past the limits is said here and the dialog stays open."""
        try:
            check_new_size(*self.new_size(), "The new size")
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        if self.new_size() == self._old:
            self.reject()  # nothing would change: no undo step
            return
        super().accept()
