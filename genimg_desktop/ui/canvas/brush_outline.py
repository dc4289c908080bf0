"""The round brush outline that follows the mouse, sized to the brush at the current zoom."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsView

from genimg_desktop.ui.canvas.tools import BrushSettings


class BrushOutline:
    """Drawn by the view's drawForeground; moving it repaints only the old and new circle areas."""

    def __init__(self, view: QGraphicsView, brush: BrushSettings):
        self._view = view
        self._brush = brush
        self.pos: QPointF | None = None  # scene position, None when the mouse is outside
        self._shown: QRect | None = None  # viewport area last drawn, to erase it on the next move

    def rect(self) -> QRectF:
        assert self.pos is not None
        r = self._brush.size / 2.0
        return QRectF(self.pos.x() - r, self.pos.y() - r, 2 * r, 2 * r)

    def move_to(self, pos: QPointF | None) -> None:
        """New position (or the same one after a size/zoom change); None hides the outline."""
        if self._shown is not None:
            self._view.viewport().update(self._shown)
        self.pos = pos
        self._shown = None
        if pos is not None:
            self._shown = self._view.mapFromScene(self.rect()).boundingRect().adjusted(-3, -3, 3, 3)
            self._view.viewport().update(self._shown)

    def paint(self, painter: QPainter) -> None:
        """Black under white dashes: visible on any picture. Cosmetic pens = 1 screen px at any zoom."""
        if self.pos is None:
            return
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for colour, style in (
            (QColor(0, 0, 0, 200), Qt.PenStyle.SolidLine),
            (QColor(255, 255, 255), Qt.PenStyle.DashLine),
        ):
            pen = QPen(colour, 0, style)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.drawEllipse(self.rect())
