"""The gallery: a thumbnail of every result of every session (kept on disk by core.history),
searchable by model and parameters, and what to do with one."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
from PySide6.QtCore import QPoint, QSize, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from genimg_desktop.core.history import History, HistoryEntry, matches
from genimg_desktop.core.imageio import ImageLoadError, load_image
from genimg_desktop.core.request import GenerationResult
from genimg_desktop.ui.qimage import thumbnail

THUMB = 112
# A result of at least this many pixels is kept on disk only once the history holds it: an x4 of a
# 12 MP photo is 192 MP (576 MB), and the gallery keeps every result of the session.
ON_DISK_PIXELS = 4_000_000


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
    """Shows results (this session's in memory, earlier ones and large ones from the history on disk)
    and emits what the user wants done with one. Signals carry the GenerationResult: `stage_requested`,
    `save_requested`, `reuse_requested`. New results are written to the history on a background
    thread, so a big result never stalls the window."""

    stage_requested = Signal(object)
    save_requested = Signal(object)
    reuse_requested = Signal(object)
    _written = Signal(int, object)  # (index in _results, HistoryEntry), from the history's writer thread

    def __init__(self, parent: QWidget | None = None, history: History | None = None) -> None:
        super().__init__(parent)
        self._results: list[GenerationResult | HistoryEntry] = []
        self.history = history
        self.canvas_rgb: Callable[[], np.ndarray] | None = None  # rebuilds edits kept in the history
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history")
        self._pending: list[Future[HistoryEntry]] = []
        self.on_disk_pixels = ON_DISK_PIXELS
        self._written.connect(self._keep_on_disk, Qt.ConnectionType.QueuedConnection)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search: model, task, seed=…, parameter=…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
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
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    def add_result(self, result: GenerationResult) -> None:
        """Add the first image of `result` as a new, selected thumbnail, and keep it in the history."""
        if not result.images:
            return
        self._add_item(result, thumbnail(result.images[0], THUMB), result.metadata(), describe(result))
        if self.history is not None:
            future = self._writer.submit(self.history.add, result)
            self._pending.append(future)
            if self._exact_on_disk(result):
                index = len(self._results) - 1
                future.add_done_callback(lambda f: f.exception() or self._written.emit(index, f.result()))

    def _exact_on_disk(self, result: GenerationResult) -> bool:
        """Whether `result` is large and the history gives it back as it is: RGB images (the history
        keeps no alpha) that are no edit of the canvas (an edit keeps only its mask box, rebuilt over
        the canvas of the moment; staging needs the request's image): an upscale, generated pictures."""
        images, source = result.images, result.request.image
        edit = source is not None and images[0].shape[:2] == source.shape[:2]
        rgb = all(image.ndim == 3 and image.shape[2] == 3 for image in images)
        return (
            not edit
            and rgb
            and sum(image.shape[0] * image.shape[1] for image in images) >= self.on_disk_pixels
        )

    def _keep_on_disk(self, index: int, entry: HistoryEntry) -> None:
        """The result at `index` is in the history now: drop its pixels, read them back when used."""
        self._results[index] = entry

    def load_history(self) -> int:
        """Show the earlier sessions' results (oldest first, before this session's); returns how many."""
        if self.history is None:
            return 0
        shown = 0
        for entry in self.history.entries():
            try:
                pixmap = thumbnail(load_image(entry.thumb).rgba[..., :3], THUMB)
            except ImageLoadError:
                continue  # a damaged entry is skipped, never fatal
            self._add_item(entry, pixmap, entry.meta, f"{entry.meta.get('model')} · {entry.meta.get('task')}")
            shown += 1
        self._filter(self.search.text())
        return shown

    def flush(self) -> None:
        """Wait until every result is written to the history (tests; closing the window)."""
        for future in self._pending:
            future.exception()  # waits; a failed write only loses that history entry
        self._pending.clear()

    def shutdown(self) -> None:
        self.flush()
        self._writer.shutdown(wait=True)

    def _add_item(
        self, source: GenerationResult | HistoryEntry, pixmap: QPixmap, meta: dict[str, Any], tip: str
    ) -> None:
        self._results.append(source)
        item = QListWidgetItem(pixmap, f"#{len(self._results)} {meta.get('model')}")
        item.setData(Qt.ItemDataRole.UserRole, len(self._results) - 1)
        item.setToolTip(tip + "\n\n" + json.dumps(meta, indent=1, default=str))
        self.list.addItem(item)
        item.setHidden(not matches(meta, self.search.text()))
        if not item.isHidden():
            self.list.setCurrentItem(item)

    def results(self) -> list[GenerationResult | HistoryEntry]:
        return list(self._results)

    def current_result(self) -> GenerationResult | None:
        """The selected result; one from the history is read from disk (None if its files are gone)."""
        item = self.list.currentItem()
        if item is None:
            return None
        source = self._results[item.data(Qt.ItemDataRole.UserRole)]
        if isinstance(source, GenerationResult):
            return source
        try:
            return self.history.load(source, self.canvas_rgb() if self.canvas_rgb else None)  # type: ignore[union-attr]
        except (ImageLoadError, OSError, KeyError, ValueError):
            return None

    def _filter(self, query: str) -> None:
        for row in range(self.list.count()):
            source = self._results[self.list.item(row).data(Qt.ItemDataRole.UserRole)]
            meta = source.meta if isinstance(source, HistoryEntry) else source.metadata()
            self.list.item(row).setHidden(not matches(meta, query))

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
