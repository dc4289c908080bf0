"""Undo commands over a Document: each holds a TilePatch (only the changed tiles), so memory stays
bounded even for 200 steps on an 8192 x 8192 image."""

from __future__ import annotations

from typing import Literal

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand, QUndoStack

from genimg_desktop.core.document import Document
from genimg_desktop.core.tiles import TilePatch

UNDO_LIMIT = 200

Target = Literal["image", "mask"]


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
