"""Tiled, level-of-detail canvas layers: numpy arrays shown as cached QImage tiles.

Why not one big pixmap: an 8192x8192 image would be a 256 MB pixmap rebuilt on every edit and scaled
as a whole on every paint. Here a layer paints only the tiles that are exposed, at a resolution
matching the zoom (level k = 1/2**k, built with INTER_AREA), converts them lazily and keeps at most
`MAX_TILES` of them (LRU). An edit re-converts only the dirty region of the cached tiles it touches.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable

import cv2
import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from genimg_desktop.core.rect import Rect

TILE = 512  # tile edge in pixels of its level's image
MAX_LEVEL = 6  # 1/64: an 8192 px image is then a single 128 px tile
MAX_TILES = 160  # per layer; a 512 px ARGB32 tile is 1 MB

Bounds = tuple[int, int, int, int]  # x0, y0, x1, y1 in image pixels, exclusive ends
# source(x0, y0, x1, y1, step) -> QImage of that region downsampled by `step`, or None when empty
RegionSource = Callable[[int, int, int, int, int], "QImage | None"]


def downsample(region: np.ndarray, step: int) -> np.ndarray:
    """Area-average `region` by `step` (ceil sizes), so thin mask strokes stay visible zoomed out."""
    if step == 1:
        return region
    h, w = region.shape[:2]
    size = (max(1, -(-w // step)), max(1, -(-h // step)))
    return cv2.resize(region, size, interpolation=cv2.INTER_AREA)


def rgba_to_qimage(rgba: np.ndarray) -> QImage:
    """(h, w, 4 or 3) uint8 -> a QImage that owns its pixels, premultiplied for fast blits."""
    arr = np.ascontiguousarray(rgba)
    h, w, c = arr.shape
    fmt = QImage.Format.Format_RGBA8888 if c == 4 else QImage.Format.Format_RGB888
    image = QImage(arr.data, w, h, arr.strides[0], fmt)
    # convertToFormat copies, so the QImage does not point into the numpy buffer afterwards.
    return image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)


def mask_colour_table(colour: QColor) -> list[int]:
    """Colour table mapping mask value v to `colour` with alpha scaled by v/255."""
    r, g, b, a = colour.red(), colour.green(), colour.blue(), colour.alpha()
    return [QColor(r, g, b, (v * a + 127) // 255).rgba() for v in range(256)]


def mask_to_qimage(mask: np.ndarray, table: list[int]) -> QImage:
    """(h, w) uint8 mask -> translucent overlay; Indexed8 + colour table needs no numpy maths."""
    arr = np.ascontiguousarray(mask)
    h, w = arr.shape
    image = QImage(arr.data, w, h, arr.strides[0], QImage.Format.Format_Indexed8)
    image.setColorTable(table)
    return image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)


def checker_brush(cell: int = 8) -> QBrush:
    """Grey checkerboard shown behind transparent pixels (painted in device pixels)."""
    pix = QPixmap(cell * 2, cell * 2)
    pix.fill(QColor(204, 204, 204))
    painter = QPainter(pix)
    painter.fillRect(0, 0, cell, cell, QColor(153, 153, 153))
    painter.fillRect(cell, cell, cell, cell, QColor(153, 153, 153))
    painter.end()
    return QBrush(pix)


def level_for_scale(scale: float) -> int:
    """Coarsest level whose resolution is still >= the on-screen resolution."""
    if scale >= 1.0:
        return 0
    return max(0, min(MAX_LEVEL, int(math.floor(math.log2(1.0 / scale) + 1e-9))))


class TiledLayer(QGraphicsItem):
    """A width x height layer painted from `source` in cached tiles; see the module docstring."""

    def __init__(self, width: int, height: int, source: RegionSource, parent: QGraphicsItem | None = None):
        super().__init__(parent)
        self._w, self._h = int(width), int(height)
        self._source = source
        self._cache: OrderedDict[tuple[int, int, int], QImage | None] = OrderedDict()
        # exposedRect lets paint() skip tiles outside the repainted area.
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    # -- QGraphicsItem -------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self._w, self._h)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None):
        scale = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        if widget is not None:  # on a high-DPI screen one image pixel covers more device pixels
            scale *= widget.devicePixelRatioF()
        level = level_for_scale(scale)
        # Smooth when zoomed out; hard pixels when zoomed in so the artist sees real pixels.
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, scale < 1.0)
        for key in self._tiles_in(option.exposedRect, level):
            image = self._tile(key)
            if image is not None:
                x0, y0, x1, y1 = self.tile_rect(key)
                painter.drawImage(QRectF(x0, y0, x1 - x0, y1 - y0), image, QRectF(image.rect()))

    # -- tiles ---------------------------------------------------------------------------------
    def tile_rect(self, key: tuple[int, int, int]) -> Bounds:
        """Image-pixel rectangle covered by tile `key` = (level, tx, ty)."""
        level, tx, ty = key
        span = TILE << level
        x0, y0 = tx * span, ty * span
        return x0, y0, min(x0 + span, self._w), min(y0 + span, self._h)

    def _tiles_in(self, rect: QRectF, level: int) -> list[tuple[int, int, int]]:
        span = TILE << level
        x0, y0 = max(0, int(rect.left()) // span), max(0, int(rect.top()) // span)
        x1 = min((self._w - 1) // span, int(math.ceil(rect.right())) // span)
        y1 = min((self._h - 1) // span, int(math.ceil(rect.bottom())) // span)
        return [(level, tx, ty) for ty in range(y0, y1 + 1) for tx in range(x0, x1 + 1)]

    def _tile(self, key: tuple[int, int, int]) -> QImage | None:
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        x0, y0, x1, y1 = self.tile_rect(key)
        image = self._source(x0, y0, x1, y1, 1 << key[0])
        self._cache[key] = image
        while len(self._cache) > MAX_TILES:
            self._cache.popitem(last=False)
        return image

    @property
    def cached_tiles(self) -> dict[tuple[int, int, int], QImage | None]:
        """The converted tiles (for tests and diagnostics)."""
        return dict(self._cache)

    # -- invalidation --------------------------------------------------------------------------
    def invalidate(self, rect: Rect | None = None) -> None:
        """The source changed inside `rect` (x, y, w, h; None: everywhere): refresh cached tiles there."""
        if rect is None:
            self._cache.clear()
            self.update()
            return
        rx0, ry0, rx1, ry1 = rect[0], rect[1], rect[0] + rect[2], rect[1] + rect[3]
        for key in list(self._cache):
            tx0, ty0, tx1, ty1 = self.tile_rect(key)
            ix0, iy0, ix1, iy1 = max(rx0, tx0), max(ry0, ty0), min(rx1, tx1), min(ry1, ty1)
            if ix0 < ix1 and iy0 < iy1:
                self._refresh_part(key, (ix0, iy0, ix1, iy1))
        self.update(QRectF(rx0, ry0, rx1 - rx0, ry1 - ry0))

    def _refresh_part(self, key: tuple[int, int, int], part: Bounds) -> None:
        """Re-convert only `part` of a cached tile (aligned to its level's pixel grid)."""
        image = self._cache[key]
        if image is None:  # was empty (e.g. no mask there): rebuild whole on next paint
            del self._cache[key]
            return
        step = 1 << key[0]
        tx0, ty0, tx1, ty1 = self.tile_rect(key)
        ax0, ay0 = tx0 + (part[0] - tx0) // step * step, ty0 + (part[1] - ty0) // step * step
        ax1 = min(tx1, tx0 + -(-(part[2] - tx0) // step) * step)
        ay1 = min(ty1, ty0 + -(-(part[3] - ty0) // step) * step)
        sub = self._source(ax0, ay0, ax1, ay1, step)
        painter = QPainter(image)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        x, y = (ax0 - tx0) // step, (ay0 - ty0) // step
        if sub is None:
            painter.fillRect(
                x, y, -(-(ax1 - ax0) // step), -(-(ay1 - ay0) // step), Qt.GlobalColor.transparent
            )
        else:
            painter.drawImage(x, y, sub)
        painter.end()


def image_source(get_rgba: Callable[[], np.ndarray]) -> RegionSource:
    """Region source for an RGBA/RGB array (read lazily: the document may swap its array)."""

    def source(x0: int, y0: int, x1: int, y1: int, step: int) -> QImage:
        return rgba_to_qimage(downsample(get_rgba()[y0:y1, x0:x1], step))

    return source


def mask_source(get_mask: Callable[[], np.ndarray], get_table: Callable[[], list[int]]) -> RegionSource:
    """Region source for a mask overlay; None for all-zero regions so they cost nothing."""

    def source(x0: int, y0: int, x1: int, y1: int, step: int) -> QImage | None:
        region = get_mask()[y0:y1, x0:x1]
        if not region.any():
            return None
        return mask_to_qimage(downsample(region, step), get_table())

    return source
