"""The toolbar keeps its buttons in place whatever the last edit was called (issue 23, layout jumps)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolBar

from tests.ui.mouse import drag
from tests.ui.photo_window import key, photo_window

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def win(qtbot):
    rgba = np.full((300, 400, 4), 200, np.uint8)
    yield from photo_window(qtbot, rgba)


def test_undo_text_does_not_move_the_toolbar(qtbot, win):
    bar = win.findChild(QToolBar, "tools_toolbar")
    brush = bar.widgetForAction(win.acts["tool_brush"])
    before = brush.mapTo(win, brush.rect().topLeft())
    key(qtbot, win, Qt.Key.Key_B)
    drag(win.canvas, [(100, 100), (150, 120), (200, 140)])
    key(qtbot, win, Qt.Key.Key_R)
    drag(win.canvas, [(20, 20), (60, 60)])
    qtbot.wait(50)  # the toolbar lays itself out again on the next pass of the event loop
    assert brush.mapTo(win, brush.rect().topLeft()) == before
    assert bar.widgetForAction(win.acts["show_mask"]).isVisible()  # not pushed into the overflow
    undo = bar.widgetForAction(win.acts["undo"])
    assert undo.text() == "Undo" and undo.toolTip() == f"Undo {win.undo_stack.undoText()}"
    assert win.acts["undo"].text().startswith("&Undo ")  # the Edit menu names the step
    key(qtbot, win, Qt.Key.Key_Z, CTRL)
    key(qtbot, win, Qt.Key.Key_Z, CTRL)
    assert not win.undo_stack.canUndo()
    assert bar.widgetForAction(win.acts["redo"]).text() == "Redo"
