"""Zoom and pan for the canvas: wheel zoom about the cursor, fit / 100 %, space+drag and middle-drag
pan, a checkerboard behind the image. Knows the image size only, nothing about documents."""

from __future__ import annotations

import math

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QResizeEvent, QTransform, QWheelEvent
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView, QWidget

from genimg_desktop.ui.canvas.tiled_layers import checker_brush

MIN_ZOOM, MAX_ZOOM = 1.0 / 64.0, 64.0
WHEEL_STEP = 1.25  # zoom factor per wheel notch (120 units)
FIT_MARGIN = 0.97  # leave a thin border around a fitted image
BACKGROUND = QColor(48, 48, 48)


class ZoomPanView(QGraphicsView):
    """A QGraphicsView over an image of `image_size`, with zoom/pan behaviour and no scrollbars."""

    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self._img_w, self._img_h = 1, 1
        self._pan_from: QPoint | None = None
        self._space_down = False
        self._auto_fit = True  # keep fitting on resize until the user zooms or pans
        self._checker = checker_brush()
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # We anchor zooms ourselves (exactly, in float scene coordinates).
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)

    # -- geometry ------------------------------------------------------------------------------
    def set_image_size(self, width: int, height: int) -> None:
        self._img_w, self._img_h = max(1, int(width)), max(1, int(height))
        self._update_scene_rect()

    def _update_scene_rect(self) -> None:
        """Image plus one viewport of margin on each side: any image point can go under the cursor."""
        z = self.zoom
        mx, my = self.viewport().width() / z, self.viewport().height() / z
        self.setSceneRect(QRectF(-mx, -my, self._img_w + 2 * mx, self._img_h + 2 * my))

    def to_scene(self, view_pos: QPointF) -> QPointF:
        """Viewport position -> scene (= image pixel) coordinates, without integer rounding."""
        inverse, _ok = self.viewportTransform().inverted()
        return inverse.map(QPointF(view_pos))

    # -- zoom ----------------------------------------------------------------------------------
    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Set the scale, keeping the scene point under `anchor` (viewport coords; default: centre)."""
        zoom = min(max(float(zoom), MIN_ZOOM), MAX_ZOOM)
        if anchor is None:
            anchor = QPointF(self.viewport().rect().center())
        fixed = self.to_scene(anchor)
        old = self.zoom
        self.setTransform(QTransform.fromScale(zoom, zoom))
        self._update_scene_rect()
        self._scroll_by(self.viewportTransform().map(fixed) - anchor)
        if not math.isclose(old, zoom):
            self.zoom_changed.emit(zoom)

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        self._auto_fit = False
        self.set_zoom(self.zoom * factor, anchor)

    def zoom_actual(self) -> None:
        """100 %: one image pixel per screen pixel, about the viewport centre."""
        self._auto_fit = False
        self.set_zoom(1.0)

    def fit_to_window(self) -> None:
        """Whole image visible and centred; stays fitted on resize until the user zooms or pans."""
        vp = self.viewport().rect()
        zoom = FIT_MARGIN * min(vp.width() / self._img_w, vp.height() / self._img_h)
        self.set_zoom(zoom)
        self.centerOn(self._img_w / 2.0, self._img_h / 2.0)
        self._auto_fit = True

    def _scroll_by(self, delta: QPointF) -> None:
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + round(delta.x()))
        v.setValue(v.value() + round(delta.y()))

    # -- pan -----------------------------------------------------------------------------------
    def wants_pan(self, button: Qt.MouseButton) -> bool:
        return button == Qt.MouseButton.MiddleButton or (
            button == Qt.MouseButton.LeftButton and self._space_down
        )

    @property
    def panning(self) -> bool:
        return self._pan_from is not None

    def begin_pan(self, pos: QPoint) -> None:
        self._pan_from = pos
        self._auto_fit = False
        self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)

    def pan_to(self, pos: QPoint) -> None:
        if self._pan_from is not None:
            self._scroll_by(QPointF(self._pan_from - pos))
            self._pan_from = pos

    def end_pan(self) -> None:
        self._pan_from = None
        self.restore_cursor()

    def restore_cursor(self) -> None:
        """The cursor for the current state (overridden by the canvas for its tools)."""
        shape = Qt.CursorShape.OpenHandCursor if self._space_down else Qt.CursorShape.ArrowCursor
        self.viewport().setCursor(shape)

    # -- Qt events -----------------------------------------------------------------------------
    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(WHEEL_STEP**steps, event.position())
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = True
            if not self.panning:
                self.restore_cursor()
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = False
            if not self.panning:
                self.restore_cursor()
            event.accept()
            return
        super().keyReleaseEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._auto_fit:
            self.fit_to_window()
        else:
            self._update_scene_rect()

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, BACKGROUND)
        visible = rect.intersected(QRectF(0, 0, self._img_w, self._img_h))
        if visible.isEmpty():
            return
        # Checker squares in screen pixels: same size at every zoom, like other editors.
        device = painter.transform().mapRect(visible)
        painter.save()
        painter.resetTransform()
        painter.fillRect(device, self._checker)
        painter.restore()
