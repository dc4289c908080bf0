"""The brush controls: one widget in the toolbar that shows the canvas' brush and changes it."""

from __future__ import annotations

import pytest

from genimg_desktop.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    return win


def test_the_controls_and_the_canvas_follow_each_other(window):
    controls, canvas = window.tool_controls, window.canvas
    canvas.set_brush_size(64)
    canvas.set_brush_hardness(0.25)
    assert controls.size_spin.value() == 64 and controls.hardness_slider.value() == 25
    controls.size_spin.setValue(12)
    controls.hardness_slider.setValue(90)
    assert canvas.brush_size == 12 and canvas.brush_hardness == pytest.approx(0.9)


def test_bracket_keys_change_even_a_tiny_brush(window):
    """At 1 or 2 px, 1.25 times the size rounds back to it: ] must still make it larger."""
    window.canvas.set_brush_size(1)
    for expected in (2, 3, 4, 5, 6, 8):
        window.acts["larger"].trigger()
        assert window.canvas.brush_size == expected
    window.canvas.set_brush_size(2)
    window.acts["smaller"].trigger()
    window.acts["smaller"].trigger()
    assert window.canvas.brush_size == 1 and window.tool_controls.size_spin.value() == 1


def test_the_controls_keep_their_size_in_a_wide_toolbar(qtbot, window):
    """The size box does not stretch over the spare width of the toolbar."""
    window.resize(1600, 900)
    window.show()
    qtbot.waitExposed(window)
    controls = window.tool_controls
    assert controls.width() == controls.sizeHint().width()
