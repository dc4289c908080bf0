"""Image > Extend canvas and fill as an artist reaches it: the Image menu opened and the command
picked with the mouse, the pixels typed on the keyboard, OK and Accept clicked; the photo default
(core/photo_fill.py) fills the border on the engine's worker."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMenu
from skimage import data

from genimg_desktop.core.photo_fill import PHOTO_FILLS
from genimg_desktop.ui.extend_dialog import ExtendDialog
from tests.ui.photo_window import photo_window

TIMEOUT_MS = 60_000
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def win(qtbot):
    rgb = np.ascontiguousarray(data.coffee()[::2, ::2])  # 300 x 200: a short fill
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    windows = photo_window(qtbot, rgba)
    window = next(windows)
    window.start_engine()
    qtbot.waitUntil(lambda: PHOTO_FILLS[0] in {m.id for m in window.model.models}, timeout=TIMEOUT_MS)
    yield window
    next(windows, None)  # closes it


def click_menu(qtbot, win, menu_title: str, item: str) -> None:
    """Click `menu_title` in the menu bar, then `item` in the menu that opens."""
    bar = win.menuBar()
    (title,) = [a for a in bar.actions() if a.text().replace("&", "") == menu_title]
    qtbot.mouseClick(bar, LEFT, pos=bar.actionGeometry(title).center())
    menu = title.menu()
    qtbot.waitUntil(menu.isVisible)
    (action,) = [a for a in menu.actions() if a.text().replace("&", "") == item]
    qtbot.mouseClick(menu, LEFT, pos=menu.actionGeometry(action).center())
    qtbot.waitUntil(lambda: not menu.isVisible())


def type_into(qtbot, spin, text: str) -> None:
    qtbot.mouseClick(spin, LEFT)  # focus it as the artist would
    spin.selectAll()
    qtbot.keyClicks(spin, text)


def test_extend_canvas_from_the_menu_by_mouse_and_keyboard(qtbot, win):
    before = win.document.image.copy()
    click_menu(qtbot, win, "Image", "Extend canvas and fill…")
    dialog = win.findChild(ExtendDialog)
    assert (
        dialog is not None and dialog.isVisible() and not isinstance(QApplication.activePopupWidget(), QMenu)
    )
    assert dialog.model_id() == PHOTO_FILLS[0]  # the photo default, offered first
    for spin, text in zip(dialog.spins, ("0", "0", "48", "0"), strict=True):
        type_into(qtbot, spin, text)
    assert dialog.border() == (0, 0, 48, 0)
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok), LEFT)
    qtbot.waitUntil(lambda: win.model.staged is not None, timeout=TIMEOUT_MS)
    qtbot.mouseClick(win.staging.accept_button, LEFT)

    image = win.document.image
    assert win.document.size == (348, 200)
    np.testing.assert_array_equal(image[:, :300], before)  # the photo, bit-exact
    border = image[:, 300:]
    assert (border[..., 3] == 255).all() and border[..., :3].std() > 5  # opaque and not one flat colour
    assert win.undo_stack.text(win.undo_stack.index() - 1) == "Extend canvas and fill"
