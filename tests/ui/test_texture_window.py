"""Textures in the real window (issue 27): a texture model's Texture task at a chosen width and height,
laid into a painted mask at 1:1 (repeated, never stretched), opened as a picture of that size, and
"Fill mask with texture" staged like any inpainting, and Models > Train a texture on this picture;
mouse events on the real canvas and buttons."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from genimg_desktop.core import paths
from genimg_desktop.core.imageio import load_image
from genimg_desktop.ui.training.step_estimate import StepEstimate
from tests.ui.dialogs import click_when_shown
from tests.ui.mouse import drag
from tests.ui.shipped_window import TIMEOUT_MS, open_picture, shipped_window

MODEL = "texture-walnut"  # a shipped model (models/)
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def window(qtbot):
    yield from shipped_window(qtbot)


def run_task(qtbot, win, task: str, **params) -> None:
    assert win.picker.select(MODEL, task)
    win.params.set_values(params)
    win.params.seed.set_fixed(7)
    qtbot.mouseClick(win.run_button, LEFT)
    qtbot.waitUntil(lambda: not win.model.busy, timeout=TIMEOUT_MS)


def accept(qtbot, win) -> None:
    win.staging.feather.setValue(0)
    qtbot.mouseClick(win.staging.accept_button, LEFT)
    assert not win.canvas.staged


def test_a_texture_at_its_size_into_the_mask_and_as_a_picture(qtbot, window, tmp_path, photo_rgb):
    win = window
    open_picture(qtbot, win, tmp_path / "astronaut.png", photo_rgb)
    run_task(qtbot, win, "sample", width=160, height=96, tile=True)
    texture = win.samples.result.images[0].copy()
    assert texture.shape == (96, 160, 3) and "1 × 160×96 px" in win.samples.caption.text()

    win.canvas.set_tool("rect")
    drag(win.canvas, [(40, 50), (200, 200), (440, 450)])  # a 400x400 box: the texture repeats in it
    win.samples.list.setCurrentRow(0)
    qtbot.mouseClick(win.samples.place_button, LEFT)
    assert win.canvas.staged
    accept(qtbot, win)
    laid = win.document.rgb()[50:450, 40:440]
    assert np.array_equal(laid, np.tile(texture, (5, 3, 1))[:400, :400])  # 1:1, not scaled to the box
    assert np.array_equal(win.document.rgb()[:50], photo_rgb[:50])

    seen: list[str] = []
    click_when_shown("Discard", seen)  # the accepted edit is unsaved work
    qtbot.mouseClick(win.samples.open_button, LEFT)
    assert win.document.size == (160, 96) and np.array_equal(win.document.rgb(), texture)


def test_an_interpolated_texture_saves_as_a_looping_animation(qtbot, window, tmp_path, monkeypatch):
    win = window
    run_task(qtbot, win, "interpolate", width=64, height=48, frames=4, seed_b=8, tile=True)
    panel = win.samples
    assert panel.list.count() == 4 and panel.animation_button.isEnabled()
    frames = [image.copy() for image in panel.result.images]
    target = tmp_path / "walnut.gif"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(panel.animation_button, LEFT)
    with Image.open(target) as gif:
        assert gif.n_frames == 6 and gif.info["loop"] == 0  # forward and back, looping for ever
        assert gif.size == (256, 192)  # enlarged 4x, crisply, to be seen
    assert not np.array_equal(frames[0], frames[-1])


def test_fill_mask_with_texture_is_staged_like_inpainting(qtbot, window, tmp_path, photo_rgb):
    win = window
    open_picture(qtbot, win, tmp_path / "astronaut.png", photo_rgb)
    win.canvas.set_tool("rect")
    drag(win.canvas, [(100, 120), (300, 330)])
    mask = win.document.mask.copy()
    run_task(qtbot, win, "fill", match_colours=0.5)
    assert win.canvas.staged
    accept(qtbot, win)
    after = win.document.rgb()
    assert np.array_equal(after[mask == 0], photo_rgb[mask == 0])
    assert not np.array_equal(after[mask > 0], photo_rgb[mask > 0])


def test_train_a_texture_on_the_masked_part_of_the_picture(qtbot, window, tmp_path, photo_rgb):
    win = window
    open_picture(qtbot, win, tmp_path / "astronaut.png", photo_rgb)
    win.canvas.set_tool("rect")
    drag(win.canvas, [(300, 200), (500, 350)])  # the selection: 200x150 px of the picture
    models = next(a.menu() for a in win.menuBar().actions() if a.text() == "M&odels")
    assert win.acts["train_texture"] in models.actions()
    win.acts["train_texture"].trigger()
    view = win.train_view
    assert view is not None and view.isVisible()
    spec = view.form.spec()
    assert (spec.family, spec.size, spec.settings) == ("texture", 150, ("crop=64",))
    written = paths.user_data_dir() / "texture-pictures"
    [picture] = list(written.glob("*/picture.png"))
    assert spec.data == str(picture.parent)
    assert np.array_equal(load_image(picture).rgba[..., :3], photo_rgb[200:350, 300:500])
    # The time is measured on this computer first (a few steps of this very run, in a child process).
    assert view.message.text().endswith("Measuring how fast this computer trains it (a few steps)…")
    qtbot.waitUntil(lambda: not view.message.text().endswith("…"), timeout=120_000)
    assert "s a step, measured just now" in view.message.text()
    per_step = float(re.search(r"(\d+\.\d+) s a step", view.message.text()).group(1))
    minutes, seconds = re.search(r"About (\d+)m(\d\d)s on this computer", view.message.text()).groups()
    assert abs(int(minutes) * 60 + int(seconds) - 600 * per_step) <= 1 + 600 * 0.005  # 600 steps
    assert not (view.form.spec().run_dir).exists()  # measuring wrote nothing
    view.hide()


def test_train_a_multiscale_model_on_the_picture_fills_in_its_recipe(qtbot, window, tmp_path, photo_rgb):
    win = window
    open_picture(qtbot, win, tmp_path / "astronaut.png", photo_rgb)
    models = next(a.menu() for a in win.menuBar().actions() if a.text() == "M&odels")
    assert win.acts["train_singan"] in models.actions()
    win.acts["train_singan"].trigger()
    view = win.train_view
    spec = view.form.spec()
    assert (spec.family, spec.size, spec.steps, spec.batch_size) == ("singan", 256, 1500, 1)
    assert "multi-scale (SinGAN-style)" in view.message.text()
    estimate = view.findChild(StepEstimate)
    assert estimate.running
    qtbot.mouseClick(view.start_button, LEFT)  # Start stops the measurement: the run needs the CPU
    assert not estimate.running
    view.cancel()
    qtbot.waitUntil(lambda: not view.process.running, timeout=TIMEOUT_MS)
    view.hide()


def test_a_selection_too_small_for_a_texture_is_refused(qtbot, window, tmp_path, photo_rgb):
    win = window
    open_picture(qtbot, win, tmp_path / "astronaut.png", photo_rgb)
    win.canvas.set_tool("rect")
    drag(win.canvas, [(10, 10), (50, 100)])
    seen: list[str] = []
    click_when_shown("OK", seen)
    win.acts["train_texture"].trigger()
    assert seen == ["The masked area is 40×90 px: a texture needs at least 64 px a side."]
    assert win.train_view is None and not (paths.user_data_dir() / "texture-pictures").exists()
