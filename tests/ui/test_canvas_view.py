"""CanvasView navigation (zoom/pan/fit), tiled display of large images, and result staging."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication

from genimg_desktop.core.composite import blend_weights, composite_masked
from genimg_desktop.core.document import Document
from genimg_desktop.ui.canvas import CanvasView, make_undo_stack
from genimg_desktop.ui.canvas.tiled_layers import TILE

NO_MOD = Qt.KeyboardModifier.NoModifier


def _rgba(rgb: np.ndarray) -> np.ndarray:
    return np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])


def _make_view(qtbot, document: Document, size=(600, 600)) -> CanvasView:
    stack = make_undo_stack()
    canvas = CanvasView(document, stack)
    canvas._test_stack = stack  # keep the parentless stack alive as long as the view
    qtbot.addWidget(canvas)
    canvas.resize(*size)
    canvas.show()
    qtbot.waitExposed(canvas)
    return canvas


@pytest.fixture
def view(qtbot, photo_rgb) -> CanvasView:
    return _make_view(qtbot, Document(_rgba(photo_rgb)))


def _mouse(view, kind, local: QPointF, button, buttons, mods=NO_MOD) -> None:
    glob = QPointF(view.viewport().mapToGlobal(local.toPoint()))
    QApplication.sendEvent(view.viewport(), QMouseEvent(kind, local, glob, button, buttons, mods))


def view_drag(view, start: QPointF, end: QPointF, button) -> None:
    """Drag in viewport coordinates with `button` held."""
    _mouse(view, QEvent.Type.MouseButtonPress, start, button, button)
    _mouse(view, QEvent.Type.MouseMove, (start + end) / 2, Qt.MouseButton.NoButton, button)
    _mouse(view, QEvent.Type.MouseMove, end, Qt.MouseButton.NoButton, button)
    _mouse(view, QEvent.Type.MouseButtonRelease, end, button, Qt.MouseButton.NoButton)


def view_px(view, x: int, y: int) -> QPoint:
    """Viewport pixel showing image pixel (x, y) (mapFromScene rounds .5 up: one pixel off)."""
    p = view.viewportTransform().map(QPointF(x + 0.5, y + 0.5))
    return QPoint(int(p.x() // 1), int(p.y() // 1))


def wheel(view, pos: QPointF, notches: float) -> None:
    glob = QPointF(view.viewport().mapToGlobal(pos.toPoint()))
    event = QWheelEvent(
        pos, glob, QPoint(), QPoint(0, int(120 * notches)), Qt.MouseButton.NoButton, NO_MOD,
        Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    QApplication.sendEvent(view.viewport(), event)


def test_opens_fitted_and_centred(view):
    rect = view.mapFromScene(QRectF(0, 0, 512, 512)).boundingRect()
    assert view.viewport().rect().contains(rect)
    assert rect.width() > 0.9 * view.viewport().width()  # fills the window, not a thumbnail
    view.zoom_actual()
    assert view.zoom == 1.0
    view.fit_to_window()
    assert view.zoom == pytest.approx(0.97 * 600 / 512, rel=0.01)


@pytest.mark.parametrize("notches", [1, -2, 3])
def test_wheel_zooms_about_the_cursor(view, qtbot, notches):
    pos = QPointF(150.0, 420.0)
    fixed = view.to_scene(pos)
    before = view.zoom
    with qtbot.waitSignal(view.zoom_changed):
        wheel(view, pos, notches)
    assert view.zoom == pytest.approx(before * 1.25**notches)
    assert view.viewportTransform().map(fixed).x() == pytest.approx(pos.x(), abs=1.0)
    assert view.viewportTransform().map(fixed).y() == pytest.approx(pos.y(), abs=1.0)


def test_zoom_by_is_clamped(view):
    view.zoom_by(1e6)
    assert view.zoom == 64.0
    view.zoom_by(1e-9)
    assert view.zoom == pytest.approx(1 / 64)


def test_middle_drag_and_space_drag_pan(view, qtbot):
    view.zoom_actual()
    probe = QPointF(300, 300)
    start = view.to_scene(probe)
    view_drag(view, QPointF(300, 300), QPointF(350, 330), Qt.MouseButton.MiddleButton)
    moved = view.to_scene(probe)
    assert (moved.x(), moved.y()) == pytest.approx((start.x() - 50, start.y() - 30), abs=1.0)
    # Space held + left drag pans too, and paints nothing.
    QApplication.sendEvent(view, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Space, NO_MOD))
    view_drag(view, QPointF(300, 300), QPointF(280, 290), Qt.MouseButton.LeftButton)
    QApplication.sendEvent(view, QKeyEvent(QEvent.Type.KeyRelease, Qt.Key.Key_Space, NO_MOD))
    again = view.to_scene(probe)
    assert (again.x(), again.y()) == pytest.approx((moved.x() + 20, moved.y() + 10), abs=1.0)
    assert not view.document.mask.any() and view.undo_stack.count() == 0


def test_large_image_is_shown_in_small_tiles(qtbot):
    doc = Document.blank(8192, 8192, (10, 200, 30, 255))
    view = _make_view(qtbot, doc, (640, 480))
    layer = view.image_layer
    view.grab()  # paint fitted: a handful of coarse tiles, not one 8192 px pixmap
    fitted = layer.cached_tiles
    assert 0 < len(fitted) <= 8
    assert all(img.width() <= TILE and img.height() <= TILE for img in fitted.values())
    assert all(key[0] > 0 for key in fitted)  # coarse level of detail when zoomed out
    view.zoom_actual()
    view.centerOn(6000, 3000)
    for dx in (0, 300, 600):  # pan across tile borders at 100 %
        view.centerOn(6000 + dx, 3000)
        img = view.grab().toImage()
        assert img.pixelColor(320, 240) == QColor(10, 200, 30)
    full = [key for key in layer.cached_tiles if key[0] == 0]
    assert 0 < len(full) <= 12  # only what was on screen, out of 256 full-resolution tiles


def test_image_edit_refreshes_only_dirty_tiles(view):
    view.zoom_actual()
    view.centerOn(256, 256)
    view.grab()
    doc = view.document
    doc.image[250:260, 250:260] = (0, 0, 255, 255)
    doc.notify("image", (250, 250, 10, 10))
    img = view.grab().toImage()
    assert img.pixelColor(view_px(view, 255, 255)) == QColor(0, 0, 255)


def test_mask_colour_changes_overlay(view):
    view.zoom_actual()
    view.centerOn(256, 256)
    view.fill_all()
    view.mask_colour = QColor(0, 0, 255, 255)
    assert view.mask_colour == QColor(0, 0, 255, 255)
    assert view.grab().toImage().pixelColor(300, 300) == QColor(0, 0, 255)


def _staged_setup(view, photo_rgb):
    mask = np.zeros((512, 512), np.uint8)
    mask[100:200, 150:300] = 255
    view.document.mask[:] = mask
    view.document.notify("mask", None)
    return 255 - photo_rgb, mask


def test_accept_staged_changes_only_masked_pixels_as_one_step(view, qtbot, photo_rgb):
    result, mask = _staged_setup(view, photo_rgb)
    original = view.document.image.copy()
    with qtbot.waitSignal(view.staged_changed) as blocker:
        view.stage_result(result, mask)
    assert blocker.args == [True] and view.staged
    assert np.array_equal(view.document.image, original)  # staging alone edits nothing
    view.clear_mask()  # the mask the job was submitted with still decides
    with qtbot.waitSignal(view.staged_changed) as blocker:
        assert view.accept_staged()
    assert blocker.args == [False] and not view.staged
    image = view.document.image
    inside = mask == 255
    assert np.array_equal(image[inside][:, :3], result[inside])
    assert np.array_equal(image[~inside], original[~inside])
    assert view.undo_stack.count() == 2  # clear mask + apply result
    view.undo_stack.undo()
    assert np.array_equal(view.document.image, original)


def test_accept_with_feather_uses_composite_and_current_mask(view, photo_rgb):
    result, mask = _staged_setup(view, photo_rgb)
    original = view.document.image.copy()
    view.stage_result(result)  # no mask given: the current mask is used
    view.accept_staged(feather_px=8)
    assert np.array_equal(view.document.image, composite_masked(original, result, mask, 8))
    weights = blend_weights(mask, 8)
    changed = np.any(view.document.image != original, axis=2)
    assert changed.any() and not changed[weights == 0].any()


def test_discard_and_before_after_toggle(view, qtbot, photo_rgb):
    result, mask = _staged_setup(view, photo_rgb)
    original = view.document.image.copy()
    view.zoom_actual()
    view.centerOn(225, 150)
    at = view_px(view, 225, 150)
    view.stage_result(result, mask)
    r, g, b = (int(c) for c in result[150, 225])
    assert view.grab().toImage().pixelColor(at) == QColor(r, g, b)  # after: the result, no overlay
    view.set_show_before(True)
    shown = view.grab().toImage().pixelColor(at)
    assert shown != QColor(r, g, b)  # before: the photo under the red mask overlay
    view.discard_staged()
    assert not view.staged and np.array_equal(view.document.image, original)
    assert view.undo_stack.count() == 0
    assert not view.accept_staged()


def test_stage_rejects_wrong_size(view):
    with pytest.raises(ValueError):
        view.stage_result(np.zeros((10, 10, 3), np.uint8))
    assert not view.staged


def test_set_document_resets_view(view, qtbot):
    view.fill_all()
    view.stage_result(np.zeros((512, 512, 3), np.uint8))
    with qtbot.waitSignal(view.staged_changed):
        view.set_document(Document.blank(300, 200))
    assert not view.staged and view.undo_stack.count() == 0
    assert view.document.size == (300, 200)
    assert view.image_layer.boundingRect() == QRectF(0, 0, 300, 200)


def test_document_replace_rebuilds_layers(view):
    view.document.replace(np.zeros((100, 150, 4), np.uint8))
    assert view.image_layer.boundingRect() == QRectF(0, 0, 150, 100)
    assert view.mask_layer.boundingRect() == QRectF(0, 0, 150, 100)
    view.grab()


def test_deleted_view_stops_listening(qtbot, photo_rgb):
    doc = Document(_rgba(photo_rgb))
    canvas = CanvasView(doc, make_undo_stack())
    canvas.deleteLater()
    qtbot.wait(20)
    doc.notify("mask", None)  # must not call into the deleted widget
    doc.notify("image", (0, 0, 5, 5))


def test_brush_outline_follows_mouse(view):
    view.zoom_actual()
    view.centerOn(256, 256)
    view.set_brush_size(100)
    centre = view_px(view, 256, 256)
    edge = QPoint(centre.x() + 50, centre.y())
    before = view.grab().toImage()
    _mouse(view, QEvent.Type.MouseMove, QPointF(centre), Qt.MouseButton.NoButton, Qt.MouseButton.NoButton)
    after = view.grab().toImage()
    near = [
        after.pixelColor(edge.x() + d, edge.y()) != before.pixelColor(edge.x() + d, edge.y())
        for d in (-1, 0, 1)
    ]
    assert any(near)  # the circle is drawn 50 screen px (= radius at 100 %) from the cursor
    far = QPoint(centre.x() + 20, centre.y() + 5)
    assert after.pixelColor(far) == before.pixelColor(far)
