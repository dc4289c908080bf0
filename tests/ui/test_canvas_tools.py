"""Canvas mask tools driven by real mouse events, and their undo steps."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt

from genimg_desktop.core import mask as maskops
from genimg_desktop.core.document import Document
from genimg_desktop.ui.canvas import CanvasView, make_undo_stack
from tests.ui.mouse import LEFT, NO_MOD, drag, send_mouse


@pytest.fixture
def view(qtbot, photo_rgb) -> CanvasView:
    rgba = np.dstack([photo_rgb, np.full(photo_rgb.shape[:2], 255, np.uint8)])
    stack = make_undo_stack()
    canvas = CanvasView(Document(rgba), stack)
    canvas._test_stack = stack  # keep the parentless stack alive as long as the view
    qtbot.addWidget(canvas)
    canvas.resize(600, 600)
    canvas.show()
    qtbot.waitExposed(canvas)
    canvas.zoom_actual()
    return canvas


def test_stroke_paints_along_path_as_one_undo_step(view):
    view.set_brush_size(20)
    view.set_brush_hardness(1.0)
    mask = view.document.mask
    drag(view, [(100, 100), (200, 100), (300, 100), (300, 200), (300, 300)])
    assert (mask[100, 100:301] == 255).all() and (mask[100:301, 300] == 255).all()
    assert mask[100, 89] == 0 and mask[200, 200] == 0 and mask[85, 200] == 0  # brush radius is 10
    assert view.undo_stack.count() == 1
    painted = mask.copy()
    view.undo_stack.undo()
    assert not view.document.mask.any()
    view.undo_stack.redo()
    assert np.array_equal(view.document.mask, painted)


def test_stroke_updates_overlay_and_signals(view, qtbot):
    before = view.grab().toImage().pixelColor(view.mapFromScene(QPointF(250.5, 250.5)))
    with qtbot.waitSignal(view.mask_changed):
        drag(view, [(240, 250), (260, 250)])
    after = view.grab().toImage().pixelColor(view.mapFromScene(QPointF(250.5, 250.5)))
    assert after.red() - after.green() > before.red() - before.green() + 40  # red overlay on top
    view.set_mask_visible(False)
    hidden = view.grab().toImage().pixelColor(view.mapFromScene(QPointF(250.5, 250.5)))
    assert hidden == before and not view.mask_visible


def test_hundreds_of_undo_steps_restore_exactly(view):
    view.set_brush_size(6)
    states = [view.document.mask.copy()]
    for i in range(120):
        y = 4 + (i * 4) % 500
        drag(view, [(10 + i, y), (60 + i, y + 3)])
        states.append(view.document.mask.copy())
    assert view.undo_stack.count() == 120
    for expected in reversed(states[:-1]):
        view.undo_stack.undo()
        assert np.array_equal(view.document.mask, expected)
    for expected in states[1:]:
        view.undo_stack.redo()
        assert np.array_equal(view.document.mask, expected)
    assert view.undo_stack.undoLimit() == 200


def test_small_stroke_on_4096_stores_a_few_tiles(qtbot):
    stack = make_undo_stack()
    view = CanvasView(Document.blank(4096, 4096), stack)
    qtbot.addWidget(view)
    view.resize(400, 400)
    view.show()
    view.zoom_actual()
    view.centerOn(2000, 2000)
    view.set_brush_size(30)
    drag(view, [(1990, 2000), (2010, 2005)])
    assert stack.count() == 1
    patch = stack.command(0).patch
    assert 0 < len(patch.before) <= 4
    assert stack.command(0).nbytes <= 4 * 2 * 256 * 256  # not the 16 MB mask
    stack.undo()
    assert not view.document.mask.any()


def test_rect_fill_and_alt_or_eraser_mode_erase(view):
    view.set_tool("rect")
    mask = view.document.mask
    drag(view, [(50, 60), (100, 90), (150, 120)])
    assert (mask[60:120, 50:150] == 255).all()
    assert mask.sum() == 255 * 60 * 100
    drag(view, [(60, 70), (80, 80)], mods=Qt.KeyboardModifier.AltModifier)
    assert not mask[70:80, 60:80].any() and mask[69, 60] == 255
    view.set_eraser_mode(True)
    drag(view, [(100, 100), (110, 110)])
    assert not mask[100:110, 100:110].any() and mask[99, 100] == 255
    assert view.undo_stack.count() == 3


def test_lasso_fills_polygon(view):
    view.set_tool("lasso")
    drag(view, [(100, 100), (300, 100), (300, 300), (200, 320)])
    mask = view.document.mask
    assert mask[150, 250] == 255 and mask[250, 290] == 255
    assert mask[250, 120] == 0 and mask[90, 200] == 0  # outside the outline
    assert view.undo_stack.count() == 1


def test_eraser_tool_removes_paint(view):
    view.set_brush_size(40)
    drag(view, [(100, 200), (400, 200)])
    view.set_tool("eraser")
    view.set_brush_size(10)
    drag(view, [(250, 150), (250, 250)])
    mask = view.document.mask
    assert mask[200, 250] == 0 and mask[200, 200] == 255
    assert view.undo_stack.count() == 2
    view.undo_stack.undo()
    assert mask[200, 250] == 255


def test_click_without_drag_paints_a_dab(view):
    view.set_brush_size(10)
    drag(view, [(50.5, 60.5)])
    assert view.document.mask[60, 50] > 0 and view.undo_stack.count() == 1


@pytest.mark.parametrize(
    "op, expected",
    [
        (lambda v: v.invert_mask(), maskops.invert),
        (lambda v: v.clear_mask(), maskops.clear),
        (lambda v: v.fill_all(), lambda m: np.full_like(m, 255)),
        (lambda v: v.grow_mask(12), lambda m: maskops.grow(m, 12)),
        (lambda v: v.shrink_mask(5), lambda m: maskops.shrink(m, 5)),
        (lambda v: v.feather_mask(6), lambda m: maskops.feather(m, 6)),
    ],
    ids=["invert", "clear", "fill_all", "grow", "shrink", "feather"],
)
def test_whole_mask_operations_are_one_undo_step(view, op, expected):
    view.set_tool("rect")
    drag(view, [(100, 100), (220, 200)])
    before = view.document.mask.copy()
    want = expected(before)
    op(view)
    assert np.array_equal(view.document.mask, want)
    assert view.undo_stack.count() == 2
    view.undo_stack.undo()
    assert np.array_equal(view.document.mask, before)
    view.undo_stack.redo()
    assert np.array_equal(view.document.mask, want)


def test_no_op_mask_operation_pushes_nothing(view):
    view.clear_mask()
    assert view.undo_stack.count() == 0


def test_brush_settings_clamp_and_signal(view, qtbot):
    with qtbot.waitSignal(view.brush_changed):
        view.set_brush_size(5000)
    assert view.brush_size == 1000
    view.set_brush_size(0)
    assert view.brush_size == 1
    view.set_brush_hardness(2)
    assert view.brush_hardness == 1.0
    with pytest.raises(ValueError):
        view.set_tool("pencil")


def test_cursor_moved_reports_image_pixel(view, qtbot):
    with qtbot.waitSignal(view.cursor_moved) as blocker:
        send_mouse(
            view,
            QEvent.Type.MouseMove,
            (123.5, 45.5),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.NoButton,
            NO_MOD,
        )
    assert blocker.args == [123, 45]
    assert not view.document.mask.any()  # moving without a button paints nothing


def test_undo_after_document_replace_does_not_crash(view):
    drag(view, [(100, 100), (120, 120)])
    view.document.replace(np.zeros((64, 80, 4), np.uint8))
    view.undo_stack.undo()  # the old step no longer fits the new size: a no-op, not an exception
    assert view.document.mask.shape == (64, 80) and not view.document.mask.any()


def test_double_click_paints_second_dab(view):
    view.set_brush_size(8)
    drag(view, [(50, 50)])
    send_mouse(view, QEvent.Type.MouseButtonDblClick, (80, 50), LEFT, LEFT, NO_MOD)
    send_mouse(view, QEvent.Type.MouseButtonRelease, (80, 50), LEFT, Qt.MouseButton.NoButton, NO_MOD)
    assert view.document.mask[50, 80] == 255 and view.undo_stack.count() == 2
