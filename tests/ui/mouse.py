"""Real mouse events on a CanvasView's viewport, in image coordinates (shared by the UI tests)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

LEFT = Qt.MouseButton.LeftButton
NO_MOD = Qt.KeyboardModifier.NoModifier


def send_mouse(view, kind: QEvent.Type, image_pt, button, buttons, mods) -> None:
    local = view.viewportTransform().map(QPointF(*image_pt))
    glob = QPointF(view.viewport().mapToGlobal(local.toPoint()))
    QApplication.sendEvent(view.viewport(), QMouseEvent(kind, local, glob, button, buttons, mods))


def drag(view, points, button=LEFT, mods=NO_MOD) -> None:
    """Press at points[0], move through the rest with the button held, release at the last."""
    send_mouse(view, QEvent.Type.MouseButtonPress, points[0], button, button, mods)
    for pt in points[1:]:
        send_mouse(view, QEvent.Type.MouseMove, pt, Qt.MouseButton.NoButton, button, mods)
    send_mouse(view, QEvent.Type.MouseButtonRelease, points[-1], button, Qt.MouseButton.NoButton, mods)
