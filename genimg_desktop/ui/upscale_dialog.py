"""The Image > Upscale dialog: the upscaling model, x2 / x3 / x4 or a size to reach, and whether the
result opens as a new picture or replaces this one (one undo step). The size is checked against the
app's limits before OK closes it."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from genimg_desktop.core import upscale
from genimg_desktop.core.geometry import check_new_size
from genimg_desktop.core.imageio import MAX_SIDE
from genimg_desktop.core.model_card import ModelDescriptor
from genimg_desktop.ui.dialog_buttons import ok_cancel

FACTORS = (("x2", 2.0), ("x3", 3.0), ("x4", 4.0), ("To a size…", 0.0))  # 0: the size below


def upscalers(models: list[ModelDescriptor]) -> list[ModelDescriptor]:
    """The models that enlarge pictures (they have an 'upscale' task)."""
    return [m for m in models if any(task.name == "upscale" for task in m.tasks)]


def _label(model: ModelDescriptor) -> str:
    scale = model.card.config.get("scale")
    return f"{model.card.name} (x{scale})" if scale else model.card.name


class UpscaleDialog(QDialog):
    def __init__(self, size: tuple[int, int], models: list[ModelDescriptor], parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle("Upscale")
        self._size = size
        self.model = QComboBox()
        for model in models:
            self.model.addItem(_label(model), model.id)
        self.factor_box = QComboBox()
        for text, value in FACTORS:
            self.factor_box.addItem(text, value)
        self.width_spin, self.height_spin = self._spin(size[0] * 2), self._spin(size[1] * 2)
        self.new_picture = QRadioButton("Open as a new picture")
        self.replace = QRadioButton("Replace this picture (Ctrl+Z undoes it)")
        self.new_picture.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.new_picture)
        group.addButton(self.replace)
        self.result_size = QLabel()
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d04040")
        form = QFormLayout(self)
        form.addRow(QLabel(f"The picture is {size[0]} x {size[1]} px."))
        form.addRow("Model:", self.model)
        form.addRow("Enlarge:", self.factor_box)
        form.addRow("Width:", self.width_spin)
        form.addRow("Height:", self.height_spin)
        form.addRow("Result:", self.result_size)
        form.addRow(self.new_picture)
        form.addRow(self.replace)
        form.addRow(self.error)
        form.addRow(ok_cancel(self))
        self.factor_box.currentIndexChanged.connect(self._factor_changed)
        self.width_spin.valueChanged.connect(lambda w: self._follow(self.height_spin, w, size[1] / size[0]))
        self.height_spin.valueChanged.connect(lambda h: self._follow(self.width_spin, h, size[0] / size[1]))
        self._factor_changed()

    @staticmethod
    def _spin(value: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(1, MAX_SIDE)
        spin.setSuffix(" px")
        spin.setValue(min(value, MAX_SIDE))
        return spin

    def _to_size(self) -> bool:
        return not self.factor_box.currentData()

    def _factor_changed(self) -> None:
        for spin in (self.width_spin, self.height_spin):
            spin.setEnabled(self._to_size())
        self._show_size()

    def _follow(self, other: QSpinBox, value: int, ratio: float) -> None:
        """The aspect ratio is kept: the other side follows this one."""
        with QSignalBlocker(other):
            other.setValue(max(1, round(value * ratio)))
        self._show_size()

    def _show_size(self) -> None:
        width, height = self.new_size()
        self.result_size.setText(f"{width} x {height} px")
        self.error.clear()

    def model_id(self) -> str | None:
        return self.model.currentData()

    def factor(self) -> float:
        """How much larger: the chosen x2/x3/x4, or what reaches the size typed in."""
        chosen = float(self.factor_box.currentData())
        if chosen:
            return chosen
        return upscale.factor_for(self._size, (self.width_spin.value(), self.height_spin.value()))

    def new_size(self) -> tuple[int, int]:
        if self._to_size():
            return self.width_spin.value(), self.height_spin.value()
        return upscale.target_size(self._size, self.factor())

    def as_new(self) -> bool:
        return self.new_picture.isChecked()

    def accept(self) -> None:
        """OK closes only with a model, a size within the limits and a factor the models can give."""
        factor = self.factor()
        if self.model_id() is None:
            self.error.setText("No upscaling model is installed (Models > Model manager imports one).")
            return
        if factor <= 1.0:
            self.error.setText("That is not larger: to make the picture smaller use Image > Resize image.")
            return
        if factor > upscale.MAX_FACTOR:
            self.error.setText(f"Upscale enlarges up to x{upscale.MAX_FACTOR:g}; choose a smaller size.")
            return
        try:
            check_new_size(*self.new_size(), "The upscaled picture")
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        super().accept()
