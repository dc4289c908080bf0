"""Filter > Denoise / Restore…: clean noise and JPEG artefacts with a "restore" model, on the whole
picture or only where the mask is painted (every other pixel stays exactly as it was). The result is
staged over the canvas like any result: Show before and Split compare it with the picture as it is,
Accept keeps it as one undo step, Discard (Esc) drops it. It runs on the engine's worker, with
progress and Cancel in the status bar.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLabel, QMenu, QSlider, QWidget

from genimg_desktop.core.model_card import ModelDescriptor
from genimg_desktop.core.request import GenerationResult
from genimg_desktop.ui.canvas import CanvasView
from genimg_desktop.ui.dialog_buttons import ok_cancel
from genimg_desktop.ui.image_menu import may_change
from genimg_desktop.ui.job_runner import JobRunner
from genimg_desktop.ui.menu_items import add_action
from genimg_desktop.ui.window_host import WindowHost

TEXT = "Denoise / Restore"
TASK = "denoise"


class RestoreHost(WindowHost, Protocol):
    undo_stack: QUndoStack
    canvas: CanvasView
    jobs: JobRunner


def restorers(models: list[ModelDescriptor]) -> list[ModelDescriptor]:
    """The models that clean pictures (they have a 'denoise' task)."""
    return [m for m in models if any(task.name == TASK for task in m.tasks)]


class RestoreDialog(QDialog):
    def __init__(self, models: list[ModelDescriptor], masked: bool, parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle(TEXT)
        self.model = QComboBox()
        for model in models:
            self.model.addItem(model.card.name, model.id)
        self.strength = QSlider(Qt.Orientation.Horizontal)
        self.strength.setRange(0, 100)
        self.strength.setValue(100)
        self.strength.setToolTip("Lower keeps some of the grain; 0 leaves the picture as it is")
        shown = QLabel()
        self.strength.valueChanged.connect(lambda v: shown.setText(f"{v} %"))
        shown.setText("100 %")
        self.error = QLabel()
        self.error.setStyleSheet("color: #d04040")
        where = "Only where the mask is painted" if masked else "The whole picture (paint a mask to limit it)"
        form = QFormLayout(self)
        form.addRow("Model:", self.model)
        form.addRow("Strength:", self.strength)
        form.addRow("", shown)
        form.addRow("Area:", QLabel(where))
        form.addRow(QLabel("The result is shown over the picture: compare, then Accept or Discard."))
        form.addRow(self.error)
        form.addRow(ok_cancel(self))

    def model_id(self) -> str | None:
        return self.model.currentData()

    def strength_value(self) -> float:
        return self.strength.value() / 100

    def accept(self) -> None:
        if self.model_id() is None:
            self.error.setText("No restore model is installed (Models > Model manager imports one).")
            return
        super().accept()


def add_to_menu(menu: QMenu, host: RestoreHost, acts: dict[str, QAction]) -> None:
    acts["denoise"] = add_action(menu, host, "&Denoise / Restore…", lambda: ask(host), "Ctrl+Alt+D")


def ask(host: RestoreHost) -> RestoreDialog | None:
    """The dialog (window-modal, not blocking); OK runs the model and stages its result."""
    if not may_change(host, TEXT):
        return None
    masked = bool(host.model.document.mask.any())
    dialog = RestoreDialog(restorers(host.model.models), masked, host.window())
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.accepted.connect(lambda: run(host, dialog.model_id(), dialog.strength_value()))
    dialog.open()
    return dialog


def run(host: RestoreHost, model_id: str | None, strength: float) -> bool:
    """Run the restore model with `strength` on the picture (through the mask when one is painted)."""
    if not may_change(host, TEXT):
        return False
    model = next((d for d in restorers(host.model.models) if d.id == model_id), None)
    if model is None:
        host.model.say(f"{TEXT}: no restore model '{model_id}' is installed", 8000)
        return False
    task = model.task(TASK)
    choice = (model, task, {**task.defaults(), "strength": strength})
    return host.jobs.run(choice, on_result=lambda result: _staged(host, result)) is not None


def _staged(host: RestoreHost, result: GenerationResult) -> None:
    host.jobs.show_result(result)
    host.model.say(f"{TEXT}: compare with Show before or Split, then Accept (or Discard, Esc)", 10000)
