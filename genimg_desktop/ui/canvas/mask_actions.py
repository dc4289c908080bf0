"""Whole-mask operations, each one undo step: compute the new mask with core.mask, keep only the
changed tiles (TilePatch), apply them and push a PatchCommand."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtGui import QUndoStack

from genimg_desktop.core import mask as maskops
from genimg_desktop.core.document import Document
from genimg_desktop.ui.canvas.commands import PatchCommand, apply_and_push


class MaskActions:
    """Invert / clear / grow / shrink / feather / fill the document's mask with undo."""

    def __init__(self, document: Document, undo_stack: QUndoStack):
        self.document = document
        self.undo_stack = undo_stack

    def _apply(self, op: Callable[[np.ndarray], np.ndarray], text: str) -> PatchCommand | None:
        return apply_and_push(self.undo_stack, self.document, "mask", op(self.document.mask), text)

    def invert(self) -> PatchCommand | None:
        return self._apply(maskops.invert, "Invert mask")

    def clear(self) -> PatchCommand | None:
        return self._apply(maskops.clear, "Clear mask")

    def fill_all(self) -> PatchCommand | None:
        return self._apply(lambda m: np.full_like(m, 255), "Fill mask")

    def grow(self, px: float) -> PatchCommand | None:
        return self._apply(lambda m: maskops.grow(m, px), f"Grow mask {px:g} px")

    def shrink(self, px: float) -> PatchCommand | None:
        return self._apply(lambda m: maskops.shrink(m, px), f"Shrink mask {px:g} px")

    def feather(self, px: float) -> PatchCommand | None:
        return self._apply(lambda m: maskops.feather(m, px), f"Feather mask {px:g} px")
