"""Mask > Select subject: the box drawn with the tool becomes a mask of the object in it, added to the
mask as one undo step (core/subject.py: GrabCut, grown past the outline). The brush and the eraser
refine it; Mask > Grow / Shrink widen or narrow it."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QUndoStack

from genimg_desktop.core import subject
from genimg_desktop.core.rect import Rect
from genimg_desktop.ui.canvas.commands import apply_and_push
from genimg_desktop.ui.window_model import WindowModel

TEXT = "Select subject"


class SubjectHost(Protocol):
    model: WindowModel
    undo_stack: QUndoStack


def select_subject(host: SubjectHost, rect: Rect, grow_px: float = subject.GROW_PX) -> bool:
    """Add the object inside `rect` to the mask; False (and why, in the status bar) when none is found."""
    doc = host.model.document
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # GrabCut takes about a second
    try:
        found = subject.select_subject(doc.image[..., :3], rect, grow_px)
    except ValueError as exc:
        host.model.say(f"{TEXT}: {exc}", 8000)
        return False
    finally:
        QGuiApplication.restoreOverrideCursor()
    if not found.any():
        host.model.say(f"{TEXT}: no object told apart from its background; draw the box closer", 8000)
        return False
    apply_and_push(host.undo_stack, doc, "mask", np.maximum(doc.mask, found), TEXT)
    share = 100 * np.count_nonzero(found) / found.size
    host.model.say(
        f"{TEXT}: the object masked ({share:.0f}% of the picture), grown {grow_px:g} px past its outline "
        "(no halo left after a fill); refine with B / E",
        8000,
    )
    return True
