"""CanvasView: the centre widget. Tiled image + translucent mask overlay + staged result, mask tools,
the colour brush and picker, the crop frame, whole-mask operations and result staging, every edit one
step on the shared QUndoStack."""

from __future__ import annotations

import math
import weakref

import numpy as np
import shiboken6
from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QUndoStack
from PySide6.QtWidgets import QWidget

from genimg_desktop.core.document import Document, Listener
from genimg_desktop.core.rect import Rect
from genimg_desktop.ui.canvas.brush_outline import BrushOutline
from genimg_desktop.ui.canvas.commands import push_patch
from genimg_desktop.ui.canvas.crop_tool import CropTool
from genimg_desktop.ui.canvas.mask_actions import MaskActions
from genimg_desktop.ui.canvas.navigation import ZoomPanView
from genimg_desktop.ui.canvas.staging import StagedResult, draw_split_line
from genimg_desktop.ui.canvas.subject_tool import SubjectTool
from genimg_desktop.ui.canvas.tiled_layers import TiledLayer, image_source, mask_colour_table, mask_source
from genimg_desktop.ui.canvas.tools import (
    MASK_TOOLS,
    STROKE_TOOLS,
    TOOL_NAMES,
    BrushSettings,
    CanvasTool,
    make_tool,
)

IMAGE_Z, OVERLAY_Z = 0.0, 10.0
DEFAULT_MASK_COLOUR = QColor(255, 0, 0, 128)
MAX_BRUSH = 1000
CROP_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape)


def _document_listener(view: CanvasView) -> Listener:
    """A listener that holds the view weakly and unsubscribes once the widget is gone: the document
    may outlive the view (e.g. a closed window) and must not call into a deleted C++ object."""
    ref = weakref.ref(view)

    def listener(kind: str, rect: Rect | None) -> None:
        target = ref()
        if target is not None and shiboken6.isValid(target):
            target._on_document_changed(kind, rect)
        elif target is not None and target._doc is not None:
            target._doc.remove_listener(listener)

    return listener


class CanvasView(ZoomPanView):
    """Shows `document` and edits its mask; see docs/ARCHITECTURE.md (ui/canvas)."""

    cursor_moved = Signal(int, int)  # image pixel under the mouse (may lie outside the image)
    mask_changed = Signal()
    brush_changed = Signal()
    staged_changed = Signal(bool)
    crop_requested = Signal(object)  # Rect: Enter, or a double-click inside the crop frame
    subject_requested = Signal(object)  # Rect: a box drawn with the Select subject tool

    def __init__(self, document: Document, undo_stack: QUndoStack, parent: QWidget | None = None):
        super().__init__(parent)
        self.undo_stack = undo_stack
        self._doc: Document | None = None
        self._image_layer: TiledLayer | None = None
        self._overlay: TiledLayer | None = None
        self._layer_size: tuple[int, int] | None = None
        self._staged: StagedResult | None = None
        self._show_before = False
        self._split_x: float | None = None  # Split compare: the result shows right of this x only
        self._mask_visible = True
        self._mask_colour = QColor(DEFAULT_MASK_COLOUR)
        self._table = mask_colour_table(self._mask_colour)
        self._tool_name = "brush"
        self._eraser_mode = False
        self._brush = BrushSettings()
        self._active: CanvasTool | None = None
        self._crop: CropTool | None = None  # a crop frame drawn and waiting for Enter or Esc
        self._outline = BrushOutline(self, self._brush)
        self._listener = _document_listener(self)
        self.set_document(document)
        self.restore_cursor()

    # -- document ------------------------------------------------------------------------------
    @property
    def document(self) -> Document:
        assert self._doc is not None
        return self._doc

    def set_document(self, document: Document) -> None:
        """Show a new document: rebuild the layers, drop staging and undo history, fit to window."""
        self._cancel_tool(keep=False)
        self.drop_crop()
        if self._doc is not None:
            self._doc.remove_listener(self._listener)
        self._doc = document
        self._actions = MaskActions(document, self.undo_stack)
        document.add_listener(self._listener)
        self.undo_stack.clear()  # old commands point at the old document's arrays
        self._rebuild()
        self.fit_to_window()

    def _rebuild(self) -> None:
        """(Re)create the layers for the document's current arrays (new document or new size)."""
        self.discard_staged()
        for item in (self._image_layer, self._overlay):
            if item is not None:
                self.scene().removeItem(item)
        doc = self.document
        w, h = doc.size
        self._image_layer = TiledLayer(w, h, image_source(lambda: doc.image))
        self._overlay = TiledLayer(w, h, mask_source(lambda: doc.mask, lambda: self._table))
        self._image_layer.setZValue(IMAGE_Z)
        self._overlay.setZValue(OVERLAY_Z)
        self.scene().addItem(self._image_layer)
        self.scene().addItem(self._overlay)
        self._update_overlay_visibility()
        self._layer_size = (w, h)
        self.set_image_size(w, h)

    def _on_document_changed(self, kind: str, rect: Rect | None) -> None:
        if kind == "reset":
            self._cancel_tool(keep=False)  # its recorder holds tiles of the replaced mask
            self.drop_crop()
            old_size = self._layer_size
            self._rebuild()
            if old_size != self.document.size:
                self.fit_to_window()
            self.mask_changed.emit()
        elif kind == "image" and self._image_layer is not None:
            self._image_layer.invalidate(rect)
        elif kind == "mask" and self._overlay is not None:
            self._overlay.invalidate(rect)
            if self._staged is not None:
                self._staged.mask_changed(rect)
            self.mask_changed.emit()

    @property
    def image_layer(self) -> TiledLayer:
        assert self._image_layer is not None
        return self._image_layer

    @property
    def mask_layer(self) -> TiledLayer:
        assert self._overlay is not None
        return self._overlay

    # -- tools and brush -----------------------------------------------------------------------
    @property
    def tool(self) -> str:
        return self._tool_name

    def set_tool(self, name: str) -> None:
        if name not in TOOL_NAMES:
            raise ValueError(f"unknown tool {name!r}; expected one of {', '.join(TOOL_NAMES)}")
        self._cancel_tool()
        self.drop_crop()
        self._tool_name = name
        self.restore_cursor()
        self.viewport().update()

    @property
    def eraser_mode(self) -> bool:
        return self._eraser_mode

    def set_eraser_mode(self, on: bool) -> None:
        """When on, brush/rect/lasso erase instead of paint (as when Alt is held)."""
        self._eraser_mode = bool(on)

    @property
    def brush_size(self) -> float:
        return self._brush.size

    def set_brush_size(self, px: float) -> None:
        px = float(min(max(px, 1.0), MAX_BRUSH))
        if px != self._brush.size:
            self._brush.size = px
            self._outline.move_to(self._outline.pos)
            self.brush_changed.emit()

    @property
    def brush_hardness(self) -> float:
        return self._brush.hardness

    def set_brush_hardness(self, hardness: float) -> None:
        hardness = float(min(max(hardness, 0.0), 1.0))
        if hardness != self._brush.hardness:
            self._brush.hardness = hardness
            self.brush_changed.emit()

    @property
    def paint_colour(self) -> QColor:
        """The colour brush's colour (P paints it; the picker or Alt+click with it takes a new one)."""
        return QColor(*self._brush.colour)

    def set_paint_colour(self, colour: QColor) -> None:
        rgb = (colour.red(), colour.green(), colour.blue())
        if colour.isValid() and rgb != self._brush.colour:
            self._brush.colour = rgb
            self.brush_changed.emit()

    # -- crop frame ----------------------------------------------------------------------------
    @property
    def crop_rect(self) -> Rect | None:
        """The crop frame waiting to be applied, or None."""
        return self._crop.rect if self._crop is not None else None

    def drop_crop(self) -> None:
        if self._crop is not None:
            self._crop.cancel()
            self._crop = None

    def _request_crop(self) -> None:
        if self._crop is not None and self._crop.rect is not None:
            self.crop_requested.emit(self._crop.rect)

    # -- mask display --------------------------------------------------------------------------
    @property
    def mask_visible(self) -> bool:
        return self._mask_visible

    def set_mask_visible(self, visible: bool) -> None:
        self._mask_visible = bool(visible)
        self._update_overlay_visibility()

    @property
    def mask_colour(self) -> QColor:
        """Overlay colour; its alpha is the overlay opacity at mask value 255."""
        return QColor(self._mask_colour)

    @mask_colour.setter
    def mask_colour(self, colour: QColor) -> None:
        self.set_mask_colour(colour)

    def set_mask_colour(self, colour: QColor) -> None:
        self._mask_colour = QColor(colour)
        self._table = mask_colour_table(self._mask_colour)
        if self._overlay is not None:
            self._overlay.invalidate(None)

    def _update_overlay_visibility(self) -> None:
        # While a staged result is shown, the red overlay would hide exactly what the artist judges.
        showing_result = self._staged is not None and not self._show_before
        if self._overlay is not None:
            self._overlay.setVisible(self._mask_visible and not showing_result)

    # -- whole-mask operations (each one undo step) --------------------------------------------
    def invert_mask(self) -> None:
        self._actions.invert()

    def clear_mask(self) -> None:
        self._actions.clear()

    def fill_all(self) -> None:
        self._actions.fill_all()

    def grow_mask(self, px: float) -> None:
        self._actions.grow(px)

    def shrink_mask(self, px: float) -> None:
        self._actions.shrink(px)

    def feather_mask(self, px: float) -> None:
        self._actions.feather(px)

    # -- staging -------------------------------------------------------------------------------
    @property
    def staged(self) -> bool:
        return self._staged is not None

    def stage_result(self, rgb: np.ndarray, mask: np.ndarray | None = None) -> None:
        """Show a full-size RGB result over the image; `mask` = the job's mask (None: current mask)."""
        staged = StagedResult(self.document, self.scene(), rgb, mask)  # validates before replacing
        if self._staged is not None:
            self._staged.remove()
        self._staged = staged
        self._show_before = False
        self._split_x = None
        self._update_overlay_visibility()
        self.staged_changed.emit(True)

    def set_show_before(self, before: bool) -> None:
        self._show_before = bool(before)
        if self._staged is not None:
            self._staged.set_show_before(self._show_before)
        self._update_overlay_visibility()

    @property
    def show_before(self) -> bool:
        return self._show_before

    def set_split(self, on: bool) -> None:
        """Split compare: the picture as it is left of a line, the staged result right of it; the line
        starts in the middle of the view and follows the mouse."""
        middle = self.mapToScene(self.viewport().rect().center()).x()
        self._split_x = middle if on and self._staged is not None else None
        self._show_split()

    @property
    def split_x(self) -> float | None:
        return self._split_x

    def _show_split(self) -> None:
        if self._staged is not None:
            self._staged.set_split(self._split_x)
        self.viewport().update()

    def accept_staged(self, feather_px: float = 0.0) -> bool:
        """Composite the staged result into the image (one undo step); False if nothing was staged."""
        if self._staged is None:
            return False
        self._staged.accept(self.undo_stack, feather_px)
        self.discard_staged()
        return True

    def discard_staged(self) -> None:
        if self._staged is None:
            return
        self._staged.remove()
        self._staged = None
        self._show_before = False
        self._split_x = None
        self.viewport().update()
        self._update_overlay_visibility()
        self.staged_changed.emit(False)

    # -- mouse ---------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.wants_pan(event.button()) and self._active is None:
            self.begin_pan(event.position().toPoint())
        elif event.button() == Qt.MouseButton.LeftButton and self._active is None:
            self._active = self._new_tool(bool(event.modifiers() & Qt.KeyboardModifier.AltModifier))
            self._active.press(self.to_scene(event.position()))
        else:
            super().mousePressEvent(event)
            return
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = self.to_scene(event.position())
        self._outline.move_to(pos)
        self.cursor_moved.emit(math.floor(pos.x()), math.floor(pos.y()))
        if self._split_x is not None:
            self._split_x = pos.x()
            self._show_split()
        if self.panning:
            self.pan_to(event.position().toPoint())
        elif self._active is not None:
            self._active.move(pos)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self.panning and event.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.MiddleButton):
            self.end_pan()
        elif event.button() == Qt.MouseButton.LeftButton and self._active is not None:
            tool, self._active = self._active, None
            patch = tool.release(self.to_scene(event.position()))
            if patch is not None:
                push_patch(self.undo_stack, self.document, tool.target, patch, tool.text)
            if isinstance(tool, SubjectTool):
                tool.cancel()
                if tool.rect is not None:
                    self.subject_requested.emit(tool.rect)
            elif isinstance(tool, CropTool):
                self._crop = tool if tool.rect is not None else None
                if self._crop is None:
                    tool.cancel()
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self._crop is not None and self._crop.contains(self.to_scene(event.position())):
            self._request_crop()
            event.accept()
            return
        # Qt sends a double-click instead of the second press: treat it as a press so no dab is lost.
        self.mousePressEvent(event)

    def _new_tool(self, alt: bool) -> CanvasTool:
        """The tool for one drag. Alt erases with the mask tools and picks a colour with the colour brush."""
        if self._tool_name == "crop":
            self.drop_crop()  # a new frame replaces the old one
            return CropTool(self.document, self.scene())
        if self._tool_name == "subject":
            return SubjectTool(self.document, self.scene())
        erase = alt or (self._eraser_mode and self._tool_name in MASK_TOOLS)
        pick = lambda rgb: self.set_paint_colour(QColor(*rgb))  # noqa: E731 - a one-line callback
        return make_tool(self._tool_name, self.document, self.scene(), self._brush, erase, pick)

    # -- keys: the crop frame's Enter and Esc come before the window's shortcuts ---------------
    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and self._crop is not None
            and isinstance(event, QKeyEvent)
            and event.key() in CROP_KEYS
        ):
            event.accept()  # the key comes to keyPressEvent instead of triggering an action
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._crop is not None and event.key() in CROP_KEYS:
            if event.key() == Qt.Key.Key_Escape:
                self.drop_crop()
            else:
                self._request_crop()
            event.accept()
            return
        super().keyPressEvent(event)

    def _cancel_tool(self, keep: bool = True) -> None:
        """Stop a drag in progress; with `keep`, what it painted stays as one undo step."""
        if self._active is None:
            return
        tool, self._active = self._active, None
        tool.cancel()
        patch = tool.recorder.finish()
        if keep and not patch.empty and self._doc is not None:
            push_patch(self.undo_stack, self._doc, tool.target, patch, tool.text)

    # -- brush outline cursor ------------------------------------------------------------------
    def restore_cursor(self) -> None:
        if self.panning or self._space_down:
            super().restore_cursor()
        else:
            self.viewport().setCursor(Qt.CursorShape.CrossCursor)

    def leaveEvent(self, event: QEvent) -> None:
        self._outline.move_to(None)
        super().leaveEvent(event)

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        if self._split_x is not None:
            draw_split_line(painter, self._split_x, self.document.size[1])
        if self._tool_name in STROKE_TOOLS and not self.panning:
            self._outline.paint(painter)
