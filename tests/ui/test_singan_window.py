"""A multi-scale picture model ("singan" family) in the real window: trained on a picture by the real
loop into the user's models folder, listed, its New versions drawn at a wide aspect ratio with a
click on Run, and one opened as a picture of exactly that size; Variations keep the layout."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt

from genimg_desktop.core import paths
from genimg_desktop.engine.training.family_trainer import TrainConfig
from genimg_desktop.engine.training.loop import train
from tests.ui.shipped_window import TIMEOUT_MS, shipped_window

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def window(qtbot, tmp_path, photo_rgb):
    folder = tmp_path / "picture"
    folder.mkdir()
    Image.fromarray(photo_rgb[100:228, 180:308]).save(folder / "one.png")
    settings = {"scales": 3, "min_side": 8, "width": 6, "layers": 3, "coarse_repeats": 2}
    config = TrainConfig(
        family="singan", data=str(folder), size=32, out=tmp_path / "run", steps=3, batch_size=1, lr=5e-4,
        sample_every=0, model_id="tiny-singan", name="Tiny picture", extra=settings, device="cpu",
        models_dir=paths.user_models_dir(),
    )  # fmt: skip
    train(config)
    windows = shipped_window(qtbot)
    win = next(windows)
    qtbot.waitUntil(lambda: "tiny-singan" in {m.id for m in win.picker.models()}, timeout=TIMEOUT_MS)
    yield win
    next(windows, None)  # closes it


def run_task(qtbot, win, task: str, **params) -> list[np.ndarray]:
    assert win.picker.select("tiny-singan", task)
    win.params.set_values(params)
    win.params.seed.set_fixed(3)
    qtbot.mouseClick(win.run_button, LEFT)
    qtbot.waitUntil(lambda: not win.model.busy, timeout=TIMEOUT_MS)
    return [image.copy() for image in win.samples.result.images]


def test_new_versions_at_any_aspect_open_at_their_size_and_variations_keep_the_layout(qtbot, window):
    win = window
    wide = run_task(qtbot, win, "sample", width=96, height=48, count=2)
    assert [im.shape for im in wide] == [(48, 96, 3)] * 2 and not np.array_equal(wide[0], wide[1])
    win.samples.list.setCurrentRow(1)
    qtbot.mouseClick(win.samples.open_button, LEFT)
    assert win.document.size == (96, 48) and np.array_equal(win.document.rgb(), wide[1])
    kept = run_task(qtbot, win, "variations", width=32, height=32, count=3, keep=2)
    assert len(kept) == 3 and all(im.shape == (32, 32, 3) for im in kept)
