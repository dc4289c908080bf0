"""The model manager: every installed model's card (family, resolution, classes, data, licence,
metrics, training, sample grid), importing a model from disk and removing a user model. A card of
yours the app cannot use is listed too, with the reason, so that it can be removed here."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from genimg_desktop.core.errors import one_line
from genimg_desktop.core.model_card import ModelCard, ModelDescriptor, SkippedCard
from genimg_desktop.core.model_files import (
    ImportQuestion,
    ModelFileError,
    disk_size,
    remove_model,
)
from genimg_desktop.ui.background import Cancelled, Progress, run_with_progress

GRID_SIDE = 360
IMPORT_FILTER = (
    "Models (*.json *.param *.bin *.pth *.pt);;Model card (*.json);;ncnn upscaler (*.param *.bin);;"
    "ESRGAN / SRVGG checkpoint (*.pth *.pt)"
)


def card_html(card: ModelCard) -> str:
    """The card as a readable HTML table for the details pane."""
    raw = card.raw
    rows: list[tuple[str, str]] = [
        ("Id", card.id),
        ("Family", card.family),
        (
            "Resolution",
            f"{card.resolution} px, {card.channels} channel(s)" if card.resolution else "any size",
        ),
        ("Classes", ", ".join(card.class_names) or "—"),
        ("Trained on", str(raw.get("data_source") or card.dataset or "—")),
        ("Licence", card.licence or "—"),
        ("Size on disk", f"{disk_size(card.card_path) / 1e6:.1f} MB"),
    ]
    source = _table(raw, "converted_from")
    files = [f.get("name") for f in source.get("files", []) if isinstance(f, dict)]
    if files:  # an imported upscaler: the original files it was converted from
        rows.append(("Converted from", f"{', '.join(map(str, files))} ({source.get('format', '?')})"))
    rows += [(f"Metric: {k}", _value(v)) for k, v in _table(raw, "metrics").items() if _shown(v)]
    training = _table(raw, "training")
    for key in ("steps", "batch_size", "wall_time_s", "device", "finished", "command"):
        if key in training:
            rows.append((f"Training: {key}", _value(training[key])))
    table = "".join(
        f"<tr><td style='padding-right:12px'><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return f"<h3>{html.escape(card.name)}</h3><p>{html.escape(card.description)}</p><table>{table}</table>"


def _table(raw: dict[str, Any], key: str) -> dict[str, Any]:
    """The card's `key` object; anything else (a list, a text) shows as nothing rather than failing."""
    value = raw.get(key)
    return value if isinstance(value, dict) else {}


def _shown(value: Any) -> bool:
    return isinstance(value, (int, float, str, bool))  # per-class tables stay in the JSON file


def _value(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


class ModelManager(QDialog):
    """Lists the models the window knows; `changed` asks the window to list the models again."""

    changed = Signal()
    imported = Signal(object)  # after each Import: the installed card's Path, or None (nothing installed)

    def __init__(
        self,
        models: list[ModelDescriptor],
        parent: QWidget | None = None,
        skipped: list[SkippedCard] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Models")
        self.setObjectName("model_manager")
        self.resize(900, 560)
        self.list = QListWidget()
        self.details = QTextBrowser()
        self.grid = QLabel("No sample grid in this card")
        self.grid.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grid.setMinimumHeight(160)
        self.import_button = QPushButton("Import…")
        self.import_button.setToolTip(
            "Copy a model (its .json card and the files it names) into your folder, or convert an "
            "upscaler: an ncnn .param + .bin pair (Real-ESRGAN, waifu2x) or an ESRGAN / SRVGG .pth"
        )
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Delete this model from your models folder (built-in ones stay)")
        self.import_button.clicked.connect(self.ask_import)
        self.remove_button.clicked.connect(self.ask_remove)
        self.list.currentRowChanged.connect(self._show_current)
        self._layout()
        self.models: list[ModelDescriptor] = []
        self.skipped: list[SkippedCard] = []
        self.set_models(models, skipped or [])

    def _layout(self) -> None:
        right = QWidget()
        column = QVBoxLayout(right)
        column.addWidget(self.grid)
        column.addWidget(self.details, 1)
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(right)
        splitter.setSizes([260, 640])
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

    def set_models(self, models: list[ModelDescriptor], skipped: list[SkippedCard] | None = None) -> None:
        """List `models`, then the user cards in `skipped` (None: keep the ones listed)."""
        current = self.current()
        current_card = self.current_skipped()
        self.models = list(models)
        if skipped is not None:
            self.skipped = [s for s in skipped if not s.builtin]  # only the user's can be removed
        self.list.clear()
        for model in self.models:
            origin = "built-in" if model.builtin else "yours"
            item = QListWidgetItem(f"{model.card.name}\n{model.card.family} · {origin}")
            item.setToolTip(model.id)
            self.list.addItem(item)
        for card in self.skipped:
            item = QListWidgetItem(f"{card.path.name}\ncannot be used · yours")
            item.setToolTip(card.reason)
            item.setForeground(Qt.GlobalColor.darkRed)
            self.list.addItem(item)
        ids = [m.id for m in self.models]
        cards = [s.path for s in self.skipped]
        row = 0
        if current and current.id in ids:
            row = ids.index(current.id)
        elif current_card and current_card.path in cards:
            row = len(ids) + cards.index(current_card.path)
        self.list.setCurrentRow(row)
        self._show_current()

    def current(self) -> ModelDescriptor | None:
        row = self.list.currentRow()
        return self.models[row] if 0 <= row < len(self.models) else None

    def current_skipped(self) -> SkippedCard | None:
        """The selected card the app could not use, if one is selected."""
        row = self.list.currentRow() - len(self.models)
        return self.skipped[row] if 0 <= row < len(self.skipped) else None

    def select(self, name: str) -> None:
        """Select the model with this id, or the unusable card with this file name."""
        keys = [m.id for m in self.models] + [s.path.name for s in self.skipped]
        self.list.setCurrentRow(keys.index(name))

    def _show_current(self, *_args: object) -> None:
        model, card = self.current(), self.current_skipped()
        self.remove_button.setEnabled(card is not None or (model is not None and not model.builtin))
        if card is not None:
            self._show_skipped(card)
            return
        if model is None:
            self.details.setHtml("<p>No models installed.</p>")
            return
        self.details.setHtml(card_html(model.card))
        samples = model.card.samples
        pixmap = QPixmap(str(samples)) if samples is not None and samples.is_file() else QPixmap()
        if pixmap.isNull():
            self.grid.setPixmap(QPixmap())
            self.grid.setText("No sample grid in this card")
            return
        if pixmap.width() < GRID_SIDE:  # small grids (28 px samples) enlarged crisply
            pixmap = pixmap.scaledToWidth(pixmap.width() * (GRID_SIDE // pixmap.width()))
        self.grid.setPixmap(pixmap.scaled(GRID_SIDE * 2, GRID_SIDE, Qt.AspectRatioMode.KeepAspectRatio))

    def _show_skipped(self, card: SkippedCard) -> None:
        self.grid.setPixmap(QPixmap())
        self.grid.setText("")
        self.details.setHtml(
            f"<h3>{html.escape(card.path.name)}</h3><p><b>The app cannot use this card:</b> "
            f"{html.escape(card.reason)}</p><p>In {html.escape(str(card.path.parent))}. Remove deletes the "
            "card and the files it names that no other card uses.</p>"
        )

    def ask_import(self) -> None:
        chosen, _ = QFileDialog.getOpenFileNames(self, "Import a model", "", IMPORT_FILTER)
        if chosen:
            self.import_files([Path(p) for p in chosen])

    def import_files(self, chosen: list[Path], answers: dict[str, bool] | None = None) -> QProgressDialog:
        """Install a card (.json) with its files, or convert and install an upscaler published as an
        ncnn .param + .bin pair (either file finds the other) or an ESRGAN/SRVGGNetCompact .pth; on a
        pool thread behind a progress dialog (a large model converts for seconds). A replacement or
        unchecked weights are done only after the artist says yes. `imported` tells the outcome."""
        answers = dict(answers or {})

        def work(progress: Progress) -> Path:
            from genimg_desktop.engine.restore.imported.importer import install_any  # torch: not here

            return install_any(chosen, progress=progress, **answers)

        def finished(outcome: object) -> None:
            self._imported(chosen, answers, outcome)

        return run_with_progress(self, "Import a model", "Importing…", work, finished)

    def _imported(self, chosen: list[Path], answers: dict[str, bool], outcome: object) -> None:
        if isinstance(outcome, ImportQuestion):
            reply = QMessageBox.question(self, "Import the model?", str(outcome))
            if reply == QMessageBox.StandardButton.Yes:
                self.import_files(chosen, {**answers, outcome.option: True})
                return
        elif isinstance(outcome, Path):
            QMessageBox.information(self, "Model imported", f"Installed as {outcome}")
            self.changed.emit()
            self.imported.emit(outcome)
            return
        elif isinstance(outcome, BaseException) and not isinstance(outcome, Cancelled):
            QMessageBox.warning(self, "Cannot import the model", _reason(outcome))
        self.imported.emit(None)

    def ask_remove(self) -> None:
        model, card = self.current(), self.current_skipped()
        if card is not None:
            path, what = card.path, f"the unusable card {card.path.name}"
        elif model is not None and not model.builtin:
            path, what = model.card.card_path, f"'{model.card.name}' ({model.id})"
        else:
            return
        answer = QMessageBox.question(self, "Remove model", f"Delete {what} and its weights from disk?")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            remove_model(path)
        except (ModelFileError, OSError) as exc:
            QMessageBox.warning(self, "Cannot remove the model", str(exc))
            return
        self.changed.emit()


def _reason(exc: BaseException) -> str:
    """Why an import failed. ValueError: a card or file that is not a model we can use; RuntimeError:
    weights that cannot be read (engine.weights.ModelLoadError), e.g. a .pth holding code; OSError: a
    file that cannot be read or written. Anything else, e.g. a .pth that is no pickle, with its type."""
    if isinstance(exc, MemoryError):
        return "Not enough memory to convert this model."
    return str(exc) if isinstance(exc, (ValueError, RuntimeError, OSError)) else one_line(exc, with_type=True)
