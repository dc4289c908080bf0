"""A generated result shown over the canvas before the artist accepts or discards it.

The preview is a tiled layer over the image: the result's RGB with the mask as alpha, which Qt's
source-over blend turns into the same picture composite_masked(feather 0) gives for opaque images,
at no up-front cost (tiles are built lazily, all-zero mask tiles are skipped). The document is
untouched until accept.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QUndoStack
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsScene

from genimg_desktop.core.composite import blend_weights, composite_masked
from genimg_desktop.core.document import Document
from genimg_desktop.core.mask import mask_bbox
from genimg_desktop.core.rect import Rect, rect_slices
from genimg_desktop.core.tiles import TileRecorder
from genimg_desktop.ui.canvas.commands import PatchCommand, push_patch
from genimg_desktop.ui.canvas.tiled_layers import TiledLayer, downsample, rgba_to_qimage

STAGED_Z = 20.0  # above the image (0) and the mask overlay (10)


class StagedResult:
    """One staged result: its full-size RGB, the mask it was made for (None: use the current one)."""

    def __init__(self, document: Document, scene: QGraphicsScene, rgb: np.ndarray, mask: np.ndarray | None):
        h, w = document.mask.shape
        if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[:2] != (h, w) or rgb.shape[2] not in (3, 4):
            raise ValueError(f"staged result must be ({h}, {w}, 3) uint8, got {rgb.dtype} {rgb.shape}")
        if mask is not None and (mask.dtype != np.uint8 or mask.shape != (h, w)):
            raise ValueError(f"staged mask must be ({h}, {w}) uint8, got {mask.dtype} {mask.shape}")
        self.document = document
        self.scene = scene
        self.rgb = rgb
        self.mask = None if mask is None else mask.copy()  # the job's mask, frozen at submit time
        self.layer: TiledLayer | None = None
        self._build_preview()

    def _current_mask(self) -> np.ndarray:
        return self.mask if self.mask is not None else self.document.mask

    def _build_preview(self) -> None:
        h, w = self.document.mask.shape
        # The layer sits in a frame that clips it: Split shows the result right of a line only.
        self.frame = QGraphicsRectItem(0, 0, w, h)
        self.frame.setPen(Qt.PenStyle.NoPen)
        self.frame.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape)
        self.frame.setZValue(STAGED_Z)
        self.layer = TiledLayer(w, h, self._preview_source, self.frame)
        self.scene.addItem(self.frame)

    def _preview_source(self, x0: int, y0: int, x1: int, y1: int, step: int) -> QImage | None:
        alpha = self._current_mask()[y0:y1, x0:x1]
        if not alpha.any():
            return None
        # Downsample before stacking: at low zoom the full-resolution RGBA copy would dominate.
        rgba = np.dstack([downsample(self.rgb[y0:y1, x0:x1, :3], step), downsample(alpha, step)])
        return rgba_to_qimage(rgba)

    def mask_changed(self, rect: Rect | None) -> None:
        """The document's mask changed: refresh the preview if it follows the current mask."""
        if self.mask is None and self.layer is not None:
            self.layer.invalidate(rect)

    def set_split(self, x: float | None) -> None:
        """Show the result only right of x (the picture as it is on the left); None: everywhere."""
        h, w = self.document.mask.shape
        left = 0.0 if x is None else min(max(float(x), 0.0), float(w))
        self.frame.setRect(QRectF(left, 0, w - left, h))

    def set_show_before(self, before: bool) -> None:
        if self.layer is not None:
            self.layer.setVisible(not before)

    def accept(self, undo_stack: QUndoStack, feather_px: float = 0.0) -> PatchCommand | None:
        """Composite into document.image as one undo step (None when no pixel changes).

        Only the box where the blend weight is > 0 is composited, in place, with a TileRecorder:
        no full-size copy of the image is made, whatever its size.
        """
        weights = blend_weights(self._current_mask(), feather_px)
        region = mask_bbox(weights)
        if region is None:
            return None
        index = rect_slices(region)
        image = self.document.image
        # Weights already include the feather ramp, so composite them with feather 0.
        crop = composite_masked(image[index], self.rgb[index], weights[index], 0.0)
        recorder = TileRecorder(image)
        recorder.touch(region)
        image[index] = crop
        patch = recorder.finish()
        if patch.empty:
            return None
        self.document.notify("image", region)
        return push_patch(undo_stack, self.document, "image", patch, "Apply result")

    def remove(self) -> None:
        if self.frame.scene() is self.scene:
            self.scene.removeItem(self.frame)
        self.layer = None


def draw_split_line(painter: QPainter, x: float, height: int) -> None:
    """Split compare's line: a light line with a dark one beside it (one screen pixel each), seen on
    any picture."""
    pixel = 1.0 / max(painter.worldTransform().m11(), 1e-6)  # one screen pixel in image units
    for colour, offset in ((QColor(0, 0, 0, 160), pixel), (QColor(255, 255, 255, 230), 0.0)):
        pen = QPen(colour, 1.0)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.drawLine(QPointF(x + offset, 0), QPointF(x + offset, height))
