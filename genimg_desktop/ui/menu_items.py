"""One menu entry: an action with its text, slot and shortcut, parented to the window (shared by the
modules that build the window's menus)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget


class HasWindow(Protocol):
    def window(self) -> QWidget: ...


def add_action(
    menu: QMenu,
    host: HasWindow,
    text: str,
    slot: Callable[[], object],
    shortcut: str | QKeySequence | QKeySequence.StandardKey | None = None,
) -> QAction:
    action = QAction(text, host.window())
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(lambda _checked=False: slot())
    menu.addAction(action)
    return action
