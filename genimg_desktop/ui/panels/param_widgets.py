"""One editor widget per `ParamSpec` kind. A new family's parameters need no UI code: only kinds."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from genimg_desktop.core.params import ParamSpec

INT_LIMIT = 2**31 - 1
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff *.gif);;All files (*)"
SLIDER_MAX_STEPS = 1000  # an int range this small also gets a slider beside its spin box


class ParamEditor(QWidget):
    """Shows one parameter; `value()` / `set_value()` in the spec's own type."""

    changed = Signal()

    def __init__(self, spec: ParamSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._build(layout)
        self.setToolTip(spec.help)
        self.set_value(spec.default)

    def _build(self, layout: QHBoxLayout) -> None:
        raise NotImplementedError

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError


def _bounds(spec: ParamSpec, limit: float) -> tuple[float, float]:
    low = -limit if spec.minimum is None else spec.minimum
    high = limit if spec.maximum is None else spec.maximum
    return low, high


class IntEditor(ParamEditor):
    def _build(self, layout: QHBoxLayout) -> None:
        low, high = _bounds(self.spec, INT_LIMIT)
        self.spin = QSpinBox()
        self.spin.setRange(int(low), int(high))
        self.spin.setSingleStep(max(1, int(self.spec.step or 1)))
        self.slider: QSlider | None = None
        if self.spec.minimum is not None and self.spec.maximum is not None and high - low <= SLIDER_MAX_STEPS:
            self.slider = QSlider(Qt.Orientation.Horizontal)
            self.slider.setRange(int(low), int(high))
            self.slider.valueChanged.connect(self.spin.setValue)
            self.spin.valueChanged.connect(self.slider.setValue)
            layout.addWidget(self.slider, 1)
        self.spin.valueChanged.connect(self.changed)
        layout.addWidget(self.spin)

    def value(self) -> int:
        return self.spin.value()

    def set_value(self, value: Any) -> None:
        self.spin.setValue(int(self.spec.coerce(value)))


class FloatEditor(ParamEditor):
    def _build(self, layout: QHBoxLayout) -> None:
        low, high = _bounds(self.spec, 1e9)
        step = self.spec.step or (0.1 if high - low > 2 else 0.01)
        self.spin = QDoubleSpinBox()
        # Enough decimals to show one step, e.g. step 0.05 -> 2, step 0.001 -> 3.
        self.spin.setDecimals(max(2, min(6, math.ceil(-math.log10(step)))))
        self.spin.setRange(low, high)
        self.spin.setSingleStep(step)
        self.spin.valueChanged.connect(self.changed)
        layout.addWidget(self.spin)

    def value(self) -> float:
        return float(self.spin.value())

    def set_value(self, value: Any) -> None:
        self.spin.setValue(float(self.spec.coerce(value)))


class BoolEditor(ParamEditor):
    def _build(self, layout: QHBoxLayout) -> None:
        self.check = QCheckBox()
        self.check.toggled.connect(self.changed)
        layout.addWidget(self.check)

    def value(self) -> bool:
        return self.check.isChecked()

    def set_value(self, value: Any) -> None:
        self.check.setChecked(bool(self.spec.coerce(value)))


class ChoiceEditor(ParamEditor):
    def _build(self, layout: QHBoxLayout) -> None:
        self.combo = QComboBox()
        self.combo.addItems(list(self.spec.choices))
        self.combo.currentIndexChanged.connect(self.changed)
        layout.addWidget(self.combo)

    def value(self) -> str:
        return self.combo.currentText()

    def set_value(self, value: Any) -> None:
        self.combo.setCurrentText(self.spec.coerce(value))


class TextEditor(ParamEditor):
    def _build(self, layout: QHBoxLayout) -> None:
        self.line = QLineEdit()
        self.line.textChanged.connect(self.changed)
        layout.addWidget(self.line)

    def value(self) -> str:
        return self.line.text()

    def set_value(self, value: Any) -> None:
        self.line.setText(str(value))


class ImageFileEditor(TextEditor):
    """A picture's path: typed, pasted, or chosen with "Browse…" (the engine reads the file)."""

    def _build(self, layout: QHBoxLayout) -> None:
        super()._build(layout)
        self.line.setPlaceholderText("no picture chosen")
        self.browse = QPushButton("Browse…")
        self.browse.clicked.connect(self.choose)
        layout.addWidget(self.browse)

    def choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.spec.title, self.line.text(), IMAGE_FILTER)
        if path:
            self.line.setText(path)


EDITORS: dict[str, type[ParamEditor]] = {
    "int": IntEditor,
    "float": FloatEditor,
    "bool": BoolEditor,
    "choice": ChoiceEditor,
    "text": TextEditor,
    "image_file": ImageFileEditor,
}


def make_editor(spec: ParamSpec, parent: QWidget | None = None) -> ParamEditor:
    """The editor for `spec.kind`; an unknown kind falls back to a text field rather than failing."""
    return EDITORS.get(spec.kind, TextEditor)(spec, parent)
