"""The window model: what the main window works on, held apart from every widget.

It holds the open document, the result staged over it, the chosen model, task, parameters and seed,
the models on offer, the device and whether a job runs. Widgets change it through its methods and
follow it through its signals; JobRunner reads a job's inputs here and its outcomes land here. The
split is Krita's document model and napari's model / `_qt` one: this object has no widget, so it (and
JobRunner with it) runs and is tested without a window.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from genimg_desktop.core.document import Document
from genimg_desktop.core.model_card import ModelDescriptor
from genimg_desktop.core.params import TaskSpec
from genimg_desktop.core.request import GenerationResult
from genimg_desktop.ui.panels.param_widgets import INT_LIMIT

STATUS_MS = 4000  # how long a status-bar line stays by default


class WindowModel(QObject):
    document_changed = Signal(object)  # Document: another document replaced the open one
    saved = Signal(object)  # Path: the document was written there and is no longer modified
    selection_changed = Signal(object, object)  # ModelDescriptor | None, TaskSpec | None
    params_changed = Signal()  # the parameters, the seed or live mode changed
    seed_drawn = Signal(int)  # a random seed was drawn for a run (shown so it can be reused)
    staged_changed = Signal(object)  # the GenerationResult staged over the canvas, or None
    busy_changed = Signal(bool)  # a job started (True) or ended
    models_changed = Signal(object)  # list[ModelDescriptor]: the installed models were listed
    device_changed = Signal(str)  # the device the engine runs on, in words
    device_choice_changed = Signal(str)  # the Device menu's choice in effect ("auto", "cpu", ...)
    message = Signal(str, int)  # a status line for the artist and how long it stays (ms)
    opening_changed = Signal(object)  # Path | None: a file began loading in the background, or ended
    open_progress = Signal(float)  # how far the file being opened has loaded (0..1)
    saving_changed = Signal(object)  # Path | None: a save began encoding off the GUI thread, or ended

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.staged: GenerationResult | None = None
        self.staged_mask: np.ndarray | None = None
        self.model: ModelDescriptor | None = None
        self.task: TaskSpec | None = None
        self.params: dict[str, Any] = {}
        self.seed: int | None = None  # None: a fresh random seed for every run
        self.live = False  # run again whenever a parameter changes
        self.busy = False
        self.models: list[ModelDescriptor] = []
        self.device = ""
        self.device_choice = "auto"  # only a choice the engine took: the one to tick and to save
        self.opening: Path | None = None  # the file loading in the background (ui/image_opener.py)
        self.saving: Path | None = None  # the file a save is writing (ui/file_ops.py)
        self.unsaved_name = ""  # what the title calls a document with no file yet ("" = Untitled)

    # ------------------------------------------------------------- document

    def set_document(self, document: Document, unsaved_name: str = "") -> None:
        """Another document replaces the open one; a result staged over the old one is dropped.
        `unsaved_name` names it in the title until it is saved (e.g. a picture opened scaled down)."""
        self.discard_staged()
        self.document, self.unsaved_name = document, unsaved_name
        self.document_changed.emit(document)

    def mark_saved(self, path: Path) -> None:
        self.document.path = path
        self.document.modified = False
        self.saved.emit(path)

    def set_opening(self, path: Path | None) -> None:
        if path != self.opening:
            self.opening = path
            self.opening_changed.emit(path)

    def set_saving(self, path: Path | None) -> None:
        if path != self.saving:
            self.saving = path
            self.saving_changed.emit(path)

    def title_name(self) -> str:
        path = self.document.path
        return path.name if path is not None else self.unsaved_name or "Untitled"

    def say(self, text: str, ms: int = STATUS_MS) -> None:
        self.message.emit(text, ms)

    # ------------------------------------------------------ what to run, how

    def select(self, model: ModelDescriptor | None, task: TaskSpec | None) -> None:
        self.model, self.task = model, task
        self.selection_changed.emit(model, task)

    def set_params(self, params: dict[str, Any], seed: int | None, live: bool) -> None:
        """The parameter editors' values, a fixed seed (None: random) and whether live mode is on."""
        self.params, self.seed, self.live = dict(params), seed, live
        self.params_changed.emit()

    def next_seed(self) -> int:
        """The seed for the next run: the fixed one, or a fresh draw that `seed_drawn` announces."""
        if self.seed is not None:
            return self.seed
        seed = random.randint(0, INT_LIMIT)
        self.seed_drawn.emit(seed)
        return seed

    def set_models(self, models: list[ModelDescriptor]) -> None:
        self.models = list(models)
        self.models_changed.emit(self.models)

    def set_device(self, label: str) -> None:
        self.device = label
        self.device_changed.emit(label)

    def set_device_choice(self, name: str) -> None:
        """The device choice in effect: one the engine took, or the one kept after it refused another."""
        self.device_choice = name
        self.device_choice_changed.emit(name)

    # -------------------------------------------------------- job and result

    def set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busy_changed.emit(busy)

    def stage(self, result: GenerationResult, mask: np.ndarray) -> None:
        """Show `result` (canvas size) over the document through `mask`, to accept or discard."""
        self.staged, self.staged_mask = result, mask
        self.staged_changed.emit(result)

    def discard_staged(self) -> None:
        """Drop the staged result. Announced even when none was held: a job's preview goes too."""
        self.staged, self.staged_mask = None, None
        self.staged_changed.emit(None)
