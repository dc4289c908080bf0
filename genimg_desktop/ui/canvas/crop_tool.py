"""The crop tool: drag a rectangle; it stays shown, the outside dimmed, until Enter or a double-click
inside it crops (the window applies it as one undo step) or Esc drops it. It changes no pixel itself."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsScene

from genimg_desktop.core.document import Document
from genimg_desktop.core.rect import Rect, clip_rect
from genimg_desktop.core.tiles import TilePatch
from genimg_desktop.ui.canvas.tools import PREVIEW_Z, CanvasTool

SHADE = QColor(0, 0, 0, 140)  # over the part that will be cut away


class CropTool(CanvasTool):
    text = "Crop"

    def __init__(self, document: Document, scene: QGraphicsScene):
        super().__init__(document, scene)
        self._start = QPointF()
        self.rect: Rect | None = None  # snapped to whole pixels, inside the picture
        pen = QPen(QColor(255, 255, 255), 0, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)  # 1 screen pixel whatever the zoom
        self._shade = scene.addPath(QPainterPath(), QPen(Qt.PenStyle.NoPen), QBrush(SHADE))
        self._frame = scene.addRect(QRectF(), pen)
        for item in (self._shade, self._frame):
            item.setZValue(PREVIEW_Z)

    def press(self, pos: QPointF) -> None:
        self._start = pos
        self.move(pos)

    def move(self, pos: QPointF) -> None:
        x0, x1 = sorted((round(self._start.x()), round(pos.x())))
        y0, y1 = sorted((round(self._start.y()), round(pos.y())))
        w, h = self.document.size
        self.rect = clip_rect((x0, y0, x1 - x0, y1 - y0), w, h)
        self._show()

    def release(self, pos: QPointF) -> TilePatch | None:
        self.move(pos)
        return None

    def contains(self, pos: QPointF) -> bool:
        return self.rect is not None and QRectF(*self.rect).contains(pos)

    def _show(self) -> None:
        w, h = self.document.size
        frame = QRectF(*self.rect) if self.rect is not None else QRectF()
        outside = QPainterPath()
        if self.rect is not None:
            outside.addRect(QRectF(0, 0, w, h))
            outside.addRect(frame)  # odd-even fill: the frame is a hole in the shade
        self._shade.setPath(outside)
        self._frame.setRect(frame)

    def cancel(self) -> None:
        for item in (self._shade, self._frame):
            if item.scene() is self.scene:
                self.scene.removeItem(item)
