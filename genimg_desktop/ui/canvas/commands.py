"""Undo commands over a Document. A pixel edit holds a TilePatch (only the changed tiles), so memory
stays bounded even for 200 steps on an 8192 x 8192 image; a geometry change (crop, resize, rotate...)
holds the arrays before it, or nothing when it has an exact inverse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand, QUndoStack

from genimg_desktop.core.document import Document
from genimg_desktop.core.tiles import TilePatch

UNDO_LIMIT = 200

Target = Literal["image", "mask"]
Arrays = tuple[np.ndarray, np.ndarray]  # (image RGBA, mask)
Reshape = Callable[[np.ndarray, np.ndarray], Arrays]  # a pure function of core/geometry.py


def make_undo_stack(parent: QObject | None = None) -> QUndoStack:
    """The document's undo stack, limited to UNDO_LIMIT steps (each step stores changed tiles only)."""
    stack = QUndoStack(parent)
    stack.setUndoLimit(UNDO_LIMIT)
    return stack


class PatchCommand(QUndoCommand):
    """Undo/redo of one edit of `document.image` or `document.mask`, stored as a TilePatch.

    The edit is normally already applied when the command is pushed (a brush stroke painted live, a
    mask operation applied at once); `applied=True` makes the first redo() -- which QUndoStack.push
    calls -- a no-op instead of writing the same tiles again.
    """

    def __init__(
        self, document: Document, target: Target, patch: TilePatch, text: str = "", applied: bool = True
    ):
        super().__init__(text)
        if target not in ("image", "mask"):
            raise ValueError(f"unknown patch target {target!r}")
        self.document = document
        self.target: Target = target
        self.patch = patch
        self._skip_redo = applied

    def _array(self) -> np.ndarray | None:
        array = self.document.image if self.target == "image" else self.document.mask
        # After Document.replace (new size) old steps no longer fit: do nothing rather than crash.
        return array if array.shape == self.patch.shape else None

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        array = self._array()
        if array is not None:
            self.document.notify(self.target, self.patch.apply_after(array))

    def undo(self) -> None:
        array = self._array()
        if array is not None:
            self.document.notify(self.target, self.patch.apply_before(array))

    @property
    def nbytes(self) -> int:
        return self.patch.nbytes


def push_patch(
    stack: QUndoStack, document: Document, target: Target, patch: TilePatch, text: str
) -> PatchCommand | None:
    """Push an already-applied patch as one undo step; an empty patch (nothing changed) is dropped."""
    if patch.empty:
        return None
    command = PatchCommand(document, target, patch, text, applied=True)
    stack.push(command)
    return command


def apply_and_push(
    stack: QUndoStack, document: Document, target: Target, new: np.ndarray, text: str
) -> PatchCommand | None:
    """Replace document.<target> by `new` (same shape) as one undo step; only changed tiles are kept."""
    current = document.image if target == "image" else document.mask
    patch = TilePatch.from_arrays(current, new)
    if patch.empty:
        return None
    document.notify(target, patch.apply_after(current))
    return push_patch(stack, document, target, patch, text)


class GeometryCommand(QUndoCommand):
    """Undo/redo of a change of the picture's size or orientation: new image and mask arrays together.

    Each redo (the first is QUndoStack.push's) runs the pure `forward` on the arrays of the moment, so
    a redo gives the same pixels every time. Undo puts the arrays before it back, or, when an exact
    `inverse` is given (a rotation, a flip), runs that and keeps no pixels at all. An undo that puts
    arrays back keeps the ones it took for the next redo (as many pixels as before), so a redo of a
    resize is instant and not seconds of the GUI thread again.
    """

    def __init__(
        self,
        document: Document,
        forward: Reshape,
        text: str,
        inverse: Reshape | None = None,
        first: Arrays | None = None,
    ):
        super().__init__(text)
        self.document = document
        self.forward = forward
        self.inverse = inverse
        self._first = first  # forward's result, already computed for the first redo
        self._before: Arrays | None = None

    def redo(self) -> None:
        doc = self.document
        after, self._first = self._first or self.forward(doc.image, doc.mask), None
        if self.inverse is None:
            self._before = (doc.image, doc.mask)
        _show(doc, after)

    def undo(self) -> None:
        doc = self.document
        if self.inverse is not None:
            _show(doc, self.inverse(doc.image, doc.mask))
        elif self._before is not None:
            before, self._before = self._before, None
            self._first = (doc.image, doc.mask)
            _show(doc, before)


def _show(document: Document, arrays: Arrays) -> None:
    """The document takes new arrays as an edit (path kept, modified; views are rebuilt)."""
    image, mask = arrays
    document.replace(image, mask=mask)


def push_geometry(
    stack: QUndoStack,
    document: Document,
    forward: Reshape,
    text: str,
    inverse: Reshape | None = None,
    first: Arrays | None = None,
) -> GeometryCommand:
    """Apply `forward` to the document's image and mask as one undo step. `forward` runs before anything
    changes, so its ValueError (a size past the limits, a crop outside the picture) changes nothing.
    `first`: forward's result on the arrays of the moment, already computed (off the GUI thread)."""
    if first is None:
        first = forward(document.image, document.mask)
    command = GeometryCommand(document, forward, text, inverse, first)
    stack.push(command)
    return command
