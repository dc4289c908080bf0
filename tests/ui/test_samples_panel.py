"""The samples panel in the real window with a real (tiny, untrained) GAN and PixelCNN on the engine:
sample a grid, see every image, open one as a new image, place one into the mask, save one."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtWidgets import QFileDialog

from genimg_desktop.core import paths
from genimg_desktop.core.imageio import LoadedImage, load_image
from genimg_desktop.ui.fit_guard import RUN_ANYWAY
from genimg_desktop.ui.main_window import MainWindow
from tests.support.tiny_models import GAN_SIZE, VAE_SIZE, install_untrained
from tests.ui.dialogs import click_when_shown

TIMEOUT_MS = 30_000


@pytest.fixture
def window(qtbot, photo_rgb, messages):
    install_untrained("gan", paths.user_models_dir(), "tiny-gan")
    install_untrained("pixelcnn", paths.user_models_dir(), "tiny-pixelcnn")
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    rgba = np.dstack([photo_rgb, np.full(photo_rgb.shape[:2], 255, np.uint8)])
    win.set_loaded(LoadedImage(rgba, "RGB", "PNG", (512, 512), {}, []), None)
    win.start_engine()
    qtbot.waitUntil(
        lambda: {"tiny-gan", "tiny-pixelcnn"} <= {m.id for m in win.picker.models()}, timeout=TIMEOUT_MS
    )
    yield win
    win.document.modified = False
    win.close()


def _sample(qtbot, win: MainWindow, model: str, count: int, seed: int) -> None:
    assert win.picker.select(model, "sample")
    win.params.set_values({"count": count})
    win.params.seed.set_fixed(seed)
    win.run_button.click()
    qtbot.waitUntil(lambda: not win.jobs.busy, timeout=TIMEOUT_MS)


def test_a_sample_grid_shows_every_image_and_the_same_seed_repeats_it(qtbot, window):
    assert window.samples_dock.isHidden()  # nothing to show before the first samples
    _sample(qtbot, window, "tiny-gan", 6, seed=3)
    panel = window.samples
    assert not window.samples_dock.isHidden() and panel.list.count() == 6
    assert "tiny-gan · sample · seed 3" in panel.caption.text()
    assert not window.canvas.staged  # samples are not an edit of the canvas
    first = [img.copy() for img in panel.result.images]
    assert first[0].shape == (GAN_SIZE, GAN_SIZE, 3)
    icon = panel.list.item(0).icon().availableSizes()[0]
    assert icon.width() >= 96  # 16 px samples are enlarged to judge them

    _sample(qtbot, window, "tiny-gan", 6, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(first, panel.result.images, strict=True))
    _sample(qtbot, window, "tiny-gan", 6, seed=4)
    assert not np.array_equal(first[0], panel.result.images[0])
    assert len(window.gallery.results()) == 3  # each run is kept in the gallery too


def test_open_place_and_save_one_sample(qtbot, window, tmp_path, monkeypatch):
    _sample(qtbot, window, "tiny-gan", 4, seed=1)
    panel = window.samples
    sample = panel.result.images[2].copy()

    window.document.mask[100:200, 300:400] = 255
    panel.list.setCurrentRow(2)
    panel.place_button.click()
    assert window.canvas.staged
    before = window.document.image.copy()
    window.staging.feather.setValue(0)
    window.staging.accept_button.click()
    changed = np.any(window.document.image != before, axis=-1)
    assert changed[150, 350] and not changed[50, 50] and not changed[150, 250]
    assert window.document.metadata["index"] == 2 and window.document.metadata["model"] == "tiny-gan"

    target = tmp_path / "one.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    panel.save_button.click()
    saved = load_image(target)
    np.testing.assert_array_equal(saved.rgba[..., :3], sample)
    assert saved.metadata["seed"] == 1 and saved.metadata["index"] == 2

    window.document.modified = False
    panel.open_button.click()
    assert window.document.size == (GAN_SIZE, GAN_SIZE) and window.document.modified
    np.testing.assert_array_equal(window.document.rgb(), sample)


def test_placing_without_a_mask_explains(qtbot, window, messages):
    _sample(qtbot, window, "tiny-gan", 2, seed=0)
    window.samples.place_button.click()
    assert not window.canvas.staged
    assert any("mask is empty" in text for _kind, text in messages)


def test_pixelcnn_sampling_shows_the_image_growing(qtbot, window):
    previews: list[int] = []
    window.jobs.service.job_preview.connect(lambda _job, _image: previews.append(1))
    _sample(qtbot, window, "tiny-pixelcnn", 3, seed=0)
    assert len(previews) >= 8  # one preview per row of the 8x8 sample
    assert window.samples.list.count() == 3 and window.samples.current_index() == 0


def test_an_interpolation_saves_as_an_animation(qtbot, window, tmp_path, monkeypatch):
    assert window.picker.select("tiny-gan", "interpolate")
    window.params.set_values({"frames": 5})
    window.run_button.click()
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=TIMEOUT_MS)
    panel = window.samples
    assert panel.list.count() == 5 and panel.animation_button.isEnabled()
    target = tmp_path / "walk.gif"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    panel.animation_button.click()
    with Image.open(target) as gif:
        assert gif.n_frames == 8 and gif.size[0] >= 256  # forward and back; enlarged from 16 px


def test_the_likelihood_of_the_canvas_is_shown_not_staged(qtbot, window):
    assert window.picker.select("tiny-pixelcnn", "likelihood")
    seen: list[str] = []
    click_when_shown(RUN_ANYWAY, seen)  # an 8 px model on a 512 px photo: the window asks first
    window.run_button.click()
    assert seen
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=TIMEOUT_MS)
    assert not window.canvas.staged  # a reading of the image, not an edit of it
    caption = window.samples.caption.text()
    assert "bits/dim at 8 px" in caption and "most likely class:" in caption
    assert "bits/dim" in window.statusBar().currentMessage()


def test_a_vae_interpolation_from_the_canvas_to_a_picture_file(qtbot, window, tmp_path):
    install_untrained("vae", paths.user_models_dir(), "tiny-vae")
    window.model_folder.reload()  # the models folder changed: list it again
    qtbot.waitUntil(lambda: "tiny-vae" in {m.id for m in window.picker.models()}, timeout=TIMEOUT_MS)
    canvas = np.random.default_rng(0).integers(0, 256, (VAE_SIZE, VAE_SIZE, 3), dtype=np.uint8)
    rgba = np.dstack([canvas, np.full(canvas.shape[:2], 255, np.uint8)])
    window.set_loaded(LoadedImage(rgba, "RGB", "PNG", (VAE_SIZE, VAE_SIZE), {}, []), None)
    end = tmp_path / "end.png"
    Image.fromarray(255 - canvas).save(end)
    assert window.picker.select("tiny-vae", "interpolate")
    params = {"start": "canvas", "end": "file", "end_image": str(end), "frames": 4}
    assert window.params.set_values(params) == []
    seen: list[str] = []
    click_when_shown(RUN_ANYWAY, seen)  # the tiny VAE does not fit a colour picture: it asks first
    window.run_button.click()
    assert seen
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=TIMEOUT_MS)
    result = window.samples.result
    assert result.request.image is not None and np.array_equal(result.request.image, canvas)  # sent
    assert result.request.params["end_image"] == str(end)
    # frames of the canvas's size are choices in the samples panel, not an edit staged on the canvas
    assert window.samples.list.count() == 4 and not window.canvas.staged
    window.params.set_values({"start": "seed", "end": "seed"})  # the canvas unused: not copied
    window.run_button.click()
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=TIMEOUT_MS)
    assert window.samples.result.request.image is None
