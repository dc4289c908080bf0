"""The session gallery: a thumbnail of every result, its parameters, and what to do with it."""

from __future__ import annotations

import json

from PySide6.QtCore import QPoint, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from genimg_desktop.core.request import GenerationResult
from genimg_desktop.ui.qimage import thumbnail

THUMB = 112


def describe(result: GenerationResult) -> str:
    """A few readable lines about a result, for its tooltip."""
    meta = result.metadata()
    params = ", ".join(f"{k}={v}" for k, v in meta.get("params", {}).items())
    return "\n".join(
        [
            f"{meta.get('model')} · {meta.get('task')}",
            f"seed {meta.get('seed')} · {result.elapsed_s:.2f} s",
            params,
        ]
    ).strip()


class Gallery(QWidget):
    """Keeps the session's results (in memory) and emits what the user wants done with one.

    Signals carry the GenerationResult: `stage_requested`, `save_requested`, `reuse_requested`.
    """

    stage_requested = Signal(object)
    save_requested = Signal(object)
    reuse_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._results: list[GenerationResult] = []
        self.list = QListWidget()
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(THUMB, THUMB))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setSpacing(4)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.list.itemDoubleClicked.connect(lambda _item: self._emit(self.stage_requested))
        self.list.currentRowChanged.connect(self._update_buttons)
        self.stage_button = QPushButton("Stage")
        self.stage_button.setToolTip("Show this result on the canvas again, to accept or discard")
        self.save_button = QPushButton("Save…")
        self.save_button.setToolTip("Save as PNG with its parameters embedded")
        self.reuse_button = QPushButton("Reuse")
        self.reuse_button.setToolTip("Load this result's model, task, parameters and seed")
        self.stage_button.clicked.connect(lambda: self._emit(self.stage_requested))
        self.save_button.clicked.connect(lambda: self._emit(self.save_requested))
        self.reuse_button.clicked.connect(lambda: self._emit(self.reuse_requested))
        buttons = QHBoxLayout()
        for button in (self.stage_button, self.save_button, self.reuse_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    def add_result(self, result: GenerationResult) -> None:
        """Add the first image of `result` as a new, selected thumbnail."""
        if not result.images:
            return
        self._results.append(result)
        meta = result.metadata()
        item = QListWidgetItem(
            thumbnail(result.images[0], THUMB), f"#{len(self._results)} {meta.get('model')}"
        )
        item.setData(Qt.ItemDataRole.UserRole, len(self._results) - 1)
        item.setToolTip(describe(result) + "\n\n" + json.dumps(meta, indent=1, default=str))
        self.list.addItem(item)
        self.list.setCurrentItem(item)

    def results(self) -> list[GenerationResult]:
        return list(self._results)

    def current_result(self) -> GenerationResult | None:
        item = self.list.currentItem()
        return self._results[item.data(Qt.ItemDataRole.UserRole)] if item else None

    def _emit(self, signal: Signal) -> None:
        result = self.current_result()
        if result is not None:
            signal.emit(result)  # type: ignore[attr-defined]

    def _update_buttons(self, *_args: object) -> None:
        has = self.list.currentItem() is not None
        for button in (self.stage_button, self.save_button, self.reuse_button):
            button.setEnabled(has)

    def _context_menu(self, pos: QPoint) -> None:
        if self.list.itemAt(pos) is None:
            return
        menu = QMenu(self)
        menu.addAction("Stage on canvas", lambda: self._emit(self.stage_requested))
        menu.addAction("Save as PNG…", lambda: self._emit(self.save_requested))
        menu.addAction("Reuse parameters", lambda: self._emit(self.reuse_requested))
        menu.exec(self.list.viewport().mapToGlobal(pos))
