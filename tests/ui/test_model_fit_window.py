"""Models offered where they cannot work (issue 23): the picker marks the models that do not fit the
open picture and says why; Run on one asks first, and "Run anyway" runs it."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from genimg_desktop.ui.fit_guard import RUN_ANYWAY
from genimg_desktop.ui.main_window import MainWindow
from genimg_desktop.ui.panels.model_picker import FIT_ROLE
from tests.ui.dialogs import click_when_shown
from tests.ui.shipped_window import ID_ROLE, TIMEOUT_MS, open_picture, shipped_window


@pytest.fixture
def window(qtbot):
    yield from shipped_window(qtbot)


def marks(win: MainWindow) -> dict[str, str]:
    items = (win.picker.list.item(row) for row in range(win.picker.list.count()))
    return {item.data(ID_ROLE): item.data(FIT_ROLE) for item in items}


def test_picker_marks_models_that_do_not_fit_the_open_picture(qtbot, window, tmp_path):
    open_picture(qtbot, window, tmp_path / "cat.png", data.chelsea())
    found = marks(window)
    assert "grey only" in found["gan-fashion-mnist-28"]
    assert "64×64" in found["vae-emoji-64"] and "squashed" in found["pixelcnn-emoji-32"]
    assert found["opencv-telea"] == "" and found["inpaint-fill"] == ""
    row = next(
        r
        for r in range(window.picker.list.count())
        if window.picker.list.item(r).data(ID_ROLE) == "vae-emoji-64"
    )
    item = window.picker.list.item(row)
    assert not item.icon().isNull() and "Not for this picture" in item.toolTip()

    emoji = np.ascontiguousarray(data.chelsea()[100:164, 200:264])  # a 64x64 colour picture
    open_picture(qtbot, window, tmp_path / "small.png", emoji)
    assert marks(window)["vae-emoji-64"] == ""  # the same model fits a picture of its own size


def test_run_on_a_model_that_does_not_fit_asks_first(qtbot, window, tmp_path):
    open_picture(qtbot, window, tmp_path / "cat.png", data.chelsea())
    assert window.picker.select("vae-emoji-64", "reconstruct")
    seen: list[str] = []
    click_when_shown("Cancel", seen)
    window.run_button.click()
    assert "64×64" in seen[0] and not window.model.busy and window.jobs.job_id is None

    click_when_shown(RUN_ANYWAY, seen)
    with qtbot.waitSignal(window.jobs.service.job_finished, timeout=TIMEOUT_MS):
        window.run_button.click()
    assert len(seen) == 2
    window.run_job()  # asked once per model, task and picture: this one runs without a question
    qtbot.waitUntil(lambda: not window.model.busy, timeout=TIMEOUT_MS)
    assert len(seen) == 2
