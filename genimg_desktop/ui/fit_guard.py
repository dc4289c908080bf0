"""Keeps the model picker told which models fit the open picture, and asks before a run that does not.

The rule is core/model_fit.py; the picker marks the models (ui/panels/model_picker.py). Run on a
model that cannot work on the picture (a 28x28 grey model on a colour photo) first says why and
offers "Run anyway"; once run anyway, the same model and task on the same picture are not asked
about again.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from genimg_desktop.core.document import Document
from genimg_desktop.core.model_fit import Picture
from genimg_desktop.ui.panels.model_picker import ModelPicker
from genimg_desktop.ui.window_model import WindowModel

RUN_ANYWAY = "Run anyway"


class FitGuard(QObject):
    def __init__(self, picker: ModelPicker, model: WindowModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.picker, self.model = picker, model
        self._document: Document | None = None
        self._accepted: set[tuple[str, str, Picture]] = set()  # run anyway: not asked again
        model.document_changed.connect(self._follow)
        self._follow(model.document)

    def confirm_run(self, parent: QWidget) -> bool:
        """True when the chosen task may run: it fits the picture, or the artist said run anyway."""
        m = self.model
        if m.model is None or m.task is None or not m.task.takes_image(m.params):
            return True
        why_not = self.picker.misfit(m.model)
        key = (m.model.id, m.task.name, self.picker.picture)
        if not why_not or key in self._accepted:
            return True
        box = QMessageBox(QMessageBox.Icon.Warning, "Model does not fit this picture", why_not, parent=parent)
        box.setInformativeText("Models that fit it are the ones without a warning sign in the list.")
        run = box.addButton(RUN_ANYWAY, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is not run:
            return False
        self._accepted.add(key)
        return True

    def _follow(self, document: Document) -> None:
        """Another document: watch it (a crop or resize replaces its pixels) and tell the picker."""
        if self._document is not None:
            self._document.remove_listener(self._changed)
        self._document = document
        document.add_listener(self._changed)
        self._tell_picker()

    def _changed(self, kind: str, _rect: object) -> None:
        if kind == "reset":
            self._tell_picker()

    def _tell_picker(self) -> None:
        assert self._document is not None
        self.picker.set_picture(Picture.of(self._document.image))
