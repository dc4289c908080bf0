"""Mask > Select subject: the box drawn with the tool becomes a mask of the object in it, added to the
mask as one undo step (core/subject.py: GrabCut, grown past the outline). The brush and the eraser
refine it; Mask > Grow / Shrink widen or narrow it.

GrabCut takes about a second, so it runs on a pool thread (ui/background.py) and the window stays
usable; its mask is added when it returns, unless the picture changed (or another replaced it) while
it ran: then it no longer fits, and nothing is changed. Mask strokes meanwhile are kept (added to)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np
from PySide6.QtGui import QUndoStack

from genimg_desktop.core import subject
from genimg_desktop.core.document import ChangeWatch, Document
from genimg_desktop.core.rect import Rect
from genimg_desktop.ui import background
from genimg_desktop.ui.canvas.commands import apply_and_push
from genimg_desktop.ui.window_model import WindowModel

TEXT = "Select subject"


class SubjectHost(Protocol):
    model: WindowModel
    undo_stack: QUndoStack


def select_subject(
    host: SubjectHost,
    rect: Rect,
    grow_px: float = subject.GROW_PX,
    done: Callable[[bool], None] | None = None,
) -> None:
    """Start finding the object inside `rect`; it is added to the mask when found, else the status bar
    says why. `done(added)` follows either way."""
    doc = host.model.document
    watch = ChangeWatch(doc, ignore=frozenset({"mask"}))  # the picture, not its mask
    relay = background.Relay(host.model)  # the model outlives the work

    def finished(outcome: object) -> None:
        changed = watch.stop()
        relay.deleteLater()
        added = _add(host, doc, outcome, grow_px, changed)
        if done is not None:
            done(added)

    relay.done.connect(finished)
    host.model.say(f"{TEXT}: finding the object in the box…", 8000)
    rgb = doc.image[..., :3]  # a view, not a copy: a change to it meanwhile drops the outcome anyway
    background.start(lambda _progress: subject.select_subject(rgb, rect, grow_px), relay)


def _add(host: SubjectHost, doc: Document, outcome: object, grow_px: float, changed: bool) -> bool:
    """Add the found mask as one undo step, or say why nothing changed."""
    if changed or host.model.document is not doc:
        host.model.say(f"{TEXT}: the picture changed meanwhile, so nothing was selected; draw it again", 8000)
        return False
    if isinstance(outcome, Exception):  # ValueError: a box too small or outside the picture
        host.model.say(f"{TEXT}: {outcome}", 8000)
        return False
    assert isinstance(outcome, np.ndarray)
    if not outcome.any():
        host.model.say(f"{TEXT}: no object told apart from its background; draw the box closer", 8000)
        return False
    apply_and_push(host.undo_stack, doc, "mask", np.maximum(doc.mask, outcome), TEXT)
    share = 100 * np.count_nonzero(outcome) / outcome.size
    host.model.say(
        f"{TEXT}: the object masked ({share:.0f}% of the picture), grown {grow_px:g} px past its outline "
        "(no halo left after a fill); refine with B / E",
        8000,
    )
    return True
