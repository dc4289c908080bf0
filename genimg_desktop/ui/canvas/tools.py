"""Canvas tools driven by the mouse: mask brush/eraser strokes, rectangle and lasso fills, the colour
brush that paints the picture itself, and the colour picker.

A tool edits its `target` array (`document.mask`, or `document.image` for the colour brush) in place as
the user drags (so the canvas follows the mouse), records the tiles it touches with a TileRecorder,
and on release hands back one TilePatch = one undo step. The crop tool is in crop_tool.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsRectItem, QGraphicsScene

from genimg_desktop.core import mask as maskops
from genimg_desktop.core import paint
from genimg_desktop.core.document import Document
from genimg_desktop.core.rect import Rect, clip_rect
from genimg_desktop.core.tiles import TilePatch, TileRecorder
from genimg_desktop.ui.canvas.commands import Target

MASK_TOOLS = ("brush", "eraser", "rect", "lasso")
TOOL_NAMES = (*MASK_TOOLS, "paint", "picker", "crop", "subject")
STROKE_TOOLS = ("brush", "eraser", "paint")  # the ones that show the brush outline
PREVIEW_Z = 100.0  # above image, mask overlay and staged result


@dataclass
class BrushSettings:
    size: float = 40.0  # diameter in image pixels
    hardness: float = 0.8
    colour: paint.Colour = (0, 0, 0)  # the colour brush's


class CanvasTool:
    """Base: press -> move* -> release (returns the patch of `target`, or None when nothing changed)."""

    text = "Mask edit"
    target: Target = "mask"

    def __init__(self, document: Document, scene: QGraphicsScene, value: int = 255):
        self.document = document
        self.scene = scene
        self.value = value  # 255 paints, 0 erases
        self.recorder = TileRecorder(document.image if self.target == "image" else document.mask)

    def press(self, pos: QPointF) -> None:
        raise NotImplementedError

    def move(self, pos: QPointF) -> None:
        raise NotImplementedError

    def release(self, pos: QPointF) -> TilePatch | None:
        raise NotImplementedError

    def cancel(self) -> None:
        """Drop any preview item; pixels already painted stay (the caller may still finish)."""

    def _edit(self, rect: Rect | None, fn) -> None:
        """Record the tiles under `rect`, run the in-place edit `fn`, repaint its dirty rect."""
        if rect is None:
            return
        self.recorder.touch(rect)
        dirty = fn()
        if dirty is not None:
            self.document.notify(self.target, dirty)

    def _finish(self) -> TilePatch | None:
        patch = self.recorder.finish()
        return None if patch.empty else patch


class StrokeTool(CanvasTool):
    """Brush (value 255) or eraser (value 0): round dabs swept along each mouse segment."""

    def __init__(self, document: Document, scene: QGraphicsScene, value: int, brush: BrushSettings):
        super().__init__(document, scene, value)
        self.brush = brush
        self.text = "Erase mask" if value == 0 else "Paint mask"
        self._last: tuple[float, float] | None = None

    def _segment(self, p1: tuple[float, float]) -> None:
        p0 = self._last if self._last is not None else p1
        self._stamp(p0, p1, self.brush.size / 2.0)
        self._last = p1

    def _stamp(self, p0: maskops.Point, p1: maskops.Point, r: float) -> None:
        mask = self.document.mask
        self._edit(
            maskops.segment_rect(mask, p0, p1, r),
            lambda: maskops.stamp_segment(mask, p0, p1, r, self.brush.hardness, self.value),
        )

    def press(self, pos: QPointF) -> None:
        self._last = None
        self._segment((pos.x(), pos.y()))

    def move(self, pos: QPointF) -> None:
        if self._last is not None and self._last != (pos.x(), pos.y()):
            self._segment((pos.x(), pos.y()))

    def release(self, pos: QPointF) -> TilePatch | None:
        self.move(pos)
        self._last = None
        return self._finish()


def _preview_pen() -> QPen:
    pen = QPen(QColor(255, 255, 255), 0, Qt.PenStyle.DashLine)
    pen.setCosmetic(True)  # 1 screen pixel whatever the zoom
    return pen


class PaintTool(StrokeTool):
    """The colour brush: the mask brush's stroke, in the brush colour, on the picture (core/paint.py)."""

    target = "image"

    def __init__(self, document: Document, scene: QGraphicsScene, brush: BrushSettings):
        super().__init__(document, scene, 255, brush)
        self.text = "Paint"
        self._coverage = np.zeros(document.mask.shape, np.uint8)  # this stroke's, see core/paint.py

    def _stamp(self, p0: maskops.Point, p1: maskops.Point, r: float) -> None:
        image, coverage, brush = self.document.image, self._coverage, self.brush
        self._edit(
            maskops.segment_rect(coverage, p0, p1, r),
            lambda: paint.paint_segment(image, coverage, p0, p1, r, brush.hardness, brush.colour),
        )


class PickTool(CanvasTool):
    """The colour picker: the picture's colour under the cursor becomes the brush colour (press and
    drag to choose); it changes no pixel."""

    text = "Pick colour"

    def __init__(self, document: Document, scene: QGraphicsScene, on_pick: Callable[[paint.Colour], None]):
        super().__init__(document, scene)
        self.on_pick = on_pick

    def press(self, pos: QPointF) -> None:
        x, y = math.floor(pos.x()), math.floor(pos.y())
        h, w = self.document.mask.shape
        if 0 <= x < w and 0 <= y < h:
            r, g, b = (int(v) for v in self.document.image[y, x, :3])
            self.on_pick((r, g, b))

    def move(self, pos: QPointF) -> None:
        self.press(pos)

    def release(self, pos: QPointF) -> TilePatch | None:
        self.press(pos)
        return None


class RectTool(CanvasTool):
    """Drag a rectangle (snapped to pixel edges); release fills it."""

    def __init__(self, document: Document, scene: QGraphicsScene, value: int):
        super().__init__(document, scene, value)
        self.text = "Erase rectangle" if value == 0 else "Fill rectangle"
        self._start = QPointF()
        self._item: QGraphicsRectItem | None = None

    def _rect(self, pos: QPointF) -> QRectF:
        x0, x1 = sorted((round(self._start.x()), round(pos.x())))
        y0, y1 = sorted((round(self._start.y()), round(pos.y())))
        return QRectF(x0, y0, x1 - x0, y1 - y0)

    def press(self, pos: QPointF) -> None:
        self._start = pos
        self._item = self.scene.addRect(QRectF(), _preview_pen(), QBrush(QColor(255, 255, 255, 40)))
        self._item.setZValue(PREVIEW_Z)

    def move(self, pos: QPointF) -> None:
        if self._item is not None:
            self._item.setRect(self._rect(pos))

    def release(self, pos: QPointF) -> TilePatch | None:
        r = self._rect(pos)
        self.cancel()
        h, w = self.document.mask.shape
        rect = clip_rect((int(r.x()), int(r.y()), int(r.width()), int(r.height())), w, h)
        if rect is not None and rect[2] > 0 and rect[3] > 0:
            mask = self.document.mask
            self._edit(rect, lambda: maskops.fill_rect(mask, rect, self.value))
        return self._finish()

    def cancel(self) -> None:
        _remove(self.scene, self._item)
        self._item = None


class LassoTool(CanvasTool):
    """Drag a free-hand outline; release closes and fills it."""

    def __init__(self, document: Document, scene: QGraphicsScene, value: int):
        super().__init__(document, scene, value)
        self.text = "Erase lasso" if value == 0 else "Fill lasso"
        self._points: list[QPointF] = []
        self._item: QGraphicsPathItem | None = None

    def press(self, pos: QPointF) -> None:
        self._points = [pos]
        self._item = self.scene.addPath(QPainterPath(), _preview_pen())
        self._item.setZValue(PREVIEW_Z)

    def move(self, pos: QPointF) -> None:
        if self._item is None:
            return
        self._points.append(pos)
        path = QPainterPath()
        path.addPolygon(QPolygonF(self._points))
        self._item.setPath(path)

    def release(self, pos: QPointF) -> TilePatch | None:
        self.move(pos)
        points = [(p.x(), p.y()) for p in self._points]
        self.cancel()
        mask = self.document.mask
        self._edit(maskops.polygon_rect(mask, points), lambda: maskops.fill_polygon(mask, points, self.value))
        return self._finish()

    def cancel(self) -> None:
        _remove(self.scene, self._item)
        self._item = None


def _remove(scene: QGraphicsScene, item: QGraphicsItem | None) -> None:
    if item is not None and item.scene() is scene:
        scene.removeItem(item)


def make_tool(
    name: str,
    document: Document,
    scene: QGraphicsScene,
    brush: BrushSettings,
    erase: bool,
    on_pick: Callable[[paint.Colour], None],
) -> CanvasTool:
    """A fresh tool for one drag (not the crop tool). The eraser always erases; `erase` (Alt / eraser
    mode) flips the mask tools, and with the colour brush picks the colour instead of painting."""
    if name == "picker" or (name == "paint" and erase):
        return PickTool(document, scene, on_pick)
    if name == "paint":
        return PaintTool(document, scene, brush)
    if name == "eraser":
        return StrokeTool(document, scene, 0, brush)
    value = 0 if erase else 255
    if name == "brush":
        return StrokeTool(document, scene, value, brush)
    if name == "rect":
        return RectTool(document, scene, value)
    if name == "lasso":
        return LassoTool(document, scene, value)
    raise ValueError(f"unknown tool {name!r}; expected one of {', '.join(TOOL_NAMES)}")
