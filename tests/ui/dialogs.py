"""Answer a modal QMessageBox the way an artist would: click its button by label (shared by UI tests)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox


def click_when_shown(button_text: str, seen: list[str], attempts: int = 6000) -> None:
    """Once a modal message box is up (polled every 20 ms, up to `attempts` times: two minutes, since
    on a loaded machine the box may come late and a box nobody answers hangs the test), record its
    text and click the button labelled `button_text`."""

    def poll(left: int) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            for button in box.buttons():
                if button.text() == button_text:
                    button.click()
                    return
            raise AssertionError(f"no button {button_text!r} in {[b.text() for b in box.buttons()]}")
        if left:
            QTimer.singleShot(20, lambda: poll(left - 1))

    QTimer.singleShot(0, lambda: poll(attempts))
