"""numpy <-> QImage conversions for the widgets (the canvas paints its own tiles)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap


def array_to_qimage(array: np.ndarray) -> QImage:
    """(H, W, 3) RGB or (H, W, 4) RGBA uint8 -> a QImage that owns a copy of the pixels."""
    data = np.ascontiguousarray(array, dtype=np.uint8)
    h, w = data.shape[:2]
    fmt = QImage.Format.Format_RGBA8888 if data.shape[2] == 4 else QImage.Format.Format_RGB888
    # QImage does not own the numpy buffer: copy() detaches it before `data` can be freed.
    return QImage(data.data, w, h, data.strides[0], fmt).copy()


def qimage_to_rgba(image: QImage) -> np.ndarray:
    """Any QImage -> (H, W, 4) uint8 RGBA (used for clipboard paste)."""
    converted = image.convertToFormat(QImage.Format.Format_RGBA8888)
    w, h = converted.width(), converted.height()
    buffer = np.frombuffer(converted.constBits(), dtype=np.uint8, count=converted.sizeInBytes())
    rows = buffer.reshape(h, converted.bytesPerLine())[:, : w * 4]
    return rows.reshape(h, w, 4).copy()


def thumbnail(array: np.ndarray, size: int) -> QPixmap:
    """A pixmap of `array` scaled to fit a `size` square: smoothly when shrinking, by whole-number
    nearest-neighbour enlargement for small model outputs (a 28 px sample stays crisp, not blurred)."""
    image = array_to_qimage(array)
    longest = max(image.width(), image.height())
    if longest <= size:
        factor = max(1, size // longest)
        return QPixmap.fromImage(image.scaled(image.width() * factor, image.height() * factor))
    return QPixmap.fromImage(
        image.scaled(
            size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    )
