"""The training view (Models > Train a model…): a form for a `genimg train` run, Start / Pause / Resume /
Cancel, and the run as it goes: step and ETA, the newest sample grid, loss curves and the last lines of
the process output.

The run is a child process (train_process.py) writing into `<user data>/runs/<model id>`; the view reads
that folder on a timer (run_files.py). The finished model lands in the user's models folder, where the
window's folder watcher (and an explicit reload) lists it in the picker.
"""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from genimg_desktop import APP_NAME
from genimg_desktop.core import paths
from genimg_desktop.core.run_folder import LOSS_LOG
from genimg_desktop.ui.training.loss_plot import LossPlot
from genimg_desktop.ui.training.run_files import (
    LossTail,
    StepClock,
    format_duration,
    has_checkpoint,
    last_logged_step,
    newest_sample,
)
from genimg_desktop.ui.training.train_process import Outcome, TrainProcess, TrainSpec, model_id_from

if TYPE_CHECKING:
    from genimg_desktop.core.model_card import ModelDescriptor
    from genimg_desktop.ui.settings import Settings

FOLDER_CHOICE = "My images (a folder)"
NEW_MODEL = "Nothing: a new model"
DATASETS = ("fashion-mnist", "mnist", "emoji", "openclipart")
# The fill network and the texture GAN train on crops of pictures of this side, SinGAN on one picture
# of it (all then run at any size).
FAMILY_SIZE = {"inpaint": 256, "texture": 256, "singan": 256}
DATASET_SIZE = {"fashion-mnist": 28, "mnist": 28}  # their native size; others default to 32
POLL_MS = 500
OUTPUT_SHOWN = 300  # lines of process output the view keeps

# States of the view; the buttons follow them (see TrainView._update_buttons).
IDLE, RUNNING, PAUSING, PAUSED, CANCELLING = "idle", "running", "pausing", "paused", "cancelling"
DONE, FAILED, CANCELLED = "done", "failed", "cancelled"


# Ticked by default for a GAN on a small set (a folder of your pictures, the 1,676 emoji): DiffAugment,
# class-sorted stddev groups and styles from w, the recipe of the shipped emoji GAN
# (engine/gan/config.py). Without them a GAN on a few dozen pictures collapses onto a few images.
SMALL_DATA_SETTINGS = {"gan": "augment=translation,cutout,color class_groups=true style_from_w=true"}
SMALL_DATA_WORDS = {"gan": "Recipe for few pictures"}  # short: longer words were cut off in the form's column
SMALL_DATASETS = ("emoji",)
SAMPLE_MINUTES = 2.0  # a first sample grid after this long on any machine, then one as often


def trainable_families() -> dict[str, float]:
    """The families the view trains (those whose models the app runs), each with its default learning
    rate, from engine/families.py. Imported when the form is built, not with the window: the family
    list brings torch with it, and the window must show before torch is loaded."""
    from genimg_desktop.engine.families import FAMILY_LIST

    return {entry.name: entry.lr or 0.0 for entry in FAMILY_LIST if entry.trains_generator}


class TrainForm(QWidget):
    """The run's settings; `spec()` turns them into a TrainSpec or raises ValueError with the reason."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data = _combo((FOLDER_CHOICE, *DATASETS))
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("a folder of your pictures (subfolders = classes)")
        self.browse = QPushButton("Browse…")
        self._default_lr = trainable_families()
        self.family = _combo(tuple(self._default_lr))
        self.size = _spin(8, 512, 32, " px")
        self.steps = _spin(1, 10_000_000, 2000)
        self.batch_size = _spin(1, 4096, 64)
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(6)
        self.lr.setRange(1e-6, 1.0)
        self.lr.setSingleStep(1e-4)
        self.sample_minutes = QDoubleSpinBox()
        self.sample_minutes.setRange(0.0, 600.0)
        self.sample_minutes.setDecimals(1)
        self.sample_minutes.setSuffix(" min")
        self.sample_minutes.setSpecialValueText("never")
        self.sample_minutes.setValue(SAMPLE_MINUTES)
        self.sample_minutes.setToolTip(
            "Minutes of training between sample grids, so the first one comes early on any machine "
            "(a step may take a second on a laptop CPU and a millisecond on a GPU)"
        )
        self.sample_every = _spin(0, 1_000_000, 0, " steps")
        self.sample_every.setSpecialValueText("—")
        self.sample_every.setToolTip(
            "Also a grid every so many steps (—: by time only); always one at the end"
        )
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. My drawings")
        self.id_label = QLabel()
        self.small_data = QCheckBox()
        self.small_data.setToolTip(
            "Trains on shifted, cut-out and recoloured copies, classes kept apart. Without it a GAN "
            "on a few dozen pictures collapses onto a few images. Sets " + SMALL_DATA_SETTINGS["gan"]
        )
        self.settings = QLineEdit()
        self.settings.setPlaceholderText("advanced, for experts: KEY=VALUE …")
        self.start_from = QComboBox()
        self.start_from.setToolTip(
            "Fine-tune a model you have instead of starting from nothing: far better on a few dozen "
            "pictures. It keeps that model's size and architecture; other classes get a fresh class layer."
        )
        self._models: list[ModelDescriptor] = []
        self._lay_out()
        self.data.currentTextChanged.connect(self._data_changed)
        self.family.currentTextChanged.connect(self._family_changed)
        for signal in (self.name.textChanged, self.family.currentTextChanged, self.size.valueChanged):
            signal.connect(self._show_id)
        self.folder.textChanged.connect(self._show_id)
        self.browse.clicked.connect(self._browse)
        self.start_from.currentIndexChanged.connect(self._start_from_changed)
        self._family_changed(self.family.currentText())
        self._data_changed(self.data.currentText())

    def _lay_out(self) -> None:
        form = QFormLayout(self)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.browse)
        form.addRow("Images", self.data)
        form.addRow("", folder_row)
        form.addRow("Family", self.family)
        form.addRow("Start from", self.start_from)
        form.addRow("Size", self.size)
        form.addRow("Length (steps)", self.steps)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Learning rate", self.lr)
        sample_row = QHBoxLayout()
        sample_row.addWidget(self.sample_minutes, 1)
        sample_row.addWidget(QLabel("or"))
        sample_row.addWidget(self.sample_every, 1)
        form.addRow("Sample every", sample_row)
        form.addRow("Model name", self.name)
        form.addRow("", self.id_label)
        form.addRow("", self.small_data)
        form.addRow("More settings", self.settings)

    def _data_changed(self, choice: str) -> None:
        is_folder = choice == FOLDER_CHOICE
        self.folder.setEnabled(is_folder)
        self.browse.setEnabled(is_folder)
        self.size.setValue(DATASET_SIZE.get(choice, 32))
        self._start_from_changed()  # a model to start from keeps its own size
        self._show_id()
        self._suggest_settings()

    def _family_changed(self, family: str) -> None:
        self.lr.setValue(self._default_lr[family])
        if family in FAMILY_SIZE:
            self.size.setValue(FAMILY_SIZE[family])
        self._suggest_settings()
        self._list_start_models()

    def set_models(self, models: list[ModelDescriptor]) -> None:
        """The models a run may start from (those of the chosen family are offered)."""
        self._models = list(models)
        self._list_start_models()

    def _list_start_models(self) -> None:
        chosen = self.start_from.currentData()
        family = self.family.currentText()
        self.start_from.blockSignals(True)
        self.start_from.clear()
        self.start_from.addItem(NEW_MODEL, "")
        for model in self._models:
            if model.card.family == family:
                self.start_from.addItem(f"{model.card.name} ({model.id})", model.id)
        index = self.start_from.findData(chosen) if chosen else 0
        self.start_from.setCurrentIndex(max(index, 0))
        self.start_from.blockSignals(False)
        self._start_from_changed()

    def _start_from_changed(self) -> None:
        """A model to start from fixes the size (its weights work at its own resolution)."""
        source = self.start_model()
        resolution = source.card.resolution if source is not None else None
        if resolution:
            self.size.setValue(resolution)
        self.size.setEnabled(not resolution)

    def start_model(self) -> ModelDescriptor | None:
        wanted = self.start_from.currentData()
        return next((m for m in self._models if m.id == wanted), None) if wanted else None

    def _suggest_settings(self) -> None:
        """Offer the small-data recipe for a family that has one, ticked for a small set of pictures."""
        family = self.family.currentText()
        self.small_data.setVisible(family in SMALL_DATA_SETTINGS)
        self.small_data.setText(SMALL_DATA_WORDS.get(family, ""))
        self.small_data.setChecked(self.data.currentText() in (FOLDER_CHOICE, *SMALL_DATASETS))

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of your images", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def data_source(self) -> str:
        """The --data value: a dataset name, or the chosen folder (checked to exist)."""
        choice = self.data.currentText()
        if choice != FOLDER_CHOICE:
            return choice
        text = self.folder.text().strip()
        if not text:
            raise ValueError("Choose the folder of your images (or a built-in dataset).")
        if not Path(text).expanduser().is_dir():
            raise ValueError(f"There is no folder {text}.")
        return str(Path(text).expanduser().resolve())

    def model_id(self) -> str:
        choice = self.data.currentText()
        source = Path(self.folder.text().strip()).name if choice == FOLDER_CHOICE else choice
        fallback = model_id_from(
            f"{self.family.currentText()}-{source or 'images'}-{self.size.value()}", "model"
        )
        return model_id_from(self.name.text(), fallback)

    def _show_id(self) -> None:
        self.id_label.setText(f"model id: {self.model_id()}")

    def family_settings(self) -> tuple[str, ...]:
        """The recipe's pairs when ticked, then the typed ones (a typed key wins)."""
        recipe = SMALL_DATA_SETTINGS.get(self.family.currentText(), "") if self.small_data.isChecked() else ""
        typed = tuple(shlex.split(self.settings.text()))
        bad = [pair for pair in typed if "=" not in pair]
        if bad:
            raise ValueError(f"More settings are KEY=VALUE pairs; '{bad[0]}' is not.")
        return (*recipe.split(), *typed)

    def spec(self, device: str = "auto") -> TrainSpec:
        return TrainSpec(
            family=self.family.currentText(),
            data=self.data_source(),
            size=self.size.value(),
            steps=self.steps.value(),
            batch_size=self.batch_size.value(),
            lr=float(self.lr.value()),
            model_id=self.model_id(),
            name=self.name.text().strip(),
            sample_every=self.sample_every.value(),
            sample_minutes=float(self.sample_minutes.value()),
            device=device,
            settings=self.family_settings(),
            init_from=self.start_from.currentData() or "",
        )


class GridView(QLabel):
    """The newest sample grid, scaled to the space it has (nearest neighbour: grids are small)."""

    def __init__(self) -> None:
        super().__init__("The sample grid appears here")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(220, 220)
        # The pixmap follows the label's size, so its size must not follow the pixmap's.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._source = QPixmap()

    def set_image(self, path: Path) -> bool:
        pixmap = QPixmap(str(path))
        if pixmap.isNull():  # not readable (yet): try again at the next poll
            return False
        self._source = pixmap
        self._rescale()
        return True

    def reset(self) -> None:
        self._source = QPixmap()
        self.clear()
        self.setText("The sample grid appears here")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if not self._source.isNull():
            self.setPixmap(
                self._source.scaled(
                    self.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
                )
            )


class TrainView(QDialog):
    """Emits `trained(model id)` when a run has written its model into the user's models folder."""

    trained = Signal(str)

    def __init__(self, parent: QWidget, settings: Settings) -> None:
        # A window of its own, not a child of `parent`: a child is its transient, which the window
        # manager minimises (and raises) together with it, so minimising the view hid the editor.
        super().__init__(None)
        self.owner = parent
        parent.destroyed.connect(self.deleteLater)
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)  # the editor's closing ends the app
        self.setWindowFlag(Qt.WindowType.WindowMinimizeButtonHint, True)
        self.settings = settings
        self.setObjectName("train_view")
        self.setWindowTitle(f"Train a model — {APP_NAME}")
        self.state = IDLE
        self.step = 0
        self.spec: TrainSpec | None = None
        self.grid_path: Path | None = None
        self.grid_stamp: tuple[Path, int] | None = None  # path and mtime: the last grid shown
        self.tail: LossTail | None = None
        self.clock = StepClock()
        self.process = TrainProcess(self)
        self._build()
        self._connect()
        self._update_buttons()
        self.resize(1200, 720)

    # --------------------------------------------------------------- layout

    def _build(self) -> None:
        self.form = TrainForm()
        self.start_button, self.pause_button = QPushButton("Start"), QPushButton("Pause")
        self.resume_button, self.cancel_button = QPushButton("Resume"), QPushButton("Cancel")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setFormat("")
        self.grid = GridView()
        self.grid_caption = QLabel("Samples")
        self.plot = LossPlot()
        self.output = QPlainTextEdit()
        self.output.setReadOnly(True)
        self.output.setMaximumBlockCount(OUTPUT_SHOWN)
        self.output.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.output.setPlaceholderText("The training process's output appears here")
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        layout = QHBoxLayout(self)
        layout.addWidget(self._left_column())
        layout.addLayout(self._right_column(), 1)

    def _left_column(self) -> QWidget:
        column = QWidget()
        column.setFixedWidth(360)
        layout = QVBoxLayout(column)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.form)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.resume_button, self.cancel_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addStretch(1)
        return column

    def _right_column(self) -> QVBoxLayout:
        samples = QVBoxLayout()
        samples.addWidget(self.grid_caption)
        samples.addWidget(self.grid, 1)
        top = QHBoxLayout()
        top.addLayout(samples, 1)
        top.addWidget(self.plot, 1)
        column = QVBoxLayout()
        column.addLayout(top, 3)
        column.addWidget(QLabel("Process output"))
        column.addWidget(self.output, 1)
        return column

    def _connect(self) -> None:
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.pause)
        self.resume_button.clicked.connect(self.resume)
        self.cancel_button.clicked.connect(self.cancel)
        self.timer.timeout.connect(self.poll)
        self.process.output.connect(lambda lines: self.output.appendPlainText("\n".join(lines)))
        self.process.ended.connect(self._ended)

    # -------------------------------------------------------------- actions

    def start(self) -> bool:
        """Start the run the form describes (asking first when its run folder or model already exists)."""
        try:
            spec = self.form.spec(self.settings.device_choice)
        except ValueError as exc:
            self._set_message(str(exc), error=True)
            return False
        resuming = has_checkpoint(spec.run_dir)
        if resuming:
            answer = self._ask_continue(spec)
            if answer == QMessageBox.StandardButton.No:
                resuming = False
            elif answer != QMessageBox.StandardButton.Yes:
                return False
        if not resuming:
            if not self._may_replace_model(spec):
                return False
            shutil.rmtree(spec.run_dir, ignore_errors=True)  # leftovers of an earlier run of this id
        self._launch(spec, fresh=True)
        return True

    def pause(self) -> None:
        """Ask the run to checkpoint and exit; the view shows Paused when it has."""
        if self.state == RUNNING:
            self.process.request_stop()
            self._set_state(PAUSING, f"Pausing after step {self.step + 1}…")

    def resume(self) -> None:
        """The same command again: `genimg train` continues from the run folder's checkpoint."""
        if self.state == PAUSED and self.spec is not None:
            self._launch(self.spec, fresh=False)

    def cancel(self) -> None:
        """Stop at once: a stop request, then a kill after a few seconds."""
        if self.process.running:
            self.process.cancel()
            self._set_state(CANCELLING, "Cancelling…")

    def confirm_close(self) -> bool:
        """The window is closing: while a run trains, ask, then stop it cleanly (it keeps a checkpoint)."""
        if not self.process.running:
            return True
        answer = QMessageBox.question(
            self.owner,
            APP_NAME,
            "A model is training. Stop the training and quit?\n\n"
            "It stops at a checkpoint: start the same model again later to continue it.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self._set_message("Stopping the training…")
        self.process.stop_and_wait()
        return True

    # ------------------------------------------------------------- running

    def _launch(self, spec: TrainSpec, fresh: bool) -> None:
        self.spec = spec
        if fresh:
            self.plot.clear()
            self.grid.reset()
            self.grid_caption.setText("Samples")
            self.grid_path = self.grid_stamp = None
            self.output.clear()
            self.step = 0
        self.tail = LossTail(spec.run_dir / LOSS_LOG)  # the log is rewritten on a resume: read it anew
        self.clock.reset()
        self.process.start(spec)
        verb = "Starting" if fresh else f"Resuming from step {self.step}"
        self._set_state(RUNNING, f"{verb}: loading the images and the model…")
        self._show_progress()
        self.timer.start()

    def poll(self) -> None:
        """Read what the run wrote since the last look: loss rows, a new sample grid."""
        if self.spec is None or self.tail is None:
            return
        rows = self.tail.read_new()
        if rows:
            self.plot.add_rows(rows)
            for row in rows:
                self.clock.add(int(row["step"]), float(row.get("time_s", 0.0)))
            self.step = int(rows[-1]["step"])
            self._show_progress()
            if self.state == RUNNING and self.message.text().endswith("…"):
                self._set_message("Training…")
        newest = newest_sample(self.spec.run_dir)
        # The stamp, not only the name: a VAE run draws its last grid again once its prior is fitted.
        stamp = _file_stamp(newest)
        if newest is not None and stamp != self.grid_stamp and self.grid.set_image(newest):
            self.grid_path, self.grid_stamp = newest, stamp
            step = newest.stem.removeprefix("step_")
            self.grid_caption.setText(f"Samples at step {int(step)}" if step.isdigit() else "Samples")

    def _show_progress(self) -> None:
        total = self.spec.steps if self.spec else 0
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(self.step, total))
        eta = self.clock.eta_s(total) if self.state == RUNNING else None
        eta_text = f" — about {format_duration(eta)} left" if eta is not None else ""
        self.progress.setFormat(f"step {self.step} / {total}{eta_text}")

    def _ended(self, outcome: Outcome) -> None:
        self.poll()
        self.timer.stop()
        if outcome.kind == "done":
            self._set_state(DONE, f"{outcome.message} It is listed as '{self.spec.model_id}'.")
            self.trained.emit(self.spec.model_id)  # the window lists it at once (the folder watcher waits)
        elif outcome.kind == "stopped":
            self._set_state(PAUSED, f"Paused at step {self.step}. Resume continues from the checkpoint.")
        elif outcome.kind == "cancelled":
            self._set_state(CANCELLED, f"Cancelled at step {self.step}.")
        else:
            self._set_state(FAILED, outcome.message, error=True)
            self.output.verticalScrollBar().setValue(self.output.verticalScrollBar().maximum())
        self._show_progress()

    # --------------------------------------------------------------- state

    def _set_state(self, state: str, message: str, error: bool = False) -> None:
        self.state = state
        self._set_message(message, error)
        self._update_buttons()

    def _set_message(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #c62828; font-weight: bold;" if error else "")
        self.message.setText(text)

    def _update_buttons(self) -> None:
        busy = self.state in (RUNNING, PAUSING, CANCELLING)
        self.form.setEnabled(not busy)
        self.start_button.setEnabled(not busy)
        self.pause_button.setEnabled(self.state == RUNNING)
        self.resume_button.setEnabled(self.state == PAUSED)
        self.cancel_button.setEnabled(self.state in (RUNNING, PAUSING))

    # --------------------------------------------------------------- asking

    def _ask_continue(self, spec: TrainSpec) -> QMessageBox.StandardButton:
        step = last_logged_step(spec.run_dir)
        return QMessageBox.question(
            self,
            "Train a model",
            f"'{spec.model_id}' has an earlier run, at step {step}, with a checkpoint.\n\n"
            "Continue it? (No starts over and deletes that run's checkpoint, samples and log.)",
            QMessageBox.StandardButton.Yes
            | QMessageBox.StandardButton.No
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Yes,
        )

    def _may_replace_model(self, spec: TrainSpec) -> bool:
        if not (paths.user_models_dir() / f"{spec.model_id}.json").is_file():
            return True
        answer = QMessageBox.question(
            self,
            "Train a model",
            f"Your models folder already has a model '{spec.model_id}'. The new one replaces it when "
            "training finishes. Go on? (Or give the new model another name.)",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes


def _combo(items: tuple[str, ...]) -> QComboBox:
    combo = QComboBox()
    combo.addItems(list(items))
    return combo


def _spin(low: int, high: int, value: int, suffix: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    spin.setSuffix(suffix)
    spin.setGroupSeparatorShown(True)
    return spin


def _file_stamp(path: Path | None) -> tuple[Path, int] | None:
    """(path, modification time in ns), None for no file (or one gone since it was listed)."""
    try:
        return None if path is None else (path, path.stat().st_mtime_ns)
    except OSError:
        return None
