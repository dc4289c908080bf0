"""Scripted studio scenes for the docs' screenshots (`genimg gui --demo VIEW --screenshot FILE`).

Each scene drives the real window the way an artist would: pick a model and task in the picker, set
parameters and a fixed seed, press the run button, open a sample, type in the gallery's search box,
open the model manager or the training view. The jobs run on the real engine with the installed
models; when the scene has what it wants on screen it grabs the window (or the dialog the view
lives in) into FILE and quits. `make screenshots` runs every scene under Xvfb with a throw-away
GENIMG_HOME, so nothing touches the user's history, settings or models.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from genimg_desktop.core.imageio import LoadedImage, save_image
from genimg_desktop.core.request import GenerationResult
from genimg_desktop.ui import sample_actions, subject_select
from genimg_desktop.ui.demo_photo import demo_photo
from genimg_desktop.ui.training import train_view

if TYPE_CHECKING:
    from genimg_desktop.ui.main_window import MainWindow

WINDOW_SIZE = (1280, 800)
GAN = "gan-fashion-mnist-28"
VAE = "vae-fashion-mnist-28"
EMOJI_VAE = "vae-emoji-64"
PIXELCNN = "pixelcnn-fashion-mnist-28"
EMOJI_PIXELCNN = "pixelcnn-emoji-32"
TRAIN_SHOT_STEP = 120  # the training view is grabbed once the run has logged this many steps
TRAIN_TIMEOUT_MS = 240_000
OUTPAINT_BORDER = (200, 60, 200, 60)  # the coffee photo (600 x 400) widened to 1000 x 520
SUBJECT_BOX = (60, 10, 440, 380)  # around its cup and saucer


class Scene:
    """One scripted visit to a studio view, ending in a screenshot."""

    def __init__(self, window: MainWindow, screenshot: Path | None) -> None:
        self.win = window
        self.screenshot = screenshot
        self.folder: tempfile.TemporaryDirectory[str] | None = None  # files a scene writes, then removes

    # ---------------------------------------------------------------- steps

    def run(
        self,
        model_id: str,
        task: str,
        params: dict[str, Any],
        seed: int,
        then: Callable[[GenerationResult], None],
    ) -> None:
        """Select model and task, set the parameters and a fixed seed, press Run; `then(result)`."""
        win = self.win
        if not win.picker.select(model_id, task):
            self.fail(f"model {model_id} with task {task} is not installed")
            return
        skipped = win.params.set_values(params)
        if skipped:
            self.fail(f"{model_id} / {task} has no parameter(s) {', '.join(skipped)}")
            return
        win.params.seed.set_fixed(seed)
        service = win.jobs.service
        assert service is not None

        job: list[int | None] = [None]

        def finished(job_id: int, result: GenerationResult) -> None:
            if job_id == job[0]:
                disconnect()
                QTimer.singleShot(0, lambda: then(result))

        def failed(job_id: int, message: str, _details: str) -> None:
            if job_id == job[0]:
                disconnect()
                self.fail(f"{model_id} / {task} failed: {message}")

        def disconnect() -> None:
            service.job_finished.disconnect(finished)
            service.job_failed.disconnect(failed)

        service.job_finished.connect(finished)
        service.job_failed.connect(failed)
        win.run_button.click()
        job[0] = win.jobs.job_id  # signals are queued: none of this job's has arrived yet
        if job[0] is None:
            disconnect()
            self.fail(f"{model_id} / {task} did not start")

    def grab(self, widget: QWidget | None = None, delay_ms: int = 400) -> None:
        """Let the window settle (layouts, thumbnails), save the screenshot and quit; without a
        screenshot to take, the scene's state stays on screen to look at and use."""

        def save() -> None:
            current = self.win.gallery.list.currentItem()
            if current is not None:  # a dock resized by the scene may have scrolled it away
                self.win.gallery.list.scrollToItem(current)
            if self.screenshot is None:
                return
            self.screenshot.parent.mkdir(parents=True, exist_ok=True)
            (widget or self.win).grab().save(str(self.screenshot))
            print(f"screenshot saved to {self.screenshot}")
            self.quit(0)

        QTimer.singleShot(delay_ms, save)

    def quit(self, code: int) -> None:
        """Leave nothing that would ask a question on the way out (unsaved sample, running training)."""
        self.win.document.modified = False
        view = self.win.train_view
        if view is not None and view.process.running:
            view.process.stop_and_wait()
        self.win.close()  # the real way out: jobs cancelled, history written, autosave cleaned up
        QApplication.instance().exit(code)

    def fail(self, message: str) -> None:
        print(f"demo scene failed: {message}", file=sys.stderr)
        self.quit(1)

    def show_samples_large(self, height: int = 330) -> None:
        self.win.samples_dock.show()
        self.win.resizeDocks([self.win.samples_dock], [height], Qt.Orientation.Vertical)

    def open_photo(self, name: str) -> None:
        """scikit-image's photo `name` as the open document."""
        rgb = demo_photo(name)
        rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
        self.win.set_loaded(LoadedImage(rgba, "RGB", "PNG", (rgb.shape[1], rgb.shape[0]), {}, []), None)

    # --------------------------------------------------------------- scenes

    def outpaint(self) -> None:
        """Image > Extend canvas on a photo: the new border filled by PatchMatch, staged to accept."""
        self.open_photo("coffee")
        win = self.win

        def staged(result: GenerationResult | None) -> None:
            if result is not None:
                win.model.staged_changed.disconnect(staged)
                self.grab()

        win.model.staged_changed.connect(staged)
        if not win.outpainter.start(OUTPAINT_BORDER, "patchmatch"):
            self.fail("Extend canvas did not start (is PatchMatch installed?)")

    def subject(self) -> None:
        """Mask > Select subject: a box drawn around the cup, its mask grown past the outline."""
        self.open_photo("coffee")
        self.win.acts["tool_subject"].trigger()

        def done(added: bool) -> None:
            if added:
                self.grab()
            else:
                self.fail("Select subject found nothing")

        subject_select.select_subject(self.win, SUBJECT_BOX, done=done)

    def generate(self) -> None:
        """Generate: 20 coats from the Fashion-MNIST GAN; the third opened as a new image."""
        self.sample_grid(GAN, {"class": "Coat", "count": 20, "truncation": 0.0}, 7, opened=2)

    def emoji(self) -> None:
        """Emoji: 16 people from the emoji VAE, drawn from its fitted latent prior; the ninth opened."""
        params = {"class": "People & Body", "count": 16, "temperature": 1.0}
        self.sample_grid(EMOJI_VAE, params, 2, opened=8)

    def emoji_pixels(self) -> None:
        """Emoji pixels: 16 smileys from the two-scale emoji PixelCNN at class guidance 2; one opened."""
        params = {"class": "Smileys & Emotion", "count": 16, "guidance": 2.0}
        self.sample_grid(EMOJI_PIXELCNN, params, 3, opened=5)

    def sample_grid(self, model_id: str, params: dict[str, Any], seed: int, opened: int) -> None:
        """A grid of samples, one of them opened as a new image. The window is a little taller here,
        so that both rows of samples show whole."""
        self.win.resize(WINDOW_SIZE[0], WINDOW_SIZE[1] + 80)

        def shown(result: GenerationResult) -> None:
            sample_actions.open_sample(self.win, result, opened)
            self.show_samples_large(420)
            self.win.samples.list.setCurrentRow(opened)
            self.grab()

        self.run(model_id, "sample", params, seed, shown)

    def explore(self) -> None:
        """Explore: a GAN interpolation from a sneaker to an ankle boot, 10 frames; one opened."""
        params = {"class": "Sneaker", "class_b": "Ankle boot", "seed_b": 21, "frames": 10, "truncation": 0.0}

        def shown(result: GenerationResult) -> None:
            sample_actions.open_sample(self.win, result, 5)
            self.show_samples_large()
            self.win.samples.list.setCurrentRow(5)
            self.grab()

        self.run(GAN, "interpolate", params, 7, shown)

    def between(self) -> None:
        """Between two pictures: a GAN sneaker opened on the canvas, a GAN ankle boot saved as a file,
        and the VAE's interpolation from the one to the other (the canvas encoded, the file encoded)."""
        self.win.resize(WINDOW_SIZE[0], WINDOW_SIZE[1] + 80)
        self.folder = tempfile.TemporaryDirectory(prefix="genimg-between-")  # removed with the scene
        boot = Path(self.folder.name) / "ankle-boot.png"

        def sneaker(result: GenerationResult) -> None:
            sample_actions.open_sample(self.win, result, 0)
            self.run(GAN, "sample", {"class": "Ankle boot", "count": 1, "truncation": 0.0}, 5, saved)

        def saved(result: GenerationResult) -> None:
            save_image(boot, result.images[0])
            params = {"start": "canvas", "end": "file", "end_image": str(boot), "frames": 10}
            self.run(VAE, "interpolate", params, 0, shown)

        def shown(result: GenerationResult) -> None:
            self.show_samples_large(300)
            self.win.samples.list.setCurrentRow(5)
            self.grab()

        self.run(GAN, "sample", {"class": "Sneaker", "count": 1, "truncation": 0.0}, 3, sneaker)

    def autoregressive(self) -> None:
        """Autoregressive: a PixelCNN sample caught while it grows row by row (the finished grid if
        the job is too quick to catch), beside a finished PixelCNN image opened on the canvas."""

        def first(result: GenerationResult) -> None:
            sample_actions.open_sample(self.win, result, 0)
            service = self.win.jobs.service
            assert service is not None
            caught = []

            def progress(job_id: int, fraction: float, _message: str) -> None:
                if not caught and job_id == self.win.jobs.job_id and fraction >= 0.55:
                    caught.append(job_id)
                    service.job_progress.disconnect(progress)
                    self.grab(delay_ms=0)  # mid-job: quitting cancels the rest of it

            def done(_result: GenerationResult) -> None:
                if not caught:  # too quick to catch mid-way: the finished images
                    service.job_progress.disconnect(progress)
                    self.grab()

            service.job_progress.connect(progress)
            self.show_samples_large(250)
            self.run(PIXELCNN, "sample", {"class": "T-shirt/top", "count": 4, "temperature": 1.0}, 4, done)

        self.run(PIXELCNN, "sample", {"class": "Bag", "count": 1, "temperature": 1.0}, 6, first)

    def likelihood(self) -> None:
        """Likelihood: a GAN ankle boot opened on the canvas, scored by the PixelCNN (bits/dim, most
        likely class, a map of the surprising pixels)."""

        def scored(_result: GenerationResult) -> None:
            self.show_samples_large(250)
            self.grab()

        def opened(result: GenerationResult) -> None:
            sample_actions.open_sample(self.win, result, 0)
            self.run(PIXELCNN, "likelihood", {"class": "any"}, 0, scored)

        self.run(GAN, "sample", {"class": "Ankle boot", "count": 1, "truncation": 0.0}, 1, opened)

    def models(self) -> None:
        """Models: the model manager on the Fashion-MNIST GAN's card (metrics, sample grid)."""
        manager = self.win.model_folder.open_manager()
        manager.resize(1100, 760)
        ids = [model.id for model in manager.models]
        if GAN not in ids:
            self.fail(f"{GAN} is not installed")
            return
        manager.list.setCurrentRow(ids.index(GAN))
        self.grab(manager)

    def train(self) -> None:
        """Train: a small VAE on Fashion-MNIST started from the training view, grabbed mid-run."""
        view = self.win.open_train_view()
        form = view.form
        form.data.setCurrentText("fashion-mnist")
        form.family.setCurrentText("vae")
        form.steps.setValue(600)
        form.batch_size.setValue(32)
        form.sample_every.setValue(40)
        form.name.setText("Demo fashion VAE")
        if not view.start():
            self.fail(f"the training did not start: {view.message.text()}")
            return
        timer = QTimer(view)
        timer.setInterval(500)
        started = [0]

        def check() -> None:
            started[0] += timer.interval()
            if view.state != train_view.RUNNING and view.state != train_view.PAUSING:
                timer.stop()
                self.fail(f"the training stopped: {view.message.text()}")
            elif (view.step >= TRAIN_SHOT_STEP and view.grid_path is not None) or (
                started[0] >= TRAIN_TIMEOUT_MS
            ):
                timer.stop()
                self.grab(view, delay_ms=600)

        timer.timeout.connect(check)
        timer.start()

    def history(self) -> None:
        """History: a few results (plus any earlier sessions' from the history on disk), then a search
        typed into the gallery's search box."""
        jobs: list[tuple[str, str, dict[str, Any], int]] = [
            (GAN, "sample", {"class": "Sneaker", "count": 4, "truncation": 0.0}, 1),
            (GAN, "sample", {"class": "Bag", "count": 4, "truncation": 0.7}, 2),
            (VAE, "sample", {"count": 4}, 3),
            (GAN, "variations", {"class": "Sneaker", "count": 4, "strength": 0.5}, 4),
            (GAN, "sample", {"class": "Sneaker", "count": 4, "truncation": 1.0}, 5),
            (GAN, "sample", {"class": "Dress", "count": 4, "truncation": 0.7}, 6),
        ]

        def next_job(_result: GenerationResult | None = None) -> None:
            if jobs:
                model_id, task, params, seed = jobs.pop(0)
                self.run(model_id, task, params, seed, next_job)
            else:
                QTimer.singleShot(300, search)

        def search() -> None:
            gallery = self.win.gallery
            gallery.search.setFocus()
            gallery.search.setText("class=sneaker")
            shown = [row for row in range(gallery.list.count()) if not gallery.list.item(row).isHidden()]
            results = gallery.results()
            for row in shown:  # the variations of a sneaker: back on screen, then reused
                source = results[gallery.list.item(row).data(Qt.ItemDataRole.UserRole)]
                meta = source.metadata() if isinstance(source, GenerationResult) else source.meta
                if meta.get("task") == "variations":
                    gallery.list.setCurrentRow(row)
            gallery.stage_button.click()  # a sample grid is shown in the samples panel
            self.win.samples.open_button.click()  # its first image opened on the canvas
            self.win.samples_dock.hide()  # closed, to give the gallery the room
            gallery.reuse_button.click()  # model, task, parameters and seed as they were
            self.win.resizeDocks([self.win.docks[2]], [560], Qt.Orientation.Vertical)
            self.win.resizeDocks([self.win.docks[2]], [420], Qt.Orientation.Horizontal)
            self.grab()

        next_job()


SCENES = (
    "generate",
    "emoji",
    "emoji_pixels",
    "explore",
    "between",
    "autoregressive",
    "likelihood",
    "train",
    "models",
    "history",
    "outpaint",
    "subject",
)


def start_scene(window: MainWindow, name: str, screenshot: Path | None) -> None:
    """Run the scene `name` once the engine has listed the models."""
    scene = Scene(window, screenshot)
    window.resize(*WINDOW_SIZE)
    getattr(scene, name)()
