"""Image > Match colours to a picture…: the picture takes the colours and tone of a reference picture
(core/colour_transfer.py), or also its texture, re-drawn from its patches (core/patch_style.py), as
one undo step, through the mask when one is painted.

The dialog shows the chosen reference and a preview of the result on a thumbnail that follows the
strength slider live (the patch method's thumbnail is drawn once per reference and blended); OK
applies it to the full picture, the patch method off the GUI thread (ui/patch_style_run.py). It
refuses, saying why, while a job runs or a result waits over the picture, as the geometry changes do.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QPixmap, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSlider,
    QWidget,
)

from genimg_desktop.core.colour_transfer import match_colours
from genimg_desktop.core.imageio import ImageLoadError, load_image
from genimg_desktop.core.patch_style import style_with_patches
from genimg_desktop.ui.background import Cancelled
from genimg_desktop.ui.canvas import CanvasView
from genimg_desktop.ui.canvas.commands import apply_and_push
from genimg_desktop.ui.dialog_buttons import ok_cancel
from genimg_desktop.ui.file_ops import OPEN_FILTER
from genimg_desktop.ui.image_menu import may_change
from genimg_desktop.ui.menu_items import add_action
from genimg_desktop.ui.patch_style_run import run_patch_style
from genimg_desktop.ui.qimage import array_to_qimage
from genimg_desktop.ui.window_host import WindowHost

TITLE = "Match colours to a picture"
PREVIEW_SIDE = 320  # the preview thumbnails' longest side, px
METHODS = (
    ("Colours and tone (instant)", "colour"),  # Reinhard: each CIELAB channel's mean and spread
    ("Colours and texture, re-drawn from its patches (seconds)", "patch"),
)


class ColourHost(WindowHost, Protocol):
    undo_stack: QUndoStack
    canvas: CanvasView


def add_to_menu(menu: QMenu, host: ColourHost, acts: dict[str, QAction]) -> None:
    acts["match_colours"] = add_action(menu, host, "&Match colours to a picture…", lambda: ask(host))


def ask(host: ColourHost) -> MatchColoursDialog | None:
    """Open the dialog (window-modal, not blocking); OK applies the change as one undo step."""
    if not may_change(host, TITLE):
        return None
    doc = host.model.document
    mask = doc.mask if doc.mask.any() else None
    dialog = MatchColoursDialog(doc.image, mask, host.settings.last_folder, host.window())
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.accepted.connect(lambda: apply(host, dialog))
    dialog.open()
    return dialog


def apply(host: ColourHost, dialog: MatchColoursDialog) -> bool:
    """Give the open picture the reference's style at the dialog's strength, as one undo step (the
    patch method when its work is done, off the GUI thread)."""
    if dialog.reference is None or not may_change(host, TITLE):
        return False
    doc = host.model.document
    mask = doc.mask if doc.mask.any() else None
    what = _Change(dialog.reference_name, dialog.method(), dialog.slider.value(), mask is not None, doc.size)
    if what.method == "patch":
        run_patch_style(
            host.window(),
            doc.image,
            dialog.reference,
            dialog.strength(),
            mask,
            lambda out: _finish(host, out, what),
        )
        return True
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        new = match_colours(doc.image, dialog.reference, dialog.strength(), mask)
    finally:
        QApplication.restoreOverrideCursor()
    return _finish(host, new, what)


@dataclass(frozen=True)
class _Change:
    name: str  # the reference's file name
    method: str
    percent: int
    masked: bool
    size: tuple[int, int]  # the picture's when the change was computed


def _finish(host: ColourHost, outcome: object, what: _Change) -> bool:
    """Push the styled picture as one undo step, or say why nothing changed."""
    if isinstance(outcome, Cancelled):
        host.model.say(f"{TITLE}: cancelled; the picture is as it was", 8000)
        return False
    if isinstance(outcome, Exception):
        host.model.say(f"{TITLE}: {outcome}", 8000)
        return False
    doc = host.model.document
    if doc.size != what.size:  # cannot happen behind the modal progress dialog; never push a misfit
        return False
    assert isinstance(outcome, np.ndarray)
    text = f"Match {'style' if what.method == 'patch' else 'colours'} to {what.name}"
    if apply_and_push(host.undo_stack, doc, "image", outcome, text) is None:  # strength 0
        host.model.say(f"{TITLE}: nothing changed at strength {what.percent}%", 8000)
        return False
    where = "the masked area" if what.masked else "the picture"
    taken = "colours and texture" if what.method == "patch" else "colours"
    host.model.say(f"{TITLE}: {where} takes the {taken} of {what.name} (Ctrl+Z undoes it)")
    return True


class MatchColoursDialog(QDialog):
    """Choose the reference picture and the strength; the preview shows the result on a thumbnail."""

    def __init__(self, image: np.ndarray, mask: np.ndarray | None, folder: str, parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.reference: np.ndarray | None = None
        self.reference_name = ""
        self._folder = folder
        self._thumb, self._thumb_mask = _thumbnail(image, mask)
        self.choose = QPushButton("Choose…")
        self.choose.clicked.connect(self._ask_file)
        self.file_label = QLabel("No reference chosen")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 100)
        self.slider.setValue(100)
        self.strength_label = QLabel()
        self.slider.valueChanged.connect(self._update)
        self.methods = QComboBox()
        for label, method in METHODS:
            self.methods.addItem(label, method)
        self.methods.currentIndexChanged.connect(self._restyle)
        self._patch_thumb: np.ndarray | None = None  # the thumbnail re-drawn at full strength, kept
        self.ref_view, self.preview = QLabel(), QLabel()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.buttons = ok_cancel(self)
        self._layout(mask is not None)
        self._update()

    def _layout(self, masked: bool) -> None:
        form = QFormLayout(self)
        row = QHBoxLayout()
        row.addWidget(self.file_label, 1)
        row.addWidget(self.choose)
        form.addRow("Reference:", row)
        strength = QHBoxLayout()
        strength.addWidget(self.slider, 1)
        strength.addWidget(self.strength_label)
        form.addRow("Strength:", strength)
        form.addRow("Method:", self.methods)
        views = QHBoxLayout()
        views.addWidget(self.ref_view)
        views.addWidget(self.preview)
        form.addRow(views)
        where = "Only the masked area changes." if masked else "The whole picture changes (no mask painted)."
        form.addRow(QLabel(where))
        form.addRow(self.message)
        form.addRow(self.buttons)

    def strength(self) -> float:
        return self.slider.value() / 100.0

    def method(self) -> str:
        return str(self.methods.currentData())

    def _ask_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Reference picture", self._folder, OPEN_FILTER)
        if path:
            self.set_reference(Path(path))

    def set_reference(self, path: Path) -> bool:
        """Load the reference picture; an unreadable file is said and keeps the one chosen before."""
        try:
            rgba = load_image(path, fit=True).rgba
        except (ImageLoadError, OSError) as exc:
            self.message.setText(f"Cannot use {path.name} as the reference: {exc}")
            return False
        if not rgba[..., 3].any():
            self.message.setText(f"{path.name} is fully transparent: it has no colours to match")
            return False
        self.reference, self.reference_name = rgba, path.name
        self.file_label.setText(path.name)
        self.message.clear()
        self.ref_view.setPixmap(QPixmap.fromImage(array_to_qimage(_thumbnail(rgba, None)[0])))
        self._restyle()
        return True

    def _restyle(self) -> None:
        """A new reference or method: the patch preview is drawn again (a fraction of a second)."""
        self._patch_thumb = None
        if self.reference is not None and self.method() == "patch":
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                self._patch_thumb = style_with_patches(self._thumb, self.reference, 1.0, self._thumb_mask)
            finally:
                QApplication.restoreOverrideCursor()
        self._update()

    def _update(self) -> None:
        self.strength_label.setText(f"{self.slider.value()}%")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.reference is not None)
        thumb = self._thumb
        if self._patch_thumb is not None:  # the slider blends the kept full-strength thumbnail
            mixed = thumb + (self._patch_thumb.astype(np.float32) - thumb) * self.strength()
            thumb = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)
        elif self.reference is not None:
            thumb = match_colours(self._thumb, self.reference, self.strength(), self._thumb_mask)
        self.preview.setPixmap(QPixmap.fromImage(array_to_qimage(thumb)))


def _thumbnail(image: np.ndarray, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """The picture (and mask) scaled to at most PREVIEW_SIDE px on the longest side."""
    h, w = image.shape[:2]
    scale = min(1.0, PREVIEW_SIDE / max(h, w))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    small_mask = None if mask is None else cv2.resize(mask, size, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(small), small_mask
