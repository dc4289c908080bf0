"""Fixed places for the window's controls (issue 23): the Run button, the parameter dock and the
canvas keep their geometry when the model or task changes and when a result is staged or accepted."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QWidget

from genimg_desktop.ui.main_window import MainWindow
from tests.ui.mouse import drag
from tests.ui.shipped_window import TIMEOUT_MS, open_picture, shipped_window

# Tasks whose editors differ most: they moved the Run button between three heights and resized the dock.
TASKS = (
    ("gan-emoji-64", "sample"),
    ("gan-emoji-64", "interpolate"),
    ("vae-emoji-64", "interpolate"),
    ("pixelcnn-emoji-32", "sample"),
    ("inpaint-fill", "inpaint"),
    ("opencv-telea", "inpaint"),
)


@pytest.fixture
def window(qtbot):
    yield from shipped_window(qtbot)


def place(win: MainWindow, widget: QWidget) -> QRect:
    """Where `widget` is in the window, once the layouts have settled."""
    for _ in range(3):
        QApplication.processEvents()
    return QRect(widget.mapTo(win, widget.rect().topLeft()), widget.size())


def places(win: MainWindow) -> dict[str, QRect]:
    return {
        "run": place(win, win.run_button),
        "params": place(win, win.docks[1]),
        "canvas": place(win, win.canvas.viewport()),
    }


def test_controls_stay_put_across_tasks_and_a_staged_result(qtbot, window, tmp_path, photo_rgb, messages):
    win = window
    open_picture(qtbot, win, tmp_path / "astronaut.png", photo_rgb)
    win.picker.select(*TASKS[0])
    first = places(win)
    for model_id, task in TASKS[1:]:
        win.picker.select(model_id, task)
        assert places(win) == first, f"moved with {model_id} / {task}"

    drag(win.canvas, [(200, 150), (260, 170)])
    qtbot.mouseClick(win.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.canvas.staged and not win.model.busy, timeout=TIMEOUT_MS)
    assert places(win) == first  # the Accept/Discard bar did not push the canvas down
    qtbot.mouseClick(win.staging.accept_button, Qt.MouseButton.LeftButton)
    assert not win.canvas.staged and places(win) == first
    win.document.modified = False
