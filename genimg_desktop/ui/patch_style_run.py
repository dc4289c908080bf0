"""Running the patch-based style transfer (core/patch_style.py) off the GUI thread: it takes seconds
(~11 s at 1920 x 1080 on a laptop CPU), so it runs behind a window-modal progress dialog
(ui/background.py). The dialog keeps the picture from changing meanwhile; Cancel stops the work at the
next pyramid level and changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtWidgets import QProgressDialog, QWidget

from genimg_desktop.core.patch_style import style_with_patches
from genimg_desktop.ui.background import Progress, run_with_progress


def run_patch_style(
    parent: QWidget,
    image: np.ndarray,
    reference: np.ndarray,
    strength: float,
    mask: np.ndarray | None,
    finished: Callable[[object], None],
) -> QProgressDialog:
    """Start the work; `finished` gets the styled picture, or the exception (background.Cancelled too)."""

    def work(progress: Progress) -> np.ndarray:
        return style_with_patches(image, reference, strength, mask, progress=lambda f: progress(f, ""))

    label = "Re-drawing the picture from the reference's patches…"
    return run_with_progress(parent, "Match style", label, work, finished)
