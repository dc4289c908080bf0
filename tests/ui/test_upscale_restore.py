"""Image > Upscale, Filter > Denoise / Restore and the samples panel's Upscale through the real window:
real keys and mouse, the jobs on the engine's worker, the shipped upscalers, restorer and emoji GAN, and
tiny real networks installed in the user's models folder (fast upscalers for the cancel tests)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from genimg_desktop.core import paths
from genimg_desktop.core.image_quality import psnr
from genimg_desktop.core.imageio import LoadedImage
from genimg_desktop.core.upscale import resize_mask
from genimg_desktop.ui.main_window import MainWindow
from genimg_desktop.ui.restore_filter import RestoreDialog
from genimg_desktop.ui.sample_upscale import SampleUpscaleDialog
from genimg_desktop.ui.upscale_dialog import UpscaleDialog
from tests.support import tiny_restore
from tests.ui.mouse import drag, send_mouse

TIMEOUT_MS = 60_000
CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
LEFT = Qt.MouseButton.LeftButton


def _rgba(photo_rgb: np.ndarray, height: int, width: int) -> np.ndarray:
    rgba = np.dstack([photo_rgb[:height, :width], np.full((height, width), 255, np.uint8)])
    rgba[:, : width // 4, 3] = 0  # a transparent strip on the left: alpha must survive
    return rgba


@pytest.fixture
def win(qtbot, monkeypatch, photo_rgb):
    tiny_restore.register(monkeypatch)
    tiny_restore.install_all(paths.user_models_dir())
    window = MainWindow()
    window.show()
    qtbot.waitExposed(window)
    window.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.start_engine()
    qtbot.waitUntil(lambda: any(m.id == "tiny-blind" for m in window.model.models), timeout=TIMEOUT_MS)
    rgba = _rgba(photo_rgb, 90, 120)
    window.set_loaded(LoadedImage(rgba, "RGBA", "PNG", (120, 90), {}, []), None)
    window.canvas.setFocus()
    yield window
    window.document.modified = False  # no "save changes?" question when the test closes it
    window.close()
    window.deleteLater()


def _activate(qtbot, win) -> None:
    """The window active again (a closed dialog leaves none active offscreen): keys reach its shortcuts."""
    win.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    win.canvas.setFocus()


def _ok(qtbot, dialog) -> None:
    button = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(button, LEFT)


def _upscale_dialog(qtbot, win) -> UpscaleDialog:
    qtbot.keyClick(win.canvas, Qt.Key.Key_U, CTRL_ALT)  # Image > Upscale… (Ctrl+Alt+U)
    dialog = win.findChild(UpscaleDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def _choose(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


def test_upscale_x3_opens_a_new_picture_with_alpha_kept(qtbot, win):
    before = win.document.image.copy()
    dialog = _upscale_dialog(qtbot, win)
    _choose(dialog.model, "waifu2x-upconv7-photo-x2")  # shipped: x2 run twice, then shrunk to x3
    _choose(dialog.factor_box, 3.0)
    assert dialog.result_size.text() == "360 x 270 px"
    _ok(qtbot, dialog)
    qtbot.waitUntil(lambda: win.document.size == (360, 270), timeout=TIMEOUT_MS)
    image = win.document.image
    assert (image[:, :80, 3] == 0).all() and (image[:, 100:, 3] == 255).all()  # Lanczos reach: 3 px
    # The same picture, larger: each 3x3 block's centre is close to its source pixel.
    assert np.abs(image[1::3, 1::3, :3].astype(int)[:, 40:] - before[:, 40:, :3]).mean() < 12
    assert "x3" in win.windowTitle() and win.document.modified
    assert not win.undo_stack.canUndo()  # a new picture, not an edit of the old one


def test_upscale_to_a_size_replacing_the_picture_is_one_undo_step(qtbot, win):
    before = win.document.image.copy()
    drag(win.canvas, [(60, 40), (70, 45)])  # a mask stroke: it is scaled with the picture
    mask_before = win.document.mask.copy()
    dialog = _upscale_dialog(qtbot, win)
    _choose(dialog.model, "realesr-animevideov3-x4")  # shipped
    _choose(dialog.factor_box, 0.0)  # To a size…
    dialog.width_spin.setValue(300)
    assert dialog.height_spin.value() == 225  # the aspect ratio kept
    qtbot.mouseClick(dialog.replace, LEFT)
    _ok(qtbot, dialog)
    qtbot.waitUntil(lambda: win.document.size == (300, 225), timeout=TIMEOUT_MS)
    assert np.array_equal(win.document.mask, resize_mask(mask_before, (300, 225)))
    assert "Upscale" in win.undo_stack.undoText()
    _activate(qtbot, win)  # back from the dialog
    qtbot.keyClick(win.canvas, Qt.Key.Key_Z, CTRL)
    assert np.array_equal(win.document.image, before) and np.array_equal(win.document.mask, mask_before)
    qtbot.keyClick(win.canvas, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert win.document.size == (300, 225)


def test_upscale_shows_progress_and_esc_cancels_leaving_the_picture(qtbot, win, photo_rgb):
    big = np.tile(photo_rgb, (3, 3, 1))  # 1536 x 1536: x4 runs many tiles
    rgba = np.dstack([big, np.full(big.shape[:2], 255, np.uint8)])
    win.set_loaded(LoadedImage(rgba, "RGBA", "PNG", (1536, 1536), {}, []), None)
    win.canvas.setFocus()
    dialog = _upscale_dialog(qtbot, win)
    _choose(dialog.model, "tiny-up-x4")
    _choose(dialog.factor_box, 4.0)
    qtbot.mouseClick(dialog.replace, LEFT)
    _ok(qtbot, dialog)
    qtbot.waitUntil(lambda: win.status.progress.value() > 0, timeout=TIMEOUT_MS)  # tiles reported
    _activate(qtbot, win)
    assert "tile" in win.status.progress.toolTip()
    qtbot.keyClick(win.canvas, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not win.model.busy, timeout=TIMEOUT_MS)
    assert win.document.size == (1536, 1536) and np.array_equal(win.document.image, rgba)
    assert not win.undo_stack.canUndo()


def test_denoise_through_the_mask_compares_split_and_accepts_one_step(qtbot, win):
    clean = win.document.image.copy()
    noisy = clean.copy()
    noise = np.random.default_rng(0).normal(0, 30, noisy[..., :3].shape)
    noisy[..., :3] = np.clip(noisy[..., :3] + noise, 0, 255).astype(np.uint8)
    win.set_loaded(LoadedImage(noisy.copy(), "RGBA", "PNG", (120, 90), {}, []), None)
    win.canvas.setFocus()
    drag(win.canvas, [(50, 30), (90, 30), (90, 60), (50, 60)])
    mask = win.document.mask.copy()
    qtbot.keyClick(win.canvas, Qt.Key.Key_D, CTRL_ALT)  # Filter > Denoise / Restore…
    dialog = win.findChild(RestoreDialog)
    assert dialog is not None
    _choose(dialog.model, "restore-photo")  # shipped
    _ok(qtbot, dialog)
    qtbot.waitUntil(lambda: win.canvas.staged, timeout=TIMEOUT_MS)
    _activate(qtbot, win)
    assert np.array_equal(win.document.image, noisy)  # nothing changes before Accept
    # Split: the line starts in the view and follows the mouse.
    qtbot.mouseClick(win.staging.split, LEFT)
    assert win.canvas.split_x is not None
    none = Qt.MouseButton.NoButton
    send_mouse(win.canvas, QEvent.Type.MouseMove, (70, 40), none, none, Qt.KeyboardModifier.NoModifier)
    assert win.canvas.split_x == pytest.approx(70, abs=1)
    qtbot.keyClick(win.canvas, Qt.Key.Key_U, CTRL_ALT)  # no upscaling over a staged result
    assert "accept or discard" in win.statusBar().currentMessage()
    qtbot.mouseClick(win.staging.feather, LEFT)
    win.staging.feather.setValue(0)
    qtbot.mouseClick(win.staging.accept_button, LEFT)
    image = win.document.image
    assert np.array_equal(image[mask == 0], noisy[mask == 0])
    inside, before = image[mask == 255][:, :3], noisy[mask == 255][:, :3]
    truth = clean[mask == 255][:, :3]
    assert psnr(truth, inside) > psnr(truth, before) + 6  # cleaned where painted (18.9 -> 32.0 dB)
    qtbot.keyClick(win.canvas, Qt.Key.Key_Z, CTRL)
    assert np.array_equal(win.document.image, noisy)


def test_an_emoji_sample_upscaled_to_256_px_is_placed_into_the_mask(qtbot, win):
    assert win.picker.select("gan-emoji-64", "sample")
    win.params.set_values({"count": 4})
    win.params.seed.set_fixed(5)
    qtbot.mouseClick(win.run_button, LEFT)
    qtbot.waitUntil(lambda: win.samples.result is not None and not win.jobs.busy, timeout=TIMEOUT_MS)
    panel = win.samples
    panel.list.setCurrentRow(1)
    qtbot.mouseClick(panel.upscale_button, LEFT)
    dialog = win.findChild(SampleUpscaleDialog)
    assert dialog is not None and dialog.side.value() == 256  # a 64 px sample: 256 px by default
    _choose(dialog.model, "realesr-animevideov3-x4")
    _ok(qtbot, dialog)
    qtbot.waitUntil(lambda: panel.result.images[0].shape == (256, 256, 3), timeout=TIMEOUT_MS)
    assert panel.result.info["upscaled_with"] == "realesr-animevideov3-x4" and panel.current_index() == 0
    _activate(qtbot, win)
    drag(win.canvas, [(40, 30), (80, 30), (80, 60), (40, 60)])
    qtbot.mouseClick(panel.place_button, LEFT)
    assert win.canvas.staged


def test_a_picture_opened_while_upscaling_is_not_replaced(qtbot, win, photo_rgb):
    dialog = _upscale_dialog(qtbot, win)
    _choose(dialog.model, "tiny-up-x2")
    qtbot.mouseClick(dialog.replace, LEFT)
    _ok(qtbot, dialog)
    other = _rgba(photo_rgb[200:], 50, 70)  # opened before the result comes back
    win.set_loaded(LoadedImage(other, "RGBA", "PNG", (70, 50), {}, []), None)
    qtbot.waitUntil(lambda: not win.model.busy, timeout=TIMEOUT_MS)
    assert np.array_equal(win.document.image, other) and not win.undo_stack.canUndo()
    assert win.samples.result.images[0].shape == (180, 240, 3)  # the result waits there
