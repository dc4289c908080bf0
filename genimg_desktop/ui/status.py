"""Status bar: device, job progress with Cancel, zoom and cursor position."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar, QWidget

PROGRESS_WIDTH = 220  # fixed: the bar must not change the status bar's layout with its text
TEXT_PADDING = 12  # pixels the style keeps around the bar's text


class StatusBar(QStatusBar):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.device = QLabel("Device: starting…")
        self.position = QLabel("")
        self.zoom = QLabel("")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFixedWidth(PROGRESS_WIDTH)
        self.progress.setTextVisible(True)
        self.progress.setFormat("idle")
        self.progress.setValue(0)
        self.cancel = QPushButton("Cancel")
        self.cancel.setEnabled(False)
        self.cancel.setToolTip("Stop the running job (Esc)")
        self.cancel.clicked.connect(self.cancel_requested)
        for widget in (self.position, self.zoom, self.device, self.progress, self.cancel):
            self.addPermanentWidget(widget)

    def set_device(self, label: str) -> None:
        self.device.setText(f"Device: {label}")

    def set_busy(self, busy: bool, text: str = "") -> None:
        self.cancel.setEnabled(busy)
        # The text before the value: setValue repaints at once, so the other order painted the old
        # text at the new value ("Done 0%") while the window took in a big result.
        self._show(text or ("working… %p%" if busy else "idle"))
        if not busy:
            self.progress.setValue(0)

    def set_progress(self, fraction: float, message: str) -> None:
        self._show(f"{message} %p%" if message else "%p%")
        self.progress.setValue(int(fraction * 1000))

    def _show(self, text: str) -> None:
        """`text` (a QProgressBar format) on one line, cut with "…" where it is too long for the bar;
        the whole of it in the tooltip."""
        percent = " 100%" if text.endswith(" %p%") else ""
        words = text.removesuffix(" %p%") if percent else text
        metrics = QFontMetrics(self.progress.font())
        room = self.progress.width() - TEXT_PADDING - metrics.horizontalAdvance(percent)
        shown = metrics.elidedText(words, Qt.TextElideMode.ElideRight, max(room, 0))
        self.progress.setFormat(shown + (" %p%" if percent else ""))
        self.progress.setToolTip(words.replace("%p%", "").strip())

    def set_zoom(self, zoom: float) -> None:
        self.zoom.setText(f"{zoom * 100:.0f}%")

    def set_position(self, x: int, y: int) -> None:
        self.position.setText(f"{x}, {y}")
