"""Loss curves of a training run: one polyline per loss, axes with a few tick labels, a legend.

Painted with QPainter (no plotting library to ship). Long runs are thinned to about one point per
pixel column when drawn; every point is kept.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

# Distinct on light and dark backgrounds (the "tab10" colours).
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")
_MARGIN_LEFT, _MARGIN_BOTTOM, _MARGIN_TOP, _MARGIN_RIGHT = 56, 24, 10, 12
_TICKS = 5

Series = list[tuple[int, float]]


class LossPlot(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series: dict[str, Series] = {}  # loss name -> (step, value), in the order first seen
        self.setMinimumSize(280, 160)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(480, 240)

    # ----------------------------------------------------------------- data

    def add(self, step: int, losses: dict[str, float]) -> None:
        """One step's losses. A step at or before the last one means the run went back to a checkpoint
        (a resume after a crash trains those steps again): the later points are dropped first."""
        if step <= self.last_step():
            self.truncate(step)
        for name, value in losses.items():
            if isinstance(value, (int, float)) and math.isfinite(value):
                self.series.setdefault(name, []).append((step, float(value)))
        self.update()

    def add_rows(self, rows: list[dict[str, float]]) -> None:
        """Rows of a loss log ({"step", "time_s", <loss>: value})."""
        for row in rows:
            self.add(int(row["step"]), {k: v for k, v in row.items() if k not in ("step", "time_s")})

    def truncate(self, step: int) -> None:
        """Forget the points at `step` and after."""
        for points in self.series.values():
            while points and points[-1][0] >= step:
                points.pop()

    def clear(self) -> None:
        self.series.clear()
        self.update()

    def last_step(self) -> int:
        return max((points[-1][0] for points in self.series.values() if points), default=0)

    def point_count(self) -> int:
        return sum(len(points) for points in self.series.values())

    def colour(self, name: str) -> QColor:
        return QColor(COLOURS[list(self.series).index(name) % len(COLOURS)])

    # -------------------------------------------------------------- drawing

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Base))
        area = QRectF(self.rect()).adjusted(_MARGIN_LEFT, _MARGIN_TOP, -_MARGIN_RIGHT, -_MARGIN_BOTTOM)
        text = self.palette().color(QPalette.ColorRole.Text)
        if self.point_count() == 0 or area.width() < 10 or area.height() < 10:
            painter.setPen(text)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Loss curves appear as training runs")
            return
        x_range, y_range = self._x_range(), self._y_range()
        self._draw_axes(painter, area, x_range, y_range, text)
        painter.setClipRect(area.adjusted(-1, -1, 1, 1))
        for name, points in self.series.items():
            painter.setPen(QPen(self.colour(name), 1.5))
            painter.drawPolyline(self._polygon(points, area, x_range, y_range))
        painter.setClipping(False)
        self._draw_legend(painter, area, text)

    def _x_range(self) -> tuple[float, float]:
        steps = [step for points in self.series.values() for step, _ in points]
        low, high = min(steps), max(steps)
        return (low, high) if high > low else (low - 1, high + 1)

    def _y_range(self) -> tuple[float, float]:
        values = [value for points in self.series.values() for _, value in points]
        low, high = min(values), max(values)
        pad = (high - low) * 0.05 or max(abs(high) * 0.1, 1e-3)
        return low - pad, high + pad

    def _polygon(
        self, points: Series, area: QRectF, x_range: tuple[float, float], y_range: tuple[float, float]
    ) -> QPolygonF:
        stride = max(1, math.ceil(len(points) / max(area.width(), 1.0)))
        kept = points[::stride] + ([points[-1]] if (len(points) - 1) % stride else [])
        return QPolygonF([_to_screen(step, value, area, x_range, y_range) for step, value in kept])

    def _draw_axes(
        self,
        painter: QPainter,
        area: QRectF,
        x_range: tuple[float, float],
        y_range: tuple[float, float],
        text: QColor,
    ) -> None:
        grid = QColor(text)
        grid.setAlpha(40)
        metrics = painter.fontMetrics()
        for value in nice_ticks(*y_range, _TICKS):
            y = _to_screen(x_range[0], value, area, x_range, y_range).y()
            painter.setPen(grid)
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.setPen(text)
            label = QRectF(0, y - metrics.height() / 2, area.left() - 6, metrics.height())
            painter.drawText(
                label, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{value:.3g}"
            )
        for value in nice_ticks(*x_range, _TICKS, whole=True):
            x = _to_screen(value, y_range[0], area, x_range, y_range).x()
            painter.setPen(grid)
            painter.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()))
            painter.setPen(text)
            label = QRectF(x - 40, area.bottom() + 4, 80, metrics.height())
            painter.drawText(label, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, f"{value:g}")
        title = QRectF(0, area.bottom() + 4, area.left() - 6, metrics.height())
        painter.drawText(title, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, "step")
        painter.setPen(QPen(text, 1))
        painter.drawLine(area.bottomLeft(), area.bottomRight())
        painter.drawLine(area.bottomLeft(), area.topLeft())

    def _draw_legend(self, painter: QPainter, area: QRectF, text: QColor) -> None:
        metrics = painter.fontMetrics()
        row, swatch = metrics.height() + 2, 12
        width = max(metrics.horizontalAdvance(name) for name in self.series) + swatch + 16
        box = QRectF(area.right() - width - 4, area.top() + 4, width, row * len(self.series) + 6)
        background = self.palette().color(QPalette.ColorRole.Base)
        background.setAlpha(220)
        painter.setPen(QPen(QColor(text.red(), text.green(), text.blue(), 90), 1))
        painter.setBrush(background)
        painter.drawRect(box)
        for i, name in enumerate(self.series):
            top = box.top() + 3 + i * row
            painter.fillRect(
                QRectF(box.left() + 5, top + (row - swatch) / 2, swatch, swatch), self.colour(name)
            )
            painter.setPen(text)
            painter.drawText(
                QRectF(box.left() + swatch + 10, top, width, row), Qt.AlignmentFlag.AlignVCenter, name
            )


def _to_screen(
    x: float, y: float, area: QRectF, x_range: tuple[float, float], y_range: tuple[float, float]
) -> QPointF:
    fx = (x - x_range[0]) / (x_range[1] - x_range[0])
    fy = (y - y_range[0]) / (y_range[1] - y_range[0])
    return QPointF(area.left() + fx * area.width(), area.bottom() - fy * area.height())


def nice_ticks(low: float, high: float, count: int = 5, whole: bool = False) -> list[float]:
    """About `count` round values (1, 2, 2.5 or 5 times a power of ten apart) between `low` and `high`;
    `whole` keeps them integers (steps)."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low]
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = min((m * power for m in (1, 2, 2.5, 5, 10)), key=lambda size: abs(math.log(size / raw)))
    if whole:
        step = max(1.0, round(step))
    first = math.ceil(low / step) * step
    ticks, value = [], first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 12) + 0.0)  # + 0.0: no "-0"
        value += step
    return ticks
