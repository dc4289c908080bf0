"""Progress texts and a cancelled sample (issue 23): the bar never says "Done 0%" while the window
takes in a result; a long label is cut to one line (the whole text in its tooltip); a cancelled
PixelCNN sample leaves no "Generating…" tile behind."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFontMetrics

from genimg_desktop.core import paths
from genimg_desktop.core.imageio import LoadedImage
from genimg_desktop.ui.main_window import MainWindow
from tests.support.tiny_models import install_untrained

TIMEOUT_MS = 60_000


class PaintLog(QObject):
    """What a progress bar showed each time it was painted."""

    def __init__(self, bar) -> None:
        super().__init__(bar)
        self.bar, self.seen = bar, []
        bar.installEventFilter(self)

    def eventFilter(self, watched, event):  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint:
            self.seen.append((self.bar.value(), self.bar.text()))
        return False


@pytest.fixture
def window(qtbot, messages):
    install_untrained("pixelcnn", paths.user_models_dir(), "tiny-pixelcnn")
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.start_engine()
    qtbot.waitUntil(lambda: "tiny-pixelcnn" in {m.id for m in win.picker.models()}, timeout=TIMEOUT_MS)
    yield win
    win.document.modified = False
    win.close()


def test_a_finished_inpaint_never_paints_done_at_0_percent(qtbot, window, photo_rgb):
    big = np.tile(photo_rgb, (4, 4, 1))  # 2048x2048: taking the result in takes a moment
    window.set_loaded(
        LoadedImage(
            np.dstack([big, np.full(big.shape[:2], 255, np.uint8)]), "RGB", "PNG", (2048, 2048), {}, []
        ),
        None,
    )
    window.document.mask[100:1900, 100:1900] = 255
    assert window.picker.select("opencv-telea", "inpaint")
    log = PaintLog(window.status.progress)
    with qtbot.waitSignal(window.jobs.service.job_finished, timeout=TIMEOUT_MS):
        window.run_button.click()
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=TIMEOUT_MS)
    qtbot.wait(50)
    assert log.seen, "the bar was painted"
    painted = [text for _value, text in log.seen]
    assert "Done 0%" not in painted and painted[-1].startswith("done in"), painted


def test_a_long_progress_label_is_cut_to_one_line_and_told_in_full_in_its_tooltip(window):
    bar = window.status.progress
    message = "Inpainting (Navier-Stokes, OpenCV's fluid-dynamics method): hole 12 of 31"
    window.status.set_progress(0.25, message)
    assert "\n" not in bar.text() and bar.text().endswith("25%")
    assert QFontMetrics(bar.font()).horizontalAdvance(bar.text()) <= bar.contentsRect().width()
    assert message in bar.toolTip()


def test_cancelling_a_pixelcnn_sample_leaves_no_generating_tile(qtbot, window):
    assert window.picker.select("tiny-pixelcnn", "sample")
    window.params.set_values({"count": 16})
    cancelled = []

    def cancel_once(_image, _mask) -> None:
        if not cancelled:
            cancelled.append(True)
            window.jobs.cancel()

    window.jobs.preview.connect(cancel_once)
    with qtbot.waitSignal(window.jobs.service.job_cancelled, timeout=TIMEOUT_MS):
        window.run_button.click()
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=TIMEOUT_MS)
    panel = window.samples
    assert cancelled and "Generating" not in panel.caption.text()
    assert panel.list.count() == 0 and "ancelled" in panel.caption.text()
