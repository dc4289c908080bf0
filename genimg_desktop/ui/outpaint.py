"""Image > Extend canvas: grow the canvas, fill the new border by inpainting, stage the fill.

The border is added at once as one undo step (`ExtendCommand`, masked alone, transparent) and the
chosen inpainting model runs on it; its fill is staged like any result. Accept makes that same undo
step "Extend canvas and fill" (one Ctrl+Z takes both back); Discard, Esc, a failed or cancelled fill
undo the step and drop it from the stack, so the picture is as it was before the command and Redo
offers nothing. Undo during the fill takes the border back and ends it too.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QUndoStack

from genimg_desktop.core import outpaint
from genimg_desktop.core.document import Document
from genimg_desktop.ui.canvas import CanvasView
from genimg_desktop.ui.canvas.commands import Arrays, GeometryCommand
from genimg_desktop.ui.extend_dialog import ExtendDialog, inpainters
from genimg_desktop.ui.image_menu import may_change
from genimg_desktop.ui.job_runner import Choice, JobRunner
from genimg_desktop.ui.window_host import WindowHost

TEXT = "Extend canvas"
FILLED_TEXT = "Extend canvas and fill"


class OutpaintHost(WindowHost, Protocol):
    undo_stack: QUndoStack
    canvas: CanvasView
    jobs: JobRunner


class ExtendCommand(GeometryCommand):
    """The border added around the picture, and once accepted the fill in it: one undo step."""

    def __init__(self, document: Document, border: outpaint.Border):
        self.border = border
        self.fill: np.ndarray | None = None  # the accepted fill's RGB (canvas size)
        self.dropping = False  # undo() then removes the step from the stack (Discard)
        self.applied = False  # the border is on the picture (between redo and undo)
        first = self._extend(document.image, document.mask)  # its ValueError changes nothing
        super().__init__(document, self._extend, TEXT, None, first)

    def _extend(self, image: np.ndarray, _mask: np.ndarray) -> Arrays:
        """The border masked alone while it waits for its fill; once filled, no mask is left (a
        leftover border mask would quietly limit the next filter or fill to the border)."""
        out, mask = outpaint.extend(image, self.border)
        if self.fill is None:
            return out, mask
        return outpaint.fill_border(out, mask, self.fill), np.zeros_like(mask)

    def redo(self) -> None:
        super().redo()
        self.applied = True

    def undo(self) -> None:
        self.applied = False  # first: the document's reset below may ask to drop it again
        super().undo()
        if self.dropping:
            self.setObsolete(True)  # QUndoStack deletes an obsolete command after its undo()

    def fill_with(self, rgb: np.ndarray) -> None:
        """Put the accepted fill into the border (the step's redo gives the same pixels from now on)."""
        doc = self.document
        self.fill = rgb
        self.setText(FILLED_TEXT)
        doc.replace(outpaint.fill_border(doc.image, doc.mask, rgb), mask=np.zeros_like(doc.mask))


class Outpainter(QObject):
    """One Extend canvas at a time, from the command to Accept or Discard."""

    def __init__(self, host: OutpaintHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.pending: ExtendCommand | None = None
        host.model.staged_changed.connect(self._staged_changed)
        host.model.busy_changed.connect(self._busy_changed)
        host.undo_stack.indexChanged.connect(self._index_changed)

    def start(self, border: outpaint.Border, model_id: str | None) -> bool:
        """Add the border and run the fill; False (and why, in the status bar) when it may not."""
        host, m = self.host, self.host.model
        if not may_change(host, TEXT):
            return False
        if self.pending is not None:  # its fill is on its way to the stage
            m.say(f"{TEXT}: wait for the border's fill first", 8000)
            return False
        choice = self._choice(model_id)
        if choice is None:
            m.say(f"{TEXT}: no inpainting model is installed to fill the border", 8000)
            return False
        try:
            command = ExtendCommand(m.document, border)
        except ValueError as exc:
            m.say(f"{TEXT}: {exc}", 8000)
            return False
        host.undo_stack.push(command)
        if host.jobs.run(choice) is None:
            self._drop(command)
            return False
        self.pending = command
        w, h = m.document.size
        m.say(f"{TEXT} to {w} x {h} px: filling the border with {choice[0].card.name}…", 8000)
        return True

    def _choice(self, model_id: str | None) -> Choice | None:
        """The model, its inpaint task and parameters: the dock's own when it is that model."""
        offered = inpainters(self.host.model.models)
        model = next((d for d in offered if d.id == model_id), offered[0] if offered else None)
        if model is None:
            return None
        task = model.task("inpaint")
        m = self.host.model
        same = (
            m.model is not None and m.model.id == model.id and m.task is not None and m.task.name == "inpaint"
        )
        return model, task, dict(m.params) if same else task.defaults()

    def accept(self) -> bool:
        """Accept the staged fill into the border; False when no Extend canvas waits for it."""
        command, result = self.pending, self.host.model.staged
        if command is None or result is None:
            return False
        self.pending = None  # before the document changes: the staged result goes with it
        command.fill_with(result.images[0])
        self.host.model.say(f"{FILLED_TEXT}: done (Ctrl+Z takes the border and its fill back)")
        return True

    def _staged_changed(self, result: object) -> None:
        if self.pending is None:
            return
        if result is None:  # discarded, failed or cancelled
            self._drop(self.pending)
        else:  # replaces 'filling the border…', which stayed up for seconds after the fill came
            self.host.model.say(f"{TEXT}: the border is filled; Accept keeps it, Discard (Esc) takes it back")

    def _busy_changed(self, busy: bool) -> None:
        if not busy and self.pending is not None:  # a job that ended without a result to stage
            QTimer.singleShot(0, lambda: self.host.model.staged is None and self._staged_changed(None))

    def _index_changed(self, _index: int) -> None:
        if self.pending is not None and not self._on_top(self.pending):
            self.pending = None  # undone by the artist: the border is gone already

    def _on_top(self, command: ExtendCommand) -> bool:
        stack = self.host.undo_stack
        if not shiboken6.isValid(stack):  # the window is going: its stack before this object
            return False
        return command.applied and stack.index() > 0 and stack.command(stack.index() - 1) is command

    def _drop(self, command: ExtendCommand) -> None:
        """Undo the border and remove its step: the picture is as before the command."""
        self.pending = None
        if self._on_top(command):
            command.dropping = True
            self.host.undo_stack.undo()
            self.host.model.say(f"{TEXT}: discarded; the picture is as it was")


def ask_extend(host: WindowHost, outpainter: Outpainter) -> ExtendDialog | None:
    """Image > Extend canvas…: the dialog (window-modal, not blocking); OK extends and fills."""
    offered = inpainters(host.model.models)
    dialog = ExtendDialog(host.model.document.size, offered, host.window())
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.accepted.connect(lambda: outpainter.start(dialog.border(), dialog.model_id()))
    dialog.open()
    return dialog
