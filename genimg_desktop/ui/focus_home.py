"""Keyboard focus goes home to the canvas when the widget that held it goes away.

When the focused widget is disabled or hidden (the Run button while a job runs, the staging bar's
Accept once the result is in), Qt hands focus to the next widget in the tab chain, which in this
window is the gallery's search box: the canvas' single-key shortcuts (B, E, R, L, M, [, ]) then
typed into it and filtered the gallery to nothing. A text field gets the keys only when the artist
clicks or tabs into it; focus that merely falls off a vanishing widget lands on the canvas.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QWidget


class FocusHome(QObject):
    """Sends focus to `home` whenever focus leaves a widget of `home`'s window because that widget
    was disabled or hidden (a click or Tab away from a live widget is left alone)."""

    def __init__(self, home: QWidget) -> None:
        super().__init__(home)  # goes with its home, and with it the connection below
        self.home = home
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if old is None or new is self.home or not shiboken6.isValid(self.home):
            return
        if old.window() is not self.home.window():
            return
        if not (old.isEnabled() and old.isVisible()) and self.home.isVisible():
            self.home.setFocus(Qt.FocusReason.OtherFocusReason)
