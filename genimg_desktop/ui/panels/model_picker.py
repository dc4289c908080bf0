"""The model picker: every listed model (name, family, built-in/user badge) and a task selector.

It starts on the photo default (core/photo_fill.py: the hybrid fill, else PatchMatch, else Telea),
not on whatever model sorts first: inpainting a photo is what the app is opened for.

A model that uses the open picture but does not fit it (core/model_fit.py: a 28x28 grey model on a
colour photo) carries a warning icon and says why in its tooltip.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from genimg_desktop.core.model_card import ModelDescriptor
from genimg_desktop.core.model_fit import Picture, why_not
from genimg_desktop.core.params import TaskSpec
from genimg_desktop.core.photo_fill import preferred

_ID_ROLE = Qt.ItemDataRole.UserRole
FIT_ROLE = Qt.ItemDataRole.UserRole + 1  # why the model does not fit the open picture; "" when it does


def _item_text(model: ModelDescriptor) -> str:
    badge = "built-in" if model.builtin else "user"
    return f"{model.card.name}\n{model.card.family} · {badge}"


def uses_picture(model: ModelDescriptor) -> bool:
    """Whether any of the model's tasks can work on the open picture (else it only makes new ones)."""
    return any(task.needs_image or task.uses_image is not None for task in model.tasks)


def misfit(model: ModelDescriptor, picture: Picture | None) -> str:
    """Why `model` cannot work on `picture`, in words; "" when it can or does not use the picture."""
    return why_not(model.card, picture) if uses_picture(model) else ""


def _tooltip(model: ModelDescriptor, why_not: str) -> str:
    lines = [f"<b>{model.card.name}</b> ({model.id})", f"Family: {model.card.family}"]
    if why_not:
        lines.append(f"<b>Not for this picture:</b> {why_not}")
    if model.card.description:
        lines.append(model.card.description)
    if model.card.licence:
        lines.append(f"Licence: {model.card.licence}")
    lines.append("Tasks: " + ", ".join(t.label or t.name for t in model.tasks))
    return "<br>".join(lines)


class ModelPicker(QWidget):
    """Emits `selection_changed(model, task)` (ModelDescriptor | None, TaskSpec | None)."""

    selection_changed = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._models: dict[str, ModelDescriptor] = {}
        self._picture: Picture | None = None
        self._warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        self.tasks = QComboBox()
        self.errors = QLabel()
        self.errors.setWordWrap(True)
        self.errors.setStyleSheet("color: #b03030")
        self.errors.hide()
        self.list.currentItemChanged.connect(self._model_changed)
        self.tasks.currentIndexChanged.connect(self._emit)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Task", self.tasks)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(form)
        layout.addWidget(self.errors)

    def set_models(self, models: Sequence[ModelDescriptor]) -> None:
        """Show `models`, keeping the current model and task selected when they are still there."""
        previous, task = self.current_model_id(), self.current_task_name()
        self._models = {m.id: m for m in models}
        self.list.blockSignals(True)
        self.list.clear()
        for model in models:
            item = QListWidgetItem(_item_text(model))
            item.setData(_ID_ROLE, model.id)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._mark_fit()
        if not (previous and self.select(previous, task)) and models:
            self._select_default(models)
        if not models:
            self._model_changed()

    def _select_default(self, models: Sequence[ModelDescriptor]) -> None:
        """The photo default's inpaint task when it is listed, else the first model."""
        default = preferred(m.id for m in models)
        if default is None or not self.select(default, "inpaint"):
            self.list.setCurrentRow(0)

    def set_picture(self, picture: Picture | None) -> None:
        """The open picture changed: mark the models that cannot work on it."""
        self._picture = picture
        self._mark_fit()

    @property
    def picture(self) -> Picture | None:
        return self._picture

    def misfit(self, model: ModelDescriptor) -> str:
        """Why `model` cannot work on the open picture; "" when it can."""
        return misfit(model, self._picture)

    def _mark_fit(self) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            model = self._models[item.data(_ID_ROLE)]
            why_not = self.misfit(model)
            item.setData(FIT_ROLE, why_not)
            item.setIcon(self._warning if why_not else QIcon())
            item.setToolTip(_tooltip(model, why_not))

    def set_errors(self, errors: Sequence[str]) -> None:
        """Problems found while listing (bad model cards); shown under the list."""
        self.errors.setText("\n".join(str(e) for e in errors))
        self.errors.setVisible(bool(errors))

    def models(self) -> list[ModelDescriptor]:
        return list(self._models.values())

    def current_model_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(_ID_ROLE) if item else None

    def current_model(self) -> ModelDescriptor | None:
        model_id = self.current_model_id()
        return self._models.get(model_id) if model_id else None

    def current_task_name(self) -> str | None:
        return self.tasks.currentData()

    def current_task(self) -> TaskSpec | None:
        model, name = self.current_model(), self.current_task_name()
        if model is None or name is None:
            return None
        return model.task(name)

    def select(self, model_id: str, task: str | None = None) -> bool:
        """Select `model_id` (and `task` if given and offered). False if the model is not listed."""
        for row in range(self.list.count()):
            if self.list.item(row).data(_ID_ROLE) == model_id:
                self.list.setCurrentRow(row)
                index = self.tasks.findData(task) if task else -1
                if index >= 0:
                    self.tasks.setCurrentIndex(index)
                return task is None or index >= 0
        return False

    def _model_changed(self, *_args: object) -> None:
        model = self.current_model()
        self.tasks.blockSignals(True)
        self.tasks.clear()
        for spec in model.tasks if model else ():
            self.tasks.addItem(spec.label or spec.name, spec.name)
            self.tasks.setItemData(self.tasks.count() - 1, spec.help, Qt.ItemDataRole.ToolTipRole)
        self.tasks.blockSignals(False)
        self._emit()

    def _emit(self, *_args: object) -> None:
        self.selection_changed.emit(self.current_model(), self.current_task())
