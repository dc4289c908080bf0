"""Models > Train a texture on this picture, and > Train a multi-scale model on this picture: the open
picture (or the masked part of it) becomes the training set of a texture model (stationary: one
material all over) or of a multi-scale SinGAN-style model (a landscape, a facade: new versions of
the whole picture), and the training view opens filled in for it, with the time it will take.

The picture is written as one PNG into a folder of its own under the user data folder (training runs
in its own process and reads files); the training view's own Start runs it, with its live samples,
pause and cancel. The time is measured on this computer before starting: a few steps of the run
itself in a child process (`genimg train ... --time-steps`, ui/training/step_estimate.py), so it
holds this machine, these settings and whatever else runs now; the view's ETA takes over once it runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from genimg_desktop.core import paths
from genimg_desktop.core.imageio import save_image
from genimg_desktop.core.mask import mask_bbox
from genimg_desktop.ui.menu_items import add_action
from genimg_desktop.ui.training.run_files import format_duration
from genimg_desktop.ui.training.step_estimate import StepEstimate
from genimg_desktop.ui.training.train_view import FOLDER_CHOICE, TrainView
from genimg_desktop.ui.window_model import WindowModel

TITLE = "Train a texture"
MIN_SIDE = 64  # the training crop: a smaller picture has no room for one


@dataclass(frozen=True)
class PictureRecipe:
    """How a model is trained on the artist's picture: the training view's form, filled in."""

    family: str
    steps: int
    batch: int
    settings: str
    max_size: int  # the picture's side in training (the smaller of this and its own)
    name: str
    what: str  # the message's opening


TEXTURE = PictureRecipe(
    "texture", 600, 8, "crop=64", 512, "Texture from my picture", "A texture model from your picture"
)
# Five scales of 300 steps (batch 1: SinGAN learns one picture), the finest at 256 px: each step at the
# finest scale costs about as much as a texture step, so the run is about twice a texture's.
MULTISCALE = PictureRecipe(
    "singan",
    1500,
    1,
    "",
    256,
    "Multi-scale model of my picture",
    "A multi-scale (SinGAN-style) model of your picture, for a picture that is not one material all "
    "over: it trains five scales in turn, coarse to fine",
)


class TextureHost(Protocol):
    model: WindowModel

    def window(self) -> QWidget: ...

    def open_train_view(self) -> TrainView: ...


def add_to_menu(menu: QMenu, host: TextureHost, acts: dict[str, QAction]) -> None:
    acts["train_texture"] = add_action(
        menu, host, "Train a te&xture on this picture…", lambda: ask(host, TEXTURE)
    )
    acts["train_singan"] = add_action(
        menu,
        host,
        "Train a multi-&scale model on this picture (SinGAN-style)…",
        lambda: ask(host, MULTISCALE),
    )


def training_picture(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The picture's masked part (its bounding box) when a mask is painted, else all of it."""
    box = mask_bbox(mask)
    if box is None:
        return rgb
    left, top, width, height = box
    return rgb[top : top + height, left : left + width]


def ask(host: TextureHost, recipe: PictureRecipe = TEXTURE) -> TrainView | None:
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
    fill_in(view, str(folder), min(height, width, recipe.max_size), recipe)
    measure(view, recipe)
    return view


def fill_in(view: TrainView, folder: str, size: int, recipe: PictureRecipe) -> None:
    """The recipe in the view's form."""
    form = view.form
    form.data.setCurrentText(FOLDER_CHOICE)
    form.folder.setText(folder)
    form.family.setCurrentText(recipe.family)
    form.size.setValue(size)
    form.steps.setValue(recipe.steps)
    form.batch_size.setValue(recipe.batch)
    form.settings.setText(recipe.settings)
    form.name.setText(recipe.name)


def measure(view: TrainView, recipe: PictureRecipe) -> StepEstimate:
    """Time a few steps of the filled-in run on this computer and say in the view's message how long
    the run will take; Start before the measurement ends cancels it (the run needs the CPU)."""
    estimate = StepEstimate(view)
    estimate.measured.connect(lambda per_step, run_s: view.message.setText(said(recipe, per_step, run_s)))
    estimate.failed.connect(
        lambda why: view.message.setText(
            f"{recipe.what}. This computer's speed could not be measured ({why}); the time left "
            "shows once it runs. Press Start."
        )
    )
    view.start_button.clicked.connect(estimate.cancel)
    view.message.setText(f"{recipe.what}. Measuring how fast this computer trains it (a few steps)…")
    estimate.start(view.form.spec(view.settings.device_choice))
    return estimate


def said(recipe: PictureRecipe, per_step: float, run_s: float) -> str:
    """The message once measured: the whole run's time and what it rests on."""
    return (
        f"{recipe.what}. About {format_duration(run_s)} on this computer: {per_step:.2f} s a step, "
        f"measured just now with these settings and whatever else is running ({recipe.steps} steps). "
        "Press Start; the samples show it learning."
    )
