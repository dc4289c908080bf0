"""What the window does with one sample from the samples panel: open it, place it, save it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtWidgets import QFileDialog, QMessageBox

from genimg_desktop.core.animation import save_animation
from genimg_desktop.core.document import Document
from genimg_desktop.core.imageio import ImageSaveError
from genimg_desktop.core.placement import place_in_mask
from genimg_desktop.core.request import GenerationResult
from genimg_desktop.ui import file_ops

if TYPE_CHECKING:
    from genimg_desktop.ui.main_window import MainWindow


def open_sample(window: MainWindow, result: GenerationResult, index: int) -> bool:
    """The sample becomes a new, unsaved image (after asking about unsaved changes)."""
    if not window.confirm_discard_changes():
        return False
    one = result.pick(index)
    rgb = one.images[0][..., :3]
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    document = Document(rgba, metadata=one.metadata())
    document.modified = True  # it exists nowhere on disk yet: closing must offer to save it
    window.set_document(document)
    return True


def place_sample(window: MainWindow, result: GenerationResult, index: int) -> bool:
    """Stage the sample, scaled to cover the mask's bounding box, over the canvas; Accept keeps it."""
    if window.jobs.busy:
        window.statusBar().showMessage("A job is running: wait for it or cancel it", 4000)
        return False
    doc = window.document
    one = result.pick(index)
    try:
        full = place_in_mask(doc.rgb(), one.images[0], doc.mask)
    except ValueError as exc:
        QMessageBox.information(window, "Into mask", f"Cannot place the sample: {exc}.")
        return False
    staged = GenerationResult(one.request, [full], {**one.info, "placed": True}, one.elapsed_s)
    window.jobs.stage(staged, doc.mask.copy())
    return True


def save_sample(window: MainWindow, result: GenerationResult, index: int) -> bool:
    return file_ops.save_result(window, result.pick(index))


def save_sample_animation(window: MainWindow, result: GenerationResult) -> bool:
    """All of the result's images as a looping animation (forward and back)."""
    start = Path(window.settings.last_folder or ".") / f"{result.request.model_id}-{result.request.task}.gif"
    chosen, _ = QFileDialog.getSaveFileName(
        window, "Save animation as", str(start), "Animated GIF (*.gif);;Animated WebP (*.webp)"
    )
    if not chosen:
        return False
    try:
        save_animation(Path(chosen), result.images)
    except ImageSaveError as exc:
        QMessageBox.warning(window, "Cannot save the animation", str(exc))
        return False
    window.statusBar().showMessage(f"Saved {chosen}", 4000)
    return True
