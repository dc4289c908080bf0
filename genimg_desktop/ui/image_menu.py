"""The Image menu and Edit > Copy: the editing basics an artist reaches for first.

The colour brush (P), the colour picker (I), the crop tool (C) and Crop to mask's bounds, Resize
image, Canvas size, rotations and flips. Each change of the picture's geometry is one undo step
(`GeometryCommand` over the pure functions of core/geometry.py) that takes the mask with it. None runs
while a job works or a result waits over the picture: the result would no longer fit it. Copy puts
the picture on the clipboard, or, when a mask is painted, only the masked area with the mask as
transparency; the menu entry says which.
"""

from __future__ import annotations

from typing import Protocol, cast

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QUndoStack
from PySide6.QtWidgets import QApplication, QMenu

from genimg_desktop.core import geometry
from genimg_desktop.core.document import ChangeWatch, Document
from genimg_desktop.core.rect import Rect
from genimg_desktop.ui import background
from genimg_desktop.ui.canvas import CanvasView
from genimg_desktop.ui.canvas.commands import Arrays, Reshape, push_geometry
from genimg_desktop.ui.canvas.tool_controls import ToolControls
from genimg_desktop.ui.menu_items import add_action
from genimg_desktop.ui.qimage import array_to_qimage
from genimg_desktop.ui.size_dialog import SizeDialog
from genimg_desktop.ui.window_host import WindowHost
from genimg_desktop.ui.window_model import WindowModel

# The tools this menu offers (name, menu text, toolbar text, key, tooltip); the Mask menu has the mask
# tools (B E R L).
TOOLS = (
    ("paint", "&Paint on the picture", "Paint", "P", "Paint the brush colour on the picture (P)"),
    ("picker", "P&ick colour", "Pick", "I", "Pick the brush colour from the picture (I, or Alt+click)"),
    ("crop", "C&rop tool", "Crop", "C", "Drag a rectangle; Enter or a double-click crops, Esc cancels (C)"),
)


# Up to 1 MP before or after, a resize takes under 0.1 s even on a loaded machine (24 MP: 2-3.4 s):
# done at once, with no progress dialog flashing up and the result there when the dialog's OK returns.
RESIZE_HERE_PX = 1_000_000


class ImageHost(WindowHost, Protocol):
    """What the Image menu needs of the main window."""

    undo_stack: QUndoStack
    canvas: CanvasView
    tool_controls: ToolControls


def add_copy(menu: QMenu, host: ImageHost, acts: dict[str, QAction]) -> None:
    """Edit > Copy (Ctrl+C); its text says whether the image or the masked area goes."""
    action = add_action(
        menu, host, "&Copy image", lambda: copy_to_clipboard(host), QKeySequence.StandardKey.Copy
    )
    menu.aboutToShow.connect(lambda: action.setText(copy_text(host.model.document)))
    acts["copy"] = action


def copy_text(document: Document) -> str:
    return "&Copy masked area" if document.mask.any() else "&Copy image"


def copy_to_clipboard(host: ImageHost) -> None:
    doc = host.model.document
    area = geometry.masked_area(doc.image, doc.mask)
    pixels = doc.image if area is None else area
    QGuiApplication.clipboard().setImage(array_to_qimage(pixels))
    what = "the image" if area is None else "the masked area (the mask as transparency)"
    host.model.say(f"Copied {what}, {pixels.shape[1]} x {pixels.shape[0]} px, to the clipboard")


def build_image_menu(menu: QMenu, host: ImageHost, acts: dict[str, QAction]) -> None:
    """Fill the Image menu. Build it after the Mask menu: its tools join that menu's tool group."""
    canvas = host.canvas
    group = acts["tool_brush"].actionGroup()
    for name, text, short, key, tip in TOOLS:
        action = add_action(menu, host, text, lambda n=name: canvas.set_tool(n), key)
        action.setIconText(short)
        action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False, t=tip: host.model.say(t, 8000))  # how to use it
        action.setCheckable(True)
        group.addAction(action)
        acts[f"tool_{name}"] = action
    acts["brush_colour"] = add_action(menu, host, "Brush &colour…", host.tool_controls.choose_colour)
    menu.addSeparator()
    acts["crop_to_mask"] = add_action(menu, host, "Crop to &mask's bounds", lambda: crop_to_mask(host))
    acts["resize"] = add_action(menu, host, "Re&size image…", lambda: ask_resize(host), "Ctrl+Alt+I")
    acts["canvas_size"] = add_action(menu, host, "Can&vas size…", lambda: ask_canvas_size(host), "Ctrl+Alt+C")
    menu.addSeparator()
    for key, text, forward, inverse in _orientations():
        plain = text.replace("&", "")
        acts[key] = add_action(menu, host, text, lambda f=forward, b=inverse, t=plain: reshape(host, f, t, b))
    canvas.crop_requested.connect(lambda rect: crop(host, rect))


def toolbar_actions(acts: dict[str, QAction]) -> list[QAction]:
    return [acts[f"tool_{tool[0]}"] for tool in TOOLS]


# ---------------------------------------------------------------- geometry, each one undo step


class Changeable(Protocol):
    model: WindowModel
    canvas: CanvasView


def may_change(host: Changeable, text: str) -> bool:
    """Whether the picture may change now: not while a job runs or a result waits over the picture
    (it would no longer fit); else says why, starting with `text`."""
    if host.model.busy:
        host.model.say(f"{text}: wait for the job to finish, or cancel it (Esc) first", 8000)
        return False
    if host.canvas.staged:
        host.model.say(f"{text}: accept or discard the result first", 8000)
        return False
    return True


def reshape(host: ImageHost, forward: Reshape, text: str, inverse: Reshape | None = None) -> bool:
    """Apply `forward` to the picture and its mask as one undo step; False (and why) when it may not."""
    if not may_change(host, text):
        return False
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a turn of a 24 MP photo takes 0.3 s
    try:
        push_geometry(host.undo_stack, host.model.document, forward, text, inverse)
    except ValueError as exc:
        host.model.say(f"{text}: {exc}", 8000)
        return False
    finally:
        QApplication.restoreOverrideCursor()
    _say_done(host, text)
    return True


def _say_done(host: Changeable, text: str) -> None:
    w, h = host.model.document.size
    host.model.say(f"{text}: the picture is now {w} x {h} px (Ctrl+Z undoes it)")


def crop(host: ImageHost, rect: Rect) -> bool:
    return reshape(host, lambda i, m: geometry.crop(i, m, rect), "Crop")


def crop_to_mask(host: ImageHost) -> bool:
    if not host.model.document.mask.any():
        host.model.say("Crop to mask's bounds: paint a mask first; the crop keeps the box around it", 8000)
        return False
    return reshape(host, geometry.crop_to_mask, "Crop to mask's bounds")


def _orientations() -> list[tuple[str, str, Reshape, Reshape]]:
    """Rotations and flips: (action key, menu text, the change, its exact inverse)."""

    def turn(k: int) -> Reshape:
        return lambda i, m: geometry.rotate(i, m, k)

    def mirror(horizontal: bool) -> Reshape:
        return lambda i, m: geometry.flip(i, m, horizontal)

    return [
        ("rotate_right", "Rotate 90° &right", turn(1), turn(-1)),
        ("rotate_left", "Rotate 90° &left", turn(-1), turn(1)),
        ("rotate_180", "Rotate &180°", turn(2), turn(2)),
        ("flip_h", "Flip &horizontally", mirror(True), mirror(True)),
        ("flip_v", "Flip &vertically", mirror(False), mirror(False)),
    ]


def ask_resize(host: ImageHost) -> SizeDialog:
    """Resize image…: a dialog (window-modal, not blocking); OK resizes as one undo step."""
    dialog = SizeDialog("Resize image", host.model.document.size, host.window())
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.accepted.connect(lambda: _resize(host, *dialog.new_size()))
    dialog.open()
    return dialog


def _resize(host: ImageHost, width: int, height: int) -> None:
    """Small pictures at once; a big one off the GUI thread (2-3 s for 24 MP), behind a progress dialog."""
    text = f"Resize image to {width} x {height}"
    forward: Reshape = lambda i, m: geometry.resize(i, m, width, height)  # noqa: E731
    w, h = host.model.document.size
    if max(w * h, width * height) <= RESIZE_HERE_PX:
        reshape(host, forward, text)
    elif may_change(host, text):
        resize_in_background(host, forward, text)


def resize_in_background(host: ImageHost, forward: Reshape, text: str) -> None:
    """Run `forward` on a thread behind a window-modal progress dialog (Cancel changes nothing), then
    push its result as one undo step, with the keyboard focus back on the canvas for Ctrl+Z."""
    doc = host.model.document
    image, mask = doc.image, doc.mask  # only read; the modal dialog keeps strokes out meanwhile
    watch = ChangeWatch(doc)

    def work(progress: background.Progress) -> tuple[np.ndarray, np.ndarray]:
        result = forward(image, mask)
        progress(1.0, "")  # raises Cancelled when the artist cancelled meanwhile
        return result

    def finished(outcome: object) -> None:
        changed = watch.stop() or host.model.document is not doc
        host.canvas.setFocus(Qt.FocusReason.OtherFocusReason)  # the dialog had it
        if isinstance(outcome, background.Cancelled):
            host.model.say(f"{text}: cancelled, the picture is unchanged")
        elif isinstance(outcome, Exception):
            host.model.say(f"{text}: {outcome}", 8000)
        elif changed:  # cannot happen through the modal dialog; a result on other pixels must not land
            host.model.say(f"{text}: not done, the picture changed meanwhile", 8000)
        else:
            push_geometry(host.undo_stack, doc, forward, text, first=cast("Arrays", outcome))
            _say_done(host, text)

    dialog = background.run_with_progress(host.window(), "Resize image", f"{text} px…", work, finished)
    dialog.setRange(0, 0)  # busy: the resampler does not say how far it got


def ask_canvas_size(host: ImageHost) -> SizeDialog:
    """Canvas size…: a dialog with the anchor; OK grows or crops the canvas as one undo step."""
    dialog = SizeDialog("Canvas size", host.model.document.size, host.window(), canvas=True)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.accepted.connect(lambda: _canvas_size(host, dialog))
    dialog.open()
    return dialog


def _canvas_size(host: ImageHost, dialog: SizeDialog) -> None:
    (width, height), anchor, mask_new = dialog.new_size(), dialog.anchor(), dialog.mask_new.isChecked()
    reshape(
        host,
        lambda i, m: geometry.canvas_size(i, m, width, height, anchor, mask_new),
        f"Canvas size {width} x {height}",
    )
