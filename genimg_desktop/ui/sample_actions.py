"""What the window does with one sample from the samples panel: open it, place it, save it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QFileDialog, QMessageBox

from genimg_desktop.core.animation import save_animation
from genimg_desktop.core.document import Document
from genimg_desktop.core.imageio import ImageSaveError
from genimg_desktop.core.placement import place_in_mask, repeat_in_mask
from genimg_desktop.core.request import GenerationResult
from genimg_desktop.ui import file_ops
from genimg_desktop.ui.window_host import WindowHost


def open_sample(host: WindowHost, result: GenerationResult, index: int) -> bool:
    """The sample becomes a new, unsaved image (after asking about unsaved changes)."""
    if not file_ops.confirm_discard_changes(host):
        return False
    one = result.pick(index)
    rgb = one.images[0][..., :3]
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    document = Document(rgba, metadata=one.metadata())
    document.modified = True  # it exists nowhere on disk yet: closing must offer to save it
    host.model.set_document(document)
    return True


# Families whose images are drawn at the picture's pixel scale (textures): laid at 1:1 and repeated
# over the mask, never scaled like a 28 px sample.
AT_PIXEL_SCALE = frozenset({"texture"})


def place_sample(host: WindowHost, result: GenerationResult, index: int) -> bool:
    """Stage the sample, scaled to cover the mask's bounding box (a texture: at 1:1, repeated), over
    the canvas; Accept keeps it."""
    if host.model.busy:
        host.model.say("A job is running: wait for it or cancel it")
        return False
    doc = host.model.document
    one = result.pick(index)
    try:
        place = repeat_in_mask if one.info.get("family") in AT_PIXEL_SCALE else place_in_mask
        full = place(doc.rgb(), one.images[0], doc.mask)
    except ValueError as exc:
        QMessageBox.information(host.window(), "Into mask", f"Cannot place the sample: {exc}.")
        return False
    staged = GenerationResult(one.request, [full], {**one.info, "placed": True}, one.elapsed_s)
    host.model.stage(staged, doc.mask.copy())
    return True


def save_sample(host: WindowHost, result: GenerationResult, index: int) -> bool:
    return file_ops.save_result(host, result.pick(index))


def save_sample_animation(host: WindowHost, result: GenerationResult) -> bool:
    """All of the result's images as a looping animation (forward and back)."""
    start = Path(host.settings.last_folder or ".") / f"{result.request.model_id}-{result.request.task}.gif"
    chosen, _ = QFileDialog.getSaveFileName(
        host.window(), "Save animation as", str(start), "Animated GIF (*.gif);;Animated WebP (*.webp)"
    )
    if not chosen:
        return False
    try:
        save_animation(Path(chosen), result.images)
    except ImageSaveError as exc:
        QMessageBox.warning(host.window(), "Cannot save the animation", str(exc))
        return False
    host.model.say(f"Saved {chosen}")
    return True
