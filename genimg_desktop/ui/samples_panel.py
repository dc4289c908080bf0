"""The samples panel: every image of the latest generation job (a grid of samples, interpolation
frames, variations), large enough to judge, and what to do with one of them."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from genimg_desktop.core.request import GenerationResult
from genimg_desktop.ui.qimage import thumbnail

TILE = 128
IDLE_CAPTION = "Run a sampling task: its images appear here."


class SamplesPanel(QWidget):
    """Shows one result's images; signals carry (result, image index)."""

    open_requested = Signal(object, int)  # open the sample as a new image
    place_requested = Signal(object, int)  # put it into the masked area of the canvas
    save_requested = Signal(object, int)
    upscale_requested = Signal(object, int)  # enlarge it with an upscaling model first
    animation_requested = Signal(object)  # save all the images as an animated GIF / WebP

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: GenerationResult | None = None
        self._before_preview: GenerationResult | None = None  # shown again if a preview ends unfinished
        self.previewing = False
        self.caption = QLabel(IDLE_CAPTION)
        self.caption.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("samples_list")
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(TILE, TILE))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setSpacing(4)
        self.list.itemDoubleClicked.connect(lambda _item: self._emit(self.open_requested))
        self.list.currentRowChanged.connect(self._update_buttons)
        self.open_button = QPushButton("Open as image")
        self.open_button.setToolTip("Open the selected sample as a new image (double-click does too)")
        self.place_button = QPushButton("Into mask")
        self.place_button.setToolTip(
            "Put the selected sample into the masked area of the canvas (scaled to cover it; a texture is "
            "laid at 1:1, repeated)"
        )
        self.upscale_button = QPushButton("Upscale…")
        self.upscale_button.setToolTip(
            "Enlarge the selected sample with an upscaling model (e.g. to 256 px) before placing it"
        )
        self.save_button = QPushButton("Save…")
        self.save_button.setToolTip("Save the selected sample as PNG with its parameters embedded")
        self.animation_button = QPushButton("Animation…")
        self.animation_button.setToolTip("Save all the images as a looping GIF or WebP (interpolations)")
        self.animation_button.clicked.connect(
            lambda: self.result and self.animation_requested.emit(self.result)
        )
        buttons = QHBoxLayout()
        for button, signal in (
            (self.open_button, self.open_requested),
            (self.place_button, self.place_requested),
            (self.upscale_button, self.upscale_requested),
            (self.save_button, self.save_requested),
        ):
            button.clicked.connect(lambda _checked=False, s=signal: self._emit(s))
            buttons.addWidget(button)
        buttons.addWidget(self.animation_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.caption)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    def show_result(self, result: GenerationResult) -> None:
        """Replace the tiles with every image of `result`, the first one selected."""
        self.result, self.previewing = result, False
        self.list.clear()
        for index, image in enumerate(result.images):
            item = QListWidgetItem(thumbnail(image, TILE), str(index + 1))
            item.setData(Qt.ItemDataRole.UserRole, index)
            self.list.addItem(item)
        meta = result.metadata()
        h, w = result.images[0].shape[:2] if result.images else (0, 0)
        self.caption.setText(
            f"{meta.get('model')} · {meta.get('task')} · seed {meta.get('seed')} · "
            f"{len(result.images)} × {w}×{h} px · {result.elapsed_s:.2f} s"
            + (f"\n{result.info['summary']}" if result.info.get("summary") else "")
        )
        if result.images:
            self.list.setCurrentRow(0)
        self._update_buttons()

    def show_preview(self, image: np.ndarray, message: str = "") -> None:
        """A job's live preview (e.g. a PixelCNN sample growing row by row) in the first tile."""
        if not self.previewing:
            self._before_preview, self.previewing = self.result, True
        self.result = None
        if self.list.count() != 1 or self.list.item(0).data(Qt.ItemDataRole.UserRole) is not None:
            self.list.clear()
            self.list.addItem(QListWidgetItem(thumbnail(image, TILE), "…"))
        else:
            self.list.item(0).setIcon(thumbnail(image, TILE))
        self.caption.setText(message or "Generating…")
        self._update_buttons()

    def job_ended(self, busy: bool, how: str = "") -> None:
        """A job ended (`busy` False; `how`: "cancelled", "failed", "done in …"): a preview it left
        unfinished gives way to what was shown before, or to a word on why there is nothing."""
        if busy or not self.previewing:
            return
        self.previewing = False
        if self._before_preview is not None:
            self.show_result(self._before_preview)
            return
        self.list.clear()
        self.caption.setText(f"The samples were not finished ({how})." if how else IDLE_CAPTION)
        self._update_buttons()

    def current_index(self) -> int | None:
        item = self.list.currentItem()
        if item is None or self.result is None:
            return None
        index = item.data(Qt.ItemDataRole.UserRole)
        return int(index) if index is not None else None

    def _emit(self, signal: Signal) -> None:
        index = self.current_index()
        if index is not None:
            signal.emit(self.result, index)  # type: ignore[attr-defined]

    def _emit_animation(self) -> None:
        if self.result is not None:
            self.animation_requested.emit(self.result)

    def _update_buttons(self, *_args: object) -> None:
        has = self.current_index() is not None
        for button in (self.open_button, self.place_button, self.upscale_button, self.save_button):
            button.setEnabled(has)
        self.animation_button.setEnabled(self.result is not None and len(self.result.images) > 1)
