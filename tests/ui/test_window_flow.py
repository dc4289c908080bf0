"""The real main window, offscreen, driven as an artist would: open, paint, undo, inpaint, accept, save."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication, QImage

from genimg_desktop.core import paths
from genimg_desktop.core.imageio import load_image, save_image
from genimg_desktop.core.params import ParamSpec, TaskSpec
from genimg_desktop.engine.base import GenerationModel
from genimg_desktop.engine.registry import FAMILIES
from genimg_desktop.ui import file_ops
from genimg_desktop.ui.main_window import MainWindow
from tests.ui.mouse import drag
from tests.ui.opening import open_file, wait_for_open

TIMEOUT_MS = 20_000


class SlowModel(GenerationModel):
    """Test-only family whose job takes long enough to cancel (10 ms steps, progress each step)."""

    family = "test-window-slow"

    @classmethod
    def task_specs(cls, card):
        return (
            TaskSpec("inpaint", "Slow inpaint", (ParamSpec("steps", "int", 2000, minimum=1),), True, True),
        )

    def _run(self, job):
        for step in range(job.params["steps"]):
            time.sleep(0.01)
            job.control.report((step + 1) / job.params["steps"], f"step {step + 1}")
        return [job.image.copy()]


@pytest.fixture
def window(qtbot, monkeypatch):
    monkeypatch.setitem(FAMILIES, SlowModel.family, SlowModel)
    card = {"id": "slow", "family": SlowModel.family, "name": "Slow test model"}
    (paths.user_models_dir() / "slow.json").write_text(json.dumps(card), encoding="utf-8")
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.start_engine()
    qtbot.waitUntil(lambda: len(win.picker.models()) >= 3, timeout=TIMEOUT_MS)
    yield win
    win.document.modified = False  # no "save changes?" prompt when the test closes it
    win.close()
    assert not win.jobs.service.thread_running


@pytest.fixture
def photo_file(tmp_path, photo_rgb):
    path = tmp_path / "astronaut.png"
    save_image(path, photo_rgb)
    return path


def paint_stroke(win: MainWindow) -> None:
    win.canvas.set_tool("brush")
    win.canvas.set_brush_size(30)
    win.canvas.set_brush_hardness(1.0)
    drag(win.canvas, [(200, 150), (240, 160), (280, 175), (320, 190)])


def run_and_wait(qtbot, win: MainWindow, signal_name: str = "job_finished"):
    with qtbot.waitSignal(getattr(win.jobs.service, signal_name), timeout=TIMEOUT_MS) as blocker:
        win.run_button.click()
    return blocker.args


def test_open_paint_undo_inpaint_accept_save_and_restore(qtbot, window, photo_file, tmp_path, messages):
    win = window
    assert open_file(win, photo_file)
    original = win.document.image.copy()
    assert win.document.size == (512, 512)

    paint_stroke(win)
    painted = win.document.mask.copy()
    assert painted[160, 240] == 255 and painted.sum() > 0 and painted[400, 400] == 0
    assert win.undo_stack.count() == 1  # one stroke, one step
    win.acts["undo"].trigger()
    assert not win.document.mask.any()
    win.acts["redo"].trigger()
    np.testing.assert_array_equal(win.document.mask, painted)

    assert win.picker.select("opencv-telea", "inpaint")
    win.params.seed.set_fixed(7)
    win.params.set_values({"radius": 4})
    _, result = run_and_wait(qtbot, win)
    assert win.canvas.staged and win.staging.accept_button.isEnabled()
    assert win.gallery.results()[-1] is result
    np.testing.assert_array_equal(win.document.image, original)  # staged, not applied yet

    win.staging.feather.setValue(0)
    win.staging.accept_button.click()
    assert not win.canvas.staged
    changed = np.any(win.document.image != original, axis=-1)
    assert changed.any() and not changed[painted == 0].any()  # only masked pixels changed
    steps = win.undo_stack.count()
    win.acts["undo"].trigger()  # accepting is a single step
    np.testing.assert_array_equal(win.document.image, original)
    win.acts["redo"].trigger()
    assert win.undo_stack.count() == steps

    out = tmp_path / "result.png"
    assert file_ops.save_to(win, out)
    assert not win.document.modified
    meta = load_image(out).metadata
    assert meta["model"] == "opencv-telea" and meta["seed"] == 7 and meta["params"]["radius"] == 4

    # A fresh window restores the parameters from the saved PNG's metadata.
    win.picker.select("opencv-ns", "inpaint")
    win.params.set_values({"radius": 9})
    assert open_file(win, out)
    assert win.picker.current_model_id() == "opencv-telea"
    assert win.params.values()["radius"] == 4 and win.params.seed.spin.value() == 7
    assert not messages


def test_cancel_stops_a_running_job_and_changes_nothing(qtbot, window, photo_file, messages):
    win = window
    open_file(win, photo_file)
    paint_stroke(win)
    before = win.document.image.copy()
    assert win.picker.select("slow", "inpaint")
    with qtbot.waitSignal(win.jobs.service.job_started, timeout=TIMEOUT_MS):
        win.run_button.click()
    assert win.status.cancel.isEnabled()
    qtbot.waitUntil(lambda: win.status.progress.value() > 0, timeout=TIMEOUT_MS)
    start = time.perf_counter()
    with qtbot.waitSignal(win.jobs.service.job_cancelled, timeout=TIMEOUT_MS):
        win.status.cancel.click()
    assert time.perf_counter() - start < 5.0  # generous: the real bound (~100 ms) is in the jobs tests
    assert not win.jobs.busy and not win.status.cancel.isEnabled() and not win.canvas.staged
    np.testing.assert_array_equal(win.document.image, before)
    assert not win.gallery.results()


def test_inpaint_without_mask_explains_and_runs_nothing(qtbot, window, photo_file, messages):
    open_file(window, photo_file)
    window.picker.select("opencv-telea", "inpaint")
    window.run_button.click()
    assert messages and "mask" in messages[-1][1].lower()
    assert not window.jobs.busy


@pytest.mark.parametrize("name", ["truncated.png", "zero-byte.png", "bomb.png", "not_an_image.png"])
def test_bad_file_gives_a_message_and_keeps_the_canvas(window, messages, name):
    from tests.conftest import DATA

    before = window.document
    assert not open_file(window, DATA / "bad" / name)
    assert messages and messages[-1][0] == "warning"
    assert window.document is before


def test_drop_and_paste_open_images(qtbot, window, photo_file, photo_rgb):
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(photo_file))])
    drop = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(drop)
    wait_for_open(window)
    assert window.document.path == photo_file

    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.red)
    QGuiApplication.clipboard().setImage(image)
    window.document.modified = False
    window.acts["paste"].trigger()
    assert window.document.size == (64, 48)
    assert window.document.image[0, 0].tolist() == [255, 0, 0, 255]


def test_settings_persist_across_windows(qtbot, window):
    window.canvas.set_brush_size(77)
    with qtbot.waitSignal(window.model.device_choice_changed, timeout=TIMEOUT_MS):
        window.choose_device("cpu")  # saved once the engine took it
    window.close()
    second = MainWindow()
    qtbot.addWidget(second)
    assert second.canvas.brush_size == 77
    assert second.settings.device_choice == "cpu"


def test_brush_size_keys(qtbot, window):
    window.canvas.set_brush_size(40)
    window.acts["larger"].trigger()
    assert window.canvas.brush_size == 50
    window.acts["smaller"].trigger()
    assert window.canvas.brush_size == 40
    assert window.tool_controls.size_spin.value() == 40


def test_window_import_does_not_load_torch():
    import subprocess
    import sys

    code = "import genimg_desktop.app, genimg_desktop.ui.main_window, sys; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_fill_network_paints_out_a_stroke_accepted_and_saved(qtbot, window, photo_file, tmp_path, messages):
    """As a new user: a photo, a stroke over part of it, the shipped fill network, Accept, Save."""
    win = window
    assert open_file(win, photo_file)
    original = win.document.image.copy()
    paint_stroke(win)
    hole = win.document.mask > 0
    assert win.picker.select("inpaint-fill", "inpaint")
    _, result = run_and_wait(qtbot, win)
    assert result.request.model_id == "inpaint-fill" and win.canvas.staged
    win.staging.accept_button.click()
    changed = np.any(win.document.image != original, axis=-1)
    assert changed[hole].mean() > 0.5 and not changed[~win.document.mask.astype(bool)].any()
    # a plausible fill: close to what was under the stroke (a blank or noisy fill is ~0.3-0.5 off)
    error = np.abs(win.document.image[hole].astype(float) - original[hole].astype(float)).mean() / 255
    assert error < 0.15, error
    out = tmp_path / "painted-out.png"
    assert file_ops.save_to(win, out)
    saved = load_image(out)
    assert saved.metadata["model"] == "inpaint-fill"
    np.testing.assert_array_equal(saved.rgba[..., :3], win.document.image[..., :3])
    assert not messages
