"""The gallery keeps every result across sessions: on disk, searchable, reusable, restageable."""

from __future__ import annotations

import numpy as np
import pytest

from genimg_desktop.core.history import History, HistoryEntry
from genimg_desktop.core.imageio import LoadedImage
from genimg_desktop.core.request import GenerationRequest, GenerationResult
from genimg_desktop.ui.gallery import Gallery
from genimg_desktop.ui.main_window import MainWindow


def _window(qtbot, photo_rgb) -> MainWindow:
    win = MainWindow()
    qtbot.addWidget(win)
    rgba = np.dstack([photo_rgb, np.full(photo_rgb.shape[:2], 255, np.uint8)])
    win.set_loaded(LoadedImage(rgba, "RGB", "PNG", (512, 512), {}, []), None)
    win.gallery.load_history()  # what start_engine does once the window is up
    return win


def _results(photo_rgb):
    mask = np.zeros(photo_rgb.shape[:2], np.uint8)
    mask[100:160, 200:300] = 255
    edit = GenerationResult(
        GenerationRequest("opencv-telea", "inpaint", {"radius": 9}, 4, photo_rgb, mask), [255 - photo_rgb]
    )
    samples = [np.full((28, 28, 3), v, np.uint8) for v in (10, 20, 30)]
    grid = GenerationResult(GenerationRequest("gan-x", "sample", {"class": "Bag", "count": 3}, 7), samples)
    return edit, grid


@pytest.fixture
def earlier_session(qtbot, photo_rgb):
    win = _window(qtbot, photo_rgb)
    for result in _results(photo_rgb):
        win.gallery.add_result(result)
    win.document.modified = False
    win.close()  # waits for the history writes
    return History()


def test_results_come_back_in_the_next_session(qtbot, photo_rgb, earlier_session):
    entries = earlier_session.entries()
    assert [e.meta["model"] for e in entries] == ["opencv-telea", "gan-x"]
    assert entries[0].meta["box"] == [200, 100, 100, 60]  # only the edited box is kept on disk
    win = _window(qtbot, photo_rgb)
    assert win.gallery.list.count() == 2

    win.gallery.list.setCurrentRow(1)
    grid = win.gallery.current_result()
    assert grid.request.params == {"class": "Bag", "count": 3} and len(grid.images) == 3
    win.gallery.reuse_button.click()  # models are not listed yet: restored once they are
    assert win._pending_restore["params"] == {"class": "Bag", "count": 3}

    win.gallery.list.setCurrentRow(0)
    win.gallery.stage_button.click()  # the edit is rebuilt over the same-size canvas and staged
    assert win.canvas.staged
    before = win.document.image.copy()
    win.staging.feather.setValue(0)
    win.staging.accept_button.click()
    changed = np.any(win.document.image != before, axis=-1)
    assert changed[130, 250] and not changed[50, 50]
    np.testing.assert_array_equal(win.document.rgb()[130, 250], 255 - photo_rgb[130, 250])
    win.document.modified = False


def test_search_filters_by_model_and_parameters(qtbot, photo_rgb, earlier_session):
    win = _window(qtbot, photo_rgb)
    gallery = win.gallery

    def shown():
        return [
            gallery.list.item(r).text()
            for r in range(gallery.list.count())
            if not gallery.list.item(r).isHidden()
        ]

    gallery.search.setText("gan")
    assert shown() == ["#2 gan-x"]
    gallery.search.setText("radius=9")
    assert shown() == ["#1 opencv-telea"]
    gallery.search.setText("seed=7 class=bag")
    assert shown() == ["#2 gan-x"]
    gallery.search.setText("")
    assert len(shown()) == 2


def test_a_damaged_entry_is_skipped(qtbot, photo_rgb, earlier_session):
    first = earlier_session.entries()[0]
    first.thumb.write_bytes(b"not a png")
    win = _window(qtbot, photo_rgb)
    assert win.gallery.list.count() == 1


def test_the_history_keeps_at_most_max_entries(tmp_path):
    history = History(tmp_path / "h", max_entries=3)
    for seed in range(5):
        history.add(
            GenerationResult(GenerationRequest("m", "sample", {}, seed), [np.zeros((4, 4, 3), np.uint8)])
        )
    assert [e.meta["seed"] for e in history.entries()] == [2, 3, 4]


def test_a_large_result_is_kept_on_disk_not_in_memory(qtbot, tmp_path, photo_rgb, request):
    """An x4 of a 12 MP photo is 192 MP: the gallery keeps such a result on disk once the history
    holds it and reads it back when used; edits (staged over the canvas) and RGBA stay in memory."""
    gallery = Gallery(history=History(tmp_path / "history"))
    qtbot.addWidget(gallery)
    request.addfinalizer(gallery.shutdown)  # its history writer thread
    gallery.on_disk_pixels = 256 * 256  # 4 MP in the app
    upscale = GenerationResult(
        GenerationRequest("upscale-photo-x4", "upscale", {"scale": 4}, 0, photo_rgb[:64, :64]),
        [photo_rgb[:256, :256].copy()],
    )
    edit = GenerationResult(GenerationRequest("opencv-telea", "inpaint", {}, 0, photo_rgb), [255 - photo_rgb])
    rgba = np.dstack([photo_rgb, np.full(photo_rgb.shape[:2], 128, np.uint8)])
    with_alpha = GenerationResult(
        GenerationRequest("upscale-photo-x2", "upscale", {}, 0, rgba[:256, :256]), [rgba]
    )
    for result in (upscale, edit, with_alpha):
        gallery.add_result(result)
    gallery.flush()
    qtbot.waitUntil(lambda: isinstance(gallery.results()[0], HistoryEntry))
    assert gallery.results()[1:] == [edit, with_alpha]
    gallery.list.setCurrentRow(0)
    back = gallery.current_result()
    assert back is not None and back.request.model_id == "upscale-photo-x4"
    np.testing.assert_array_equal(back.images[0], upscale.images[0])
