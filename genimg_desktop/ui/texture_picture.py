"""Models > Train a texture on this picture: the open picture (or the masked part of it) becomes the
training set of a texture model, and the training view opens filled in for it, with a time estimate.

The picture is written as one PNG into a folder of its own under the user data folder (training runs
in its own process and reads files); the training view's own Start runs it, with its live samples,
pause and cancel. The estimate is the measured seconds per step of this recipe on a 2-core laptop
CPU (another machine is said to be as fast or faster); the view's ETA takes over once it runs.
"""

from __future__ import annotations

import time
from typing import Protocol

import numpy as np
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from genimg_desktop.core import paths
from genimg_desktop.core.imageio import save_image
from genimg_desktop.core.mask import mask_bbox
from genimg_desktop.ui.menu_items import add_action
from genimg_desktop.ui.training.train_view import FOLDER_CHOICE, TrainView
from genimg_desktop.ui.window_model import WindowModel

TITLE = "Train a texture"
MIN_SIDE = 64  # the training crop: a smaller picture has no room for one
MAX_SIZE = 512  # the training view's largest size
STEPS = 600
BATCH = 8
SETTINGS = "crop=64"
# Measured for this recipe (batch 8, 64 px crops) on the project's 2-core CPU while other work ran
# (`genimg train --family texture`, docs/MODELS.md): the estimate before starting.
SECONDS_PER_STEP = 2.5


class TextureHost(Protocol):
    model: WindowModel

    def window(self) -> QWidget: ...

    def open_train_view(self) -> TrainView: ...


def add_to_menu(menu: QMenu, host: TextureHost, acts: dict[str, QAction]) -> None:
    acts["train_texture"] = add_action(menu, host, "Train a te&xture on this picture…", lambda: ask(host))


def training_picture(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The picture's masked part (its bounding box) when a mask is painted, else all of it."""
    box = mask_bbox(mask)
    if box is None:
        return rgb
    left, top, width, height = box
    return rgb[top : top + height, left : left + width]


def estimate_minutes(steps: int = STEPS) -> float:
    return steps * SECONDS_PER_STEP / 60


def ask(host: TextureHost) -> TrainView | None:
    """Write the picture (or selection) for training and open the filled-in training view; a picture
    too small is refused with its size and nothing changes."""
    doc = host.model.document
    picture = training_picture(doc.rgb(), doc.mask)
    height, width = picture.shape[:2]
    if min(height, width) < MIN_SIDE:
        part = "masked area" if doc.mask.any() else "picture"
        QMessageBox.information(
            host.window(),
            TITLE,
            f"The {part} is {width}×{height} px: a texture needs at least {MIN_SIDE} px a side.",
        )
        return None
    folder = paths.user_data_dir() / "texture-pictures" / time.strftime("%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=True)
    save_image(folder / "picture.png", np.ascontiguousarray(picture))
    view = host.open_train_view()
    fill_in(view, str(folder), min(height, width, MAX_SIZE))
    return view


def fill_in(view: TrainView, folder: str, size: int) -> None:
    """The texture recipe in the view's form, and the time it will take in the view's message."""
    form = view.form
    form.data.setCurrentText(FOLDER_CHOICE)
    form.folder.setText(folder)
    form.family.setCurrentText("texture")
    form.size.setValue(size)
    form.steps.setValue(STEPS)
    form.batch_size.setValue(BATCH)
    form.settings.setText(SETTINGS)
    form.name.setText("Texture from my picture")
    view.message.setText(
        f"A texture model from your picture: about {estimate_minutes():.0f} minutes on a 2-core laptop "
        "CPU (faster on a bigger machine or a GPU). Press Start; the samples show it learning."
    )
