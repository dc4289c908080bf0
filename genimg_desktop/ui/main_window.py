"""The main window: canvas in the centre, docks for models, parameters and the gallery.

The window builds the widgets and wires them to its WindowModel (the open document, the staged
result, the chosen model, task and parameters, the job state) and to the JobRunner. Widgets change the
model; the runner takes a job's inputs from it to the EngineService's worker thread and its outcomes
come back as signals, into the model and on to the widgets (docs/ARCHITECTURE.md, "The window model").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QMimeData, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QColor, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QInputDialog,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from genimg_desktop import APP_NAME
from genimg_desktop.core.document import Document
from genimg_desktop.core.history import History
from genimg_desktop.core.imageio import LoadedImage
from genimg_desktop.core.model_card import ModelDescriptor
from genimg_desktop.core.params import TaskSpec
from genimg_desktop.ui import actions, file_ops, sample_actions, sample_upscale, subject_select
from genimg_desktop.ui.autosave import Autosaver
from genimg_desktop.ui.canvas import CanvasView, make_undo_stack
from genimg_desktop.ui.canvas.tool_controls import ToolControls
from genimg_desktop.ui.fit_guard import FitGuard
from genimg_desktop.ui.focus_home import FocusHome
from genimg_desktop.ui.gallery import Gallery
from genimg_desktop.ui.image_opener import ImageOpener
from genimg_desktop.ui.job_runner import JobRunner
from genimg_desktop.ui.model_folder import ModelFolder
from genimg_desktop.ui.open_progress import OpenProgress
from genimg_desktop.ui.outpaint import Outpainter
from genimg_desktop.ui.panels.model_picker import ModelPicker
from genimg_desktop.ui.panels.param_panel import ParamPanel
from genimg_desktop.ui.panels.run_panel import RunPanel
from genimg_desktop.ui.samples_panel import SamplesPanel
from genimg_desktop.ui.settings import Settings
from genimg_desktop.ui.staging_bar import StagingBar
from genimg_desktop.ui.status import StatusBar
from genimg_desktop.ui.training.train_view import TrainView
from genimg_desktop.ui.upscale import Upscaler
from genimg_desktop.ui.window_model import WindowModel

BLANK_SIZE = (1024, 768)


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.setObjectName("main_window")
        self.setAcceptDrops(True)
        self.undo_stack = make_undo_stack(self)
        self.model = WindowModel(Document.blank(*BLANK_SIZE), self)
        self.autosaver = Autosaver(self, self.settings.autosave_interval_s)
        self.autosaver.attach(self.model.document)
        self.autosaver.failed.connect(lambda msg: self.model.say(f"Autosave failed: {msg}", 8000))
        self.canvas = CanvasView(self.model.document, self.undo_stack, self)
        self.canvas.set_brush_size(self.settings.brush_size)
        self.canvas.set_brush_hardness(self.settings.brush_hardness)
        self.canvas.set_paint_colour(QColor(self.settings.brush_colour))
        self.tool_controls = ToolControls(
            self.canvas.brush_size, self.canvas.brush_hardness, self.canvas.paint_colour
        )
        self.focus_home = FocusHome(self.canvas)  # single keys never fall into a text field
        self._build_centre()
        self._build_docks()
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self.jobs = JobRunner(self.model, self)
        self.opener = ImageOpener(self.model, self)  # files load on a worker: the window stays live
        self.open_progress = OpenProgress(self.model)
        self.status.insertPermanentWidget(0, self.open_progress)
        self.fit_guard = FitGuard(self.picker, self.model, self)
        self.model_folder = ModelFolder(self, self.model, self.jobs)
        self.outpainter = Outpainter(self, self)  # Image > Extend canvas, from the command to Accept
        self.upscaler = Upscaler(self, self)  # Image > Upscale, from the dialog to the new picture
        self.acts = actions.build_menus(self)
        self.addToolBar(actions.build_toolbar(self, self.acts))
        self._connect()
        self._connect_model()
        self._connect_jobs()
        self._pending_restore: dict[str, Any] | None = None
        self.train_view: TrainView | None = None  # Models > Train a model… creates it
        self._close_after_save = False  # a close came while a save encoded
        self.update_title()
        self.resize(1400, 900)
        self._restore_geometry()

    # ----------------------------------------------------------------- layout

    def _build_centre(self) -> None:
        self.staging = StagingBar(self.settings.feather_px)
        centre = QWidget()
        layout = QVBoxLayout(centre)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.staging)
        layout.addWidget(self.canvas, 1)
        self.setCentralWidget(centre)

    def _build_docks(self) -> None:
        self.picker = ModelPicker()
        self.params = ParamPanel()
        run_panel = RunPanel(self.params)  # the dock keeps its size and the button its place
        self.run_button = run_panel.run_button
        self.gallery = Gallery(history=History())
        self.gallery.canvas_rgb = lambda: self.document.rgb()  # edits in the history are rebuilt on it
        self.samples = SamplesPanel()
        self.docks = [
            self._dock("Models", "models_dock", self.picker, Qt.DockWidgetArea.LeftDockWidgetArea),
            self._dock("Parameters", "params_dock", run_panel, Qt.DockWidgetArea.RightDockWidgetArea),
            self._dock("Gallery", "gallery_dock", self.gallery, Qt.DockWidgetArea.RightDockWidgetArea),
            self._dock("Samples", "samples_dock", self.samples, Qt.DockWidgetArea.BottomDockWidgetArea),
        ]
        self.samples_dock = self.docks[-1]
        self.samples_dock.hide()  # until there are samples to show

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    @property
    def document(self) -> Document:
        """The open document (the model holds it)."""
        return self.model.document

    def _connect(self) -> None:
        """Widgets to widgets, and widgets' requests to the model and the runner."""
        self.picker.selection_changed.connect(self.model.select)
        for changed in (
            self.params.values_changed,
            self.params.live.toggled,
            self.params.seed.random.toggled,
        ):
            changed.connect(self._params_to_model)
        self.run_button.clicked.connect(self.run_job)
        self.canvas.zoom_changed.connect(self.status.set_zoom)
        self.canvas.cursor_moved.connect(self.status.set_position)
        self.canvas.brush_changed.connect(self._brush_changed)
        self.tool_controls.size_changed.connect(self.canvas.set_brush_size)
        self.tool_controls.hardness_changed.connect(self.canvas.set_brush_hardness)
        self.tool_controls.colour_changed.connect(self.canvas.set_paint_colour)
        self.canvas.subject_requested.connect(lambda rect: subject_select.select_subject(self, rect))
        self.canvas.staged_changed.connect(self.staging.show_staged)
        self.canvas.staged_changed.connect(self._canvas_staged_changed)
        self.staging.accept_requested.connect(self.accept_result)
        self.staging.discard_requested.connect(self.model.discard_staged)
        self.staging.before_toggled.connect(self.canvas.set_show_before)
        self.staging.split_toggled.connect(self.canvas.set_split)
        self.status.cancel_requested.connect(self.jobs.cancel)
        self.open_progress.cancel_requested.connect(self.opener.cancel)
        self.opener.opened.connect(lambda opened: file_ops.finish_open(self, opened))
        self.opener.failed.connect(lambda path, error, fit: file_ops.open_failed(self, path, error, fit))
        self.opener.cancelled.connect(lambda path: file_ops.open_cancelled(self, path))
        self.gallery.stage_requested.connect(self.jobs.show_result)
        self.gallery.save_requested.connect(lambda result: file_ops.save_result(self, result))
        self.gallery.reuse_requested.connect(lambda result: self.restore_parameters(result.metadata()))
        self.samples.open_requested.connect(lambda r, i: sample_actions.open_sample(self, r, i))
        self.samples.place_requested.connect(lambda r, i: sample_actions.place_sample(self, r, i))
        self.samples.save_requested.connect(lambda r, i: sample_actions.save_sample(self, r, i))
        self.samples.upscale_requested.connect(lambda r, i: sample_upscale.ask(self, r, i))
        self.samples.animation_requested.connect(lambda r: sample_actions.save_sample_animation(self, r))
        # Bound methods, not lambdas, where a child may still signal while the window is deleted:
        # Qt drops a bound method's connection with its object.
        self.undo_stack.indexChanged.connect(self._undo_index_changed)

    def _connect_model(self) -> None:
        """The widgets follow the model."""
        m = self.model
        m.document_changed.connect(self._document_changed)
        m.saved.connect(self._saved)
        m.selection_changed.connect(self._selection_changed)
        m.seed_drawn.connect(self.params.seed.spin.setValue)
        m.staged_changed.connect(self._staged_changed)
        m.busy_changed.connect(self._update_run_button)
        m.models_changed.connect(self._models_listed)
        m.device_changed.connect(self.status.set_device)
        m.device_choice_changed.connect(self._device_choice_changed)
        m.message.connect(self.statusBar().showMessage)

    def _connect_jobs(self) -> None:
        """The widgets follow what the runner announces about a job."""
        jobs = self.jobs
        jobs.busy_changed.connect(self.status.set_busy)
        jobs.progress.connect(self.status.set_progress)
        jobs.preview.connect(self._preview)
        jobs.busy_changed.connect(self.samples.job_ended)  # a cancelled or failed preview goes
        jobs.samples.connect(self.show_samples)
        jobs.finished.connect(self.gallery.add_result)
        jobs.failed.connect(self._job_failed)
        jobs.refused.connect(lambda title, text: QMessageBox.information(self, title, text))
        jobs.model_errors.connect(self.picker.set_errors)
        jobs.device_failed.connect(lambda message: QMessageBox.warning(self, "Device", message))

    # --------------------------------------------------------------- engine

    def start_engine(self, service: Any = None) -> None:
        """Start the worker (imports torch there); call after the window is shown."""
        self.jobs.start(service, self.settings.device_choice)
        self.gallery.load_history()

    def _models_listed(self, models: list[ModelDescriptor]) -> None:
        self.picker.set_models(models)
        if self.train_view is not None:  # a model just trained can be the next run's start
            self.train_view.form.set_models(models)
        if self._pending_restore is not None:
            pending, self._pending_restore = self._pending_restore, None
            self.restore_parameters(pending)

    def choose_device(self, name: str) -> None:
        self.jobs.set_device(name)  # saved once the engine took it (_device_choice_changed)

    def _device_choice_changed(self, name: str) -> None:
        self.settings.device = name

    def _selection_changed(self, model: ModelDescriptor | None, task: TaskSpec | None) -> None:
        self.params.set_task(task)
        self._update_run_button()
        self.run_button.setText(f"{task.label}" if task else "Run")
        self.run_button.setToolTip(task.help if task else "")

    def _update_run_button(self, *_args: object) -> None:
        self.run_button.setEnabled(self.model.task is not None and not self.model.busy)

    def _params_to_model(self) -> None:
        seed = None if self.params.seed.random.isChecked() else self.params.seed.spin.value()
        self.model.set_params(self.params.values(), seed, self.params.live_enabled())

    def run_job(self) -> None:
        if self.fit_guard.confirm_run(self):  # a model that cannot work on this picture asks first
            self.jobs.run()

    def _preview(self, image: np.ndarray, mask: np.ndarray | None) -> None:
        """A job's image as it grows: over the canvas when it edits it, else in the samples panel."""
        if mask is not None:
            self.canvas.stage_result(image, mask)
        else:
            self.samples.show_preview(image, "Generating… (the first image, as it grows)")
            self.samples_dock.show()

    def show_samples(self, result: Any) -> None:
        """A generation result that is not an edit of the canvas: its images in the samples panel."""
        self.samples.show_result(result)
        self.samples_dock.show()
        self.samples_dock.raise_()

    def _job_failed(self, message: str, details: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "The job failed", message, parent=self)
        box.setDetailedText(details)
        box.open()  # not exec(): a message never blocks the worker's signals

    def escape(self) -> None:
        """Esc: cancel opening a file, else a running job, else discard a staged result."""
        if self.model.opening is not None:
            self.opener.cancel()
        elif self.model.busy:
            self.jobs.cancel()
        elif self.canvas.staged:
            self.model.discard_staged()

    def _canvas_staged_changed(self, staged: bool) -> None:
        if not staged:  # the canvas dropped it (a new document, accept): the model forgets it too
            self.model.discard_staged()

    def _staged_changed(self, result: Any) -> None:
        if result is None:
            self.canvas.discard_staged()
        else:
            self.canvas.stage_result(result.images[0], self.model.staged_mask)

    def accept_result(self, feather_px: float) -> None:
        result = self.model.staged
        # An Extend canvas fill goes into its own undo step, the border's (ui/outpaint.py).
        accepted = self.outpainter.accept() or self.canvas.accept_staged(feather_px)
        if accepted and result is not None:
            self.document.metadata = result.metadata()  # a saved PNG records how it was made
            self.settings.feather_px = int(feather_px)
            self.update_title()
            self.autosaver.save_now()  # an accepted result is the work most worth keeping

    # ------------------------------------------------------------ documents

    def set_loaded(self, loaded: LoadedImage, path: Path | None, mask: np.ndarray | None = None) -> None:
        """Show a freshly loaded image (and mask, from a project) as the document; undo starts anew.
        A picture opened scaled down is a new, unsaved document: saving must not replace the original."""
        scaled = loaded.scaled_from is not None and path is not None
        document = Document.from_loaded(loaded, None if scaled else path, mask)
        document.modified = scaled
        self.model.set_document(document, f"{path.name} scaled down" if scaled and path else "")
        if loaded.metadata:
            self.restore_parameters(loaded.metadata)
        if loaded.notes:  # after the restore's own message: what was converted or left out stays shown
            self.model.say("; ".join(loaded.notes), 8000)

    def set_document(self, document: Document) -> None:
        self.model.set_document(document)

    def _document_changed(self, document: Document) -> None:
        self.autosaver.attach(document)
        self.canvas.set_document(document)
        self.update_title()

    def ask_new_blank(self) -> None:
        if not file_ops.confirm_discard_changes(self):
            return
        text, ok = QInputDialog.getText(self, "New blank canvas", "Size (width x height):", text="1024 x 768")
        if not ok:
            return
        try:
            w, h = (int(part) for part in text.lower().replace("×", "x").split("x"))
            if not (1 <= w <= 16384 and 1 <= h <= 16384):
                raise ValueError
        except ValueError:
            QMessageBox.warning(self, "New canvas", f"'{text}' is not a size like 1024 x 768 (1 to 16384).")
            return
        self.set_document(Document.blank(w, h))

    def restore_parameters(self, meta: dict[str, Any]) -> bool:
        """Select the model and task named in `meta` and set its parameters and seed."""
        model_id, task = meta.get("model"), meta.get("task")
        if not isinstance(model_id, str):
            return False
        if not self.model.models:
            self._pending_restore = dict(meta)  # models are listed a moment after start-up
            return False
        if not self.picker.select(model_id, task if isinstance(task, str) else None):
            self.model.say(f"The image was made with model '{model_id}', which is not installed", 8000)
            return False
        skipped = self.params.set_values(meta.get("params") or {})
        if isinstance(meta.get("seed"), (int, float)):
            self.params.seed.set_fixed(int(meta["seed"]))
        note = f" (skipped: {', '.join(skipped)})" if skipped else ""
        self.model.say(f"Parameters restored from the image: {model_id} / {task}{note}", 8000)
        return True

    def _undo_index_changed(self, _index: int) -> None:
        self.update_title()

    def _saved(self, _path: Path) -> None:
        self.update_title()

    def _brush_changed(self) -> None:
        canvas = self.canvas
        self.tool_controls.show_brush(canvas.brush_size, canvas.brush_hardness, canvas.paint_colour)

    def update_title(self) -> None:
        name = self.model.title_name()
        w, h = self.document.size
        star = "*" if self.document.modified else ""
        self.setWindowTitle(f"{name}{star} ({w}×{h}) — {APP_NAME}")

    # ------------------------------------------------------------ training

    def open_train_view(self) -> TrainView:
        """Show the training view (one per window, kept while hidden so a run goes on)."""
        if self.train_view is None:
            self.train_view = TrainView(self, self.settings)
            self.train_view.trained.connect(lambda _model_id: self.model_folder.reload())
        self.train_view.form.set_models(self.model.models)
        self.train_view.show()
        self.train_view.raise_()
        self.train_view.activateWindow()
        return self.train_view

    def _training_may_end(self) -> bool:
        """On closing: False keeps the window open (the artist chose to keep training)."""
        return self.train_view is None or self.train_view.confirm_close()  # stops a run it lets go

    # --------------------------------------------------- drag, drop, close

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if _first_local_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        path = _first_local_file(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            file_ops.open_path(self, path)

    def _restore_geometry(self) -> None:
        if not self.settings.window_geometry.isEmpty():
            self.restoreGeometry(self.settings.window_geometry)
        if not self.settings.window_state.isEmpty():
            self.restoreState(self.settings.window_state)

    def save_settings(self) -> None:
        self.settings.window_geometry = self.saveGeometry()
        self.settings.window_state = self.saveState()
        self.settings.brush_size = int(self.canvas.brush_size)
        self.settings.brush_hardness = float(self.canvas.brush_hardness)
        self.settings.brush_colour = self.canvas.paint_colour.name()
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.model.saving is not None:  # a logout's close while a save encodes: the file lands first
            event.ignore()
            if not self._close_after_save:
                self._close_after_save = True
                self.model.saving_changed.connect(self._saved_then_close)
            self.model.say("The window closes once the save has finished")
            return
        if not file_ops.confirm_discard_changes(self) or not self._training_may_end():
            event.ignore()
            return
        self.shut_down()
        event.accept()

    def _saved_then_close(self, saving: Path | None) -> None:
        if saving is None:
            self.model.saving_changed.disconnect(self._saved_then_close)
            self._close_after_save = False
            QTimer.singleShot(0, self, self._close_if_open)  # after the save's outcome: a failure asks

    def _close_if_open(self) -> None:
        if self.isVisible():  # a "save changes?" that began the save may have closed it since
            self.close()

    def shut_down(self, keep_work: bool = False) -> str | None:
        """Stop what the window runs. A clean exit removes the autosave; `keep_work` (a signal ends the
        app, ui/exit_signals.py) writes it and keeps it for the next start. Returns an autosave error."""
        self.save_settings()
        self.opener.shutdown()
        self.jobs.shutdown()
        self.gallery.shutdown()  # the last results finish going into the history
        if keep_work:
            return self.autosaver.keep_for_recovery()
        self.autosaver.shutdown()  # a clean exit: nothing to recover next time
        return None


def _first_local_file(data: QMimeData | None) -> Path | None:
    if data is None or not data.hasUrls():
        return None
    for url in data.urls():
        if url.isLocalFile():
            return Path(url.toLocalFile())
    return None
