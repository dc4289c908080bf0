"""The model picker starts on the photo default (core/photo_fill.py), not on the model that sorts
first: an artist who opens a photo, paints over something and presses the button gets the hybrid fill."""

from __future__ import annotations

import numpy as np
import pytest

from genimg_desktop.core.photo_fill import PHOTO_FILLS
from tests.ui.mouse import drag
from tests.ui.shipped_window import TIMEOUT_MS, open_picture, shipped_window


@pytest.fixture
def win(qtbot):
    yield from shipped_window(qtbot)


def test_a_photo_is_inpainted_with_the_photo_default_without_choosing_a_model(
    qtbot, win, photo_rgb, tmp_path, messages
):
    listed = [m.id for m in win.picker.models()]
    assert listed[0] not in PHOTO_FILLS  # the first row is not a fill: the default must be chosen
    assert PHOTO_FILLS[0] in listed  # the shipped hybrid (PatchMatch installed, as CI has it)
    photo = np.ascontiguousarray(photo_rgb[96:288, 160:352])  # 192 px of the astronaut's face
    open_picture(qtbot, win, tmp_path / "face.png", photo)
    assert (win.picker.current_model_id(), win.picker.current_task_name()) == (PHOTO_FILLS[0], "inpaint")
    assert win.run_button.text() == "Inpaint" and win.run_button.isEnabled()

    win.canvas.set_tool("brush")
    win.canvas.set_brush_size(14)
    drag(win.canvas, [(60, 90), (100, 100), (130, 110)])
    painted = win.document.mask > 0
    assert painted.any() and not painted.all()
    with qtbot.waitSignal(win.jobs.service.job_finished, timeout=TIMEOUT_MS) as done:
        win.run_button.click()
    result = done.args[1]
    assert result.request.model_id == PHOTO_FILLS[0] and result.request.task == "inpaint"
    filled = result.images[0]
    np.testing.assert_array_equal(filled[~painted], photo[~painted])  # bit-exact outside the mask
    assert (filled[painted] != photo[painted]).any()
    assert win.canvas.staged and not messages
