"""The image canvas: tiled image + mask overlay + staged result, mask tools and undo commands."""

from genimg_desktop.ui.canvas.canvas_view import CanvasView
from genimg_desktop.ui.canvas.commands import PatchCommand, make_undo_stack

__all__ = ["CanvasView", "PatchCommand", "make_undo_stack"]
