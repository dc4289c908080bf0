"""A scripted demo state for screenshots: a sample photo, a painted mask, a staged inpainting; or one
of the studio scenes of demo_studio.py (`--demo generate`, `--demo models`, ...)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from genimg_desktop.core import mask as mask_ops
from genimg_desktop.core.imageio import LoadedImage
from genimg_desktop.core.photo_fill import preferred
from genimg_desktop.ui.demo_photo import demo_photo

if TYPE_CHECKING:
    from genimg_desktop.ui.main_window import MainWindow


INPAINT_SCENE = "inpaint"


def run_demo(window: MainWindow, demo: str | None, screenshot: Path | None) -> None:
    """Once models are listed: load the photo, paint a mask, inpaint it with the default photo fill
    (core/photo_fill.py: the hybrid, else PatchMatch, else OpenCV Telea), then grab the window (scene
    "inpaint"), or play the studio scene `demo` (see demo_studio.SCENES); None: only the screenshot."""

    def on_models(models: list) -> None:
        window.jobs.service.models_listed.disconnect(on_models)
        if demo == INPAINT_SCENE:
            _stage_demo(window, preferred(descriptor.id for descriptor in models) or "opencv-telea")
        elif demo:
            from genimg_desktop.ui.demo_studio import start_scene

            start_scene(window, demo, screenshot)
        elif screenshot:
            QTimer.singleShot(300, lambda: _grab(window, screenshot))

    def wait_for_service() -> None:
        if window.jobs.service is None:
            QTimer.singleShot(50, wait_for_service)
            return
        window.jobs.service.models_listed.connect(on_models)

    def _stage_demo(win: MainWindow, model_id: str) -> None:
        rgb = demo_photo()
        rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
        win.set_loaded(LoadedImage(rgba, "RGB", "PNG", (rgb.shape[1], rgb.shape[0]), {}, []), None)
        h, w = rgb.shape[:2]
        mask_ops.stamp_segment(
            win.document.mask, (w * 0.55, h * 0.2), (w * 0.75, h * 0.35), w * 0.03, 0.9, 255
        )
        win.document.notify("mask")
        win.document.modified = False  # a scripted scene, no work: quitting must not ask to save it
        win.picker.select(model_id, "inpaint")
        if screenshot:
            win.jobs.service.job_finished.connect(
                lambda *_: QTimer.singleShot(500, lambda: _grab(win, screenshot))
            )
        win.run_job()

    wait_for_service()


def _grab(window: MainWindow, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(path))
    print(f"screenshot saved to {path}")
    QApplication.instance().quit()
