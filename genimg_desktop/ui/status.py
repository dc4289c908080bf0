"""Status bar: device, job progress with Cancel, zoom and cursor position."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar, QWidget


class StatusBar(QStatusBar):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.device = QLabel("Device: starting…")
        self.position = QLabel("")
        self.zoom = QLabel("")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(220)
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
        if not busy:
            self.progress.setValue(0)
        self.progress.setFormat(text or ("working… %p%" if busy else "idle"))

    def set_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        self.progress.setFormat(f"{message} %p%" if message else "%p%")

    def set_zoom(self, zoom: float) -> None:
        self.zoom.setText(f"{zoom * 100:.0f}%")

    def set_position(self, x: int, y: int) -> None:
        self.position.setText(f"{x}, {y}")
