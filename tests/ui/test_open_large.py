"""Opening big pictures in the real window (issue 23 pt 2): the window stays live while a file loads,
Cancel leaves the open document alone, work changed meanwhile is asked about again, and a picture
over the size limits says which limit it passed and can be opened scaled down to fit."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtWidgets import QMessageBox
from skimage import data

from genimg_desktop.ui import file_ops
from genimg_desktop.ui.main_window import MainWindow
from tests.ui.dialogs import click_when_shown
from tests.ui.opening import wait_for_open

BIG = 11_000  # the newcomer's 121-megapixel JPEG: 8-24 s of frozen window before


@pytest.fixture(scope="module")
def big_jpeg(tmp_path_factory) -> Path:
    """A real photo (scikit-image's astronaut) upscaled to 11000 x 11000, as a JPEG."""
    path = tmp_path_factory.mktemp("big") / "astronaut-11000.jpg"
    Image.fromarray(data.astronaut()).resize((BIG, BIG), Image.Resampling.BILINEAR).save(path, quality=90)
    return path


@pytest.fixture
def win(qtbot):
    window = MainWindow()  # not qtbot.addWidget: it would close the window before the line below
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.document.modified = False  # a picture opened scaled down is unsaved work
    window.close()
    window.deleteLater()


def test_a_big_open_keeps_the_window_live_and_cancel_changes_nothing(win, big_jpeg, messages):
    before, pixels, title = win.document, win.document.image.copy(), win.windowTitle()
    brush = win.canvas.brush_size
    during: list[tuple[float, bool, float]] = []  # progress shown, bar visible, brush size then

    def step(fraction: float) -> None:
        if fraction > 0 and not during:  # from the worker, through the event loop: the window is live
            win.acts["larger"].trigger()  # a menu action lands now, not after the load
            during.append((fraction, win.open_progress.isVisible(), win.canvas.brush_size))
            win.open_progress.cancel.click()  # the status bar's Cancel

    win.model.open_progress.connect(step)
    assert file_ops.open_path(win, big_jpeg)
    assert win.model.opening == big_jpeg  # open_path returned at once: the file loads on a worker
    wait_for_open(win)
    assert during and during[0][1] and during[0][2] > brush
    assert win.document is before and np.array_equal(win.document.image, pixels)
    assert win.windowTitle() == title and not win.open_progress.isVisible()
    assert "cancelled" in win.statusBar().currentMessage() and not messages
    win.opener.shutdown()  # the decode stopped at its next read of the file: the thread ends


def test_the_big_photo_opens_with_progress(win, big_jpeg, messages):
    shown: list[tuple[float, bool]] = []
    win.model.open_progress.connect(lambda f: shown.append((f, win.model.opening is not None)))
    assert file_ops.open_path(win, big_jpeg)
    wait_for_open(win)
    assert win.document.path == big_jpeg and win.document.size == (BIG, BIG) and not messages
    fractions = [f for f, opening in shown if opening]
    assert len(fractions) > 10 and fractions == sorted(fractions) and fractions[-1] == 1.0
    assert f"({BIG}×{BIG})" in win.windowTitle()


def test_work_changed_while_the_file_loads_is_asked_about_again(win, photo_rgb, tmp_path, monkeypatch):
    path = tmp_path / "photo.jpg"
    Image.fromarray(photo_rgb).save(path)
    before = win.document
    asked: list[str] = []

    def answer(parent, title, text, *args):
        asked.append(text)
        return QMessageBox.StandardButton.Cancel  # keep my work

    monkeypatch.setattr(QMessageBox, "question", answer)

    def paint(fraction: float) -> None:
        if fraction > 0 and not before.modified:  # an edit of the pixels while the file loads
            before.image[:20, :20, :3] = 0
            before.notify("image", None)

    win.model.open_progress.connect(paint)
    assert file_ops.open_path(win, path)  # nothing unsaved yet: no question
    assert not asked
    wait_for_open(win)
    assert len(asked) == 1 and "unsaved" in asked[0]
    assert win.document is before and before.modified and (before.image[:20, :20, :3] == 0).all()
    assert "was not opened" in win.statusBar().currentMessage()


def test_too_wide_says_so_and_opens_scaled_down_to_fit(win, photo_rgb, tmp_path, messages):
    path = tmp_path / "panorama.jpg"
    Image.fromarray(photo_rgb).resize((16385, 64)).save(path)  # one pixel over the limit per side
    seen: list[str] = []
    click_when_shown("Open scaled down to fit", seen)
    assert file_ops.open_path(win, path)
    wait_for_open(win)
    assert len(seen) == 1 and "16385 x 64 pixels" in seen[0] and "more than 16384 pixels per side" in seen[0]
    assert "and more than" not in seen[0] and not messages  # only the side limit was passed
    doc = win.document
    assert doc.size == (16384, 63) and doc.path is None and doc.modified  # Save never replaces it
    assert "panorama.jpg scaled down*" in win.windowTitle() and "(16384×63)" in win.windowTitle()
    assert "scaled down from 16385 x 64" in win.statusBar().currentMessage()
    assert abs(float(doc.image[..., :3].mean()) - float(photo_rgb.mean())) < 8  # the same picture


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 4))
        + chunk(b"IEND", b"")
    )


def test_too_many_megapixels_says_so_and_cancel_keeps_the_document(win, tmp_path, messages):
    path = tmp_path / "huge.png"
    path.write_bytes(_png_header_only(12000, 12000))  # refused from its header, never decoded
    before = win.document
    seen: list[str] = []
    click_when_shown("Cancel", seen)
    assert file_ops.open_path(win, path)
    wait_for_open(win)
    assert len(seen) == 1 and "12000 x 12000 pixels (144 megapixels)" in seen[0]
    assert "more than 134 megapixels in all" in seen[0] and "more than 16384" not in seen[0]
    assert win.document is before and win.model.opening is None and not messages
