"""The Extend canvas dialog: pixels to add on each side (or an aspect ratio to reach) and the
inpainting model that fills the new border. The photo fills are offered first (core/photo_fill.py:
the hybrid, then PatchMatch): they copy the picture's own texture, which suits a border best (a fill
network alone, trained on holes, paints a border flatter)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from genimg_desktop.core import outpaint
from genimg_desktop.core.geometry import check_new_size
from genimg_desktop.core.imageio import MAX_SIDE
from genimg_desktop.core.model_card import ModelDescriptor
from genimg_desktop.core.photo_fill import rank
from genimg_desktop.ui.dialog_buttons import ok_cancel

SIDES = ("Left", "Top", "Right", "Bottom")
DEFAULT_PX = 128
ASPECTS = ("1:1", "4:3", "3:2", "16:9", "21:9", "3:4", "2:3", "9:16")


def inpainters(models: list[ModelDescriptor]) -> list[ModelDescriptor]:
    """The models that can fill a border (they have an 'inpaint' task), the photo fills first."""
    found = [m for m in models if any(task.name == "inpaint" for task in m.tasks)]
    return sorted(found, key=lambda m: rank(m.id))


class ExtendDialog(QDialog):
    def __init__(self, size: tuple[int, int], models: list[ModelDescriptor], parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle("Extend canvas")
        self._size = size
        self.spins = [self._spin() for _ in SIDES]
        self.aspect = QComboBox()
        self.aspect.addItems(["(by the pixels above)", *ASPECTS])
        self.aspect.currentTextChanged.connect(self._to_aspect)
        self.method = QComboBox()
        for model in models:
            self.method.addItem(model.card.name, model.id)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d04040")
        form = QFormLayout(self)
        form.addRow(QLabel(f"The picture is {size[0]} x {size[1]} px. Add:"))
        for side, spin in zip(SIDES, self.spins, strict=True):
            form.addRow(f"{side}:", spin)
        form.addRow("Or reach the aspect ratio:", self.aspect)
        form.addRow("Fill the border with:", self.method)
        note = QLabel("The hybrid fill and PatchMatch copy the picture's own texture into the border.")
        note.setWordWrap(True)
        form.addRow(note)
        form.addRow(self.error)
        form.addRow(ok_cancel(self))

    @staticmethod
    def _spin() -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(0, MAX_SIDE)
        spin.setSuffix(" px")
        spin.setValue(DEFAULT_PX)
        return spin

    def _to_aspect(self, text: str) -> None:
        if ":" not in text:
            return
        ratio_w, ratio_h = (float(part) for part in text.split(":"))
        for spin, value in zip(
            self.spins, outpaint.border_for_aspect(*self._size, ratio_w, ratio_h), strict=True
        ):
            spin.setValue(value)

    def border(self) -> outpaint.Border:
        left, top, right, bottom = (spin.value() for spin in self.spins)
        return left, top, right, bottom

    def model_id(self) -> str | None:
        return self.method.currentData()

    def accept(self) -> None:
        """OK closes only with a border that is not empty and a canvas within the app's limits."""
        left, top, right, bottom = border = self.border()
        try:
            outpaint.check_border(border)
            check_new_size(self._size[0] + left + right, self._size[1] + top + bottom, "The new canvas")
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        if self.model_id() is None:
            self.error.setText(
                "No inpainting model is installed to fill the border (Models > Model manager)."
            )
            return
        super().accept()
