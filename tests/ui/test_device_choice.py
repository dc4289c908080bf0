"""Device menu in the real window (issue 23): a device this machine lacks is refused with a message,
the menu ticks the device in effect again and nothing is saved, so later starts stay quiet."""

from __future__ import annotations

import pytest

from genimg_desktop.engine.device import available_devices
from genimg_desktop.ui.main_window import MainWindow
from genimg_desktop.ui.settings import Settings

TIMEOUT_MS = 60_000
MISSING = next((name for name in ("cuda", "mps") if name not in available_devices()), None)
pytestmark = pytest.mark.skipif(MISSING is None, reason="this machine has every device (CUDA and MPS)")


def started_window(qtbot) -> MainWindow:
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    with qtbot.waitSignal(win.model.device_changed, timeout=TIMEOUT_MS):
        win.start_engine()
    return win


def ticked(win: MainWindow) -> list[str]:
    return [name for name, action in win.acts.items() if name.startswith("device_") and action.isChecked()]


def test_a_missing_device_is_refused_and_not_saved(qtbot, messages):
    win = started_window(qtbot)
    assert ticked(win) == ["device_auto"] and not messages
    with qtbot.waitSignal(win.model.device_changed, timeout=TIMEOUT_MS):
        win.acts[f"device_{MISSING}"].trigger()
    assert ticked(win) == ["device_auto"]  # not the refused one, while the status bar says CPU
    assert win.status.device.text() == "Device: CPU"
    assert Settings().device_choice == "auto"
    assert len(messages) == 1 and f"{MISSING.upper()} cannot be used" in messages[0][1]
    assert "stays Automatic" in messages[0][1]

    with qtbot.waitSignal(win.model.device_choice_changed, timeout=TIMEOUT_MS):
        win.acts["device_cpu"].trigger()  # a choice that works is saved
    assert ticked(win) == ["device_cpu"] and Settings().device_choice == "cpu"
    with qtbot.waitSignal(win.model.device_changed, timeout=TIMEOUT_MS):
        win.acts[f"device_{MISSING}"].trigger()
    assert ticked(win) == ["device_cpu"] and Settings().device_choice == "cpu"
    assert "stays CPU" in messages[-1][1]


def test_a_saved_device_that_is_gone_is_said_once_not_at_every_start(qtbot, messages):
    Settings().device = MISSING  # saved by an older version, or on a machine that had it
    first = started_window(qtbot)
    assert ticked(first) == ["device_auto"] and Settings().device_choice == "auto"
    assert len(messages) == 1 and f"{MISSING.upper()} cannot be used" in messages[0][1]
    first.close()

    second = started_window(qtbot)
    assert len(messages) == 1 and ticked(second) == ["device_auto"]
