"""Image > Upscale…: enlarge the picture with an "upscale" model on the engine's worker (progress and
Cancel in the status bar; the window stays usable), then open the result as a new picture or put it
in place of this one as one undo step (the mask scaled with it). Alpha is enlarged on its own
(core/upscale.py) and put back: the networks see colour only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import QMenu

from genimg_desktop.core import upscale
from genimg_desktop.core.document import Document
from genimg_desktop.core.request import GenerationResult
from genimg_desktop.ui.canvas import CanvasView
from genimg_desktop.ui.canvas.commands import push_geometry
from genimg_desktop.ui.file_ops import confirm_discard_changes
from genimg_desktop.ui.image_menu import may_change
from genimg_desktop.ui.job_runner import JobRunner
from genimg_desktop.ui.menu_items import add_action
from genimg_desktop.ui.upscale_dialog import UpscaleDialog, upscalers
from genimg_desktop.ui.window_host import WindowHost

TEXT = "Upscale"


class UpscaleHost(WindowHost, Protocol):
    undo_stack: QUndoStack
    canvas: CanvasView
    jobs: JobRunner


@dataclass(frozen=True)
class _Order:
    """What one Upscale was asked to make, kept while the engine works."""

    model_name: str
    factor: float
    size: tuple[int, int]
    as_new: bool
    alpha: np.ndarray | None  # the source's alpha, (H, W, 1); None: opaque
    name: str  # the picture's name, for the new one's title
    document: Document  # the picture it enlarges (another one open by the end: nothing is replaced)


class Upscaler(QObject):
    """One Upscale at a time, from the dialog's OK to the new or replaced picture."""

    def __init__(self, host: UpscaleHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.order: _Order | None = None

    def start(self, model_id: str | None, factor: float, size: tuple[int, int], as_new: bool) -> bool:
        """Run the model on the picture; False (and why, in the status bar) when it may not."""
        host, m = self.host, self.host.model
        if not may_change(host, TEXT):
            return False
        model = next((d for d in upscalers(m.models) if d.id == model_id), None)
        if model is None:
            m.say(f"{TEXT}: no upscaling model '{model_id}' is installed", 8000)
            return False
        if as_new and not confirm_discard_changes(host):  # asked now, not after minutes of work
            return False
        task = model.task("upscale")
        name = m.title_name().rsplit(".", 1)[0]
        alpha = upscale.opaque_alpha(m.document.image)
        self.order = _Order(model.card.name, factor, size, as_new, alpha, name, m.document)
        if host.jobs.run((model, task, {**task.defaults(), "scale": factor}), on_result=self.finish) is None:
            self.order = None
            return False
        m.say(f"{TEXT} to {size[0]} x {size[1]} px with {model.card.name}… (Esc cancels)", 8000)
        return True

    def finish(self, result: GenerationResult) -> None:
        """The engine's result: exactly the size asked for, alpha back, then new or in place."""
        order, self.order = self.order, None
        if order is None:
            return
        rgba = upscale.attach_alpha(upscale.resample(result.images[0], order.size), order.alpha)
        if order.as_new:
            self._open_new(rgba, result, order)
        elif self.host.model.document is not order.document:  # another picture was opened meanwhile
            self._to_samples(result)
        else:
            self._replace(rgba, order)

    def _to_samples(self, result: GenerationResult) -> None:
        """Nowhere to put it without losing work: the result waits in the samples panel."""
        self.host.jobs.samples.emit(result)
        self.host.model.say(f"{TEXT}: the result waits in the Samples panel (Open as image)", 8000)

    def _open_new(self, rgba: np.ndarray, result: GenerationResult, order: _Order) -> None:
        host = self.host
        if not confirm_discard_changes(host):  # changed while it ran and not to be lost: keep both
            self._to_samples(result)
            return
        document = Document(rgba, metadata=result.metadata())
        document.modified = True  # it exists nowhere on disk yet: closing must offer to save it
        host.model.set_document(document, f"{order.name} x{order.factor:g}")
        host.model.say(f"{TEXT}: a new picture of {order.size[0]} x {order.size[1]} px ({order.model_name})")

    def _replace(self, rgba: np.ndarray, order: _Order) -> None:
        host = self.host
        text = f"{TEXT} x{order.factor:g} ({order.model_name})"
        push_geometry(
            host.undo_stack,
            host.model.document,
            lambda _i, m: (rgba, upscale.resize_mask(m, order.size)),
            text,
        )
        host.model.say(f"{text}: the picture is now {order.size[0]} x {order.size[1]} px (Ctrl+Z undoes it)")


def add_to_menu(menu: QMenu, host: UpscaleHost, upscaler: Upscaler, acts: dict[str, QAction]) -> None:
    acts["upscale"] = add_action(menu, host, "&Upscale…", lambda: ask(host, upscaler), "Ctrl+Alt+U")


def ask(host: UpscaleHost, upscaler: Upscaler) -> UpscaleDialog | None:
    """Image > Upscale…: the dialog (window-modal, not blocking); OK starts the upscaling."""
    if not may_change(host, TEXT):
        return None
    dialog = UpscaleDialog(host.model.document.size, upscalers(host.model.models), host.window())
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.accepted.connect(
        lambda: upscaler.start(dialog.model_id(), dialog.factor(), dialog.new_size(), dialog.as_new())
    )
    dialog.open()
    return dialog
