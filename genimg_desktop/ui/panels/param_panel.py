"""The parameter panel: editors built from a `TaskSpec`, a reset button and the seed controls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from genimg_desktop.core.params import TaskSpec
from genimg_desktop.ui.panels.param_widgets import INT_LIMIT, ParamEditor, make_editor


class SeedField(QWidget):
    """A seed spin box with a "Random" toggle; the window model draws a random seed at each run and
    this shows it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spin = QSpinBox()
        self.spin.setRange(0, INT_LIMIT)
        self.spin.setToolTip(
            "Seed for the random generator: the same seed and parameters give the same image"
        )
        self.random = QCheckBox("Random")
        self.random.setToolTip("Draw a new seed for every run (the seed used is shown and saved)")
        self.random.toggled.connect(lambda on: self.spin.setEnabled(not on))
        self.random.setChecked(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.spin, 1)
        layout.addWidget(self.random)

    def set_fixed(self, seed: int) -> None:
        self.random.setChecked(False)
        self.spin.setValue(max(0, min(INT_LIMIT, int(seed))))


class ParamPanel(QWidget):
    """Editors for the current task's parameters. Holds no state beyond what the widgets show."""

    values_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._task: TaskSpec | None = None
        self._editors: dict[str, ParamEditor] = {}
        self.title = QLabel()
        self.title.setWordWrap(True)
        self._form_host = QWidget()
        self._form = QFormLayout(self._form_host)
        self._form.setContentsMargins(0, 0, 0, 0)
        self.seed = SeedField()
        self.seed.spin.valueChanged.connect(lambda _v: self.values_changed.emit())
        self.live = QCheckBox("Live: run again on every change")
        self.live.setToolTip(
            "Re-run the task (with a fixed seed) whenever a parameter changes, e.g. while dragging a "
            "latent-direction slider; a newer change replaces a run still going."
        )
        self.live.toggled.connect(self._live_toggled)
        self._random_before_live: bool | None = None  # Random as it was when Live fixed the seed
        self.reset_button = QPushButton("Reset to defaults")
        self.reset_button.clicked.connect(self.reset_defaults)
        self._seed_form = QFormLayout()
        self._seed_form.setContentsMargins(0, 0, 0, 0)
        self._seed_form.addRow("Seed", self.seed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self._form_host)
        layout.addLayout(self._seed_form)
        layout.addWidget(self.live)
        layout.addWidget(self.reset_button)
        self.set_task(None)

    @property
    def task(self) -> TaskSpec | None:
        return self._task

    def set_task(self, task: TaskSpec | None) -> None:
        """Rebuild the editors for `task` (None: an empty panel)."""
        self._task = task
        while self._form.rowCount():
            self._form.removeRow(0)
        self._editors = {}
        self.title.setText(task.label if task else "No model selected")
        self.title.setToolTip(task.help if task else "")
        for spec in task.params if task else ():
            editor = make_editor(spec)
            editor.changed.connect(self.values_changed)
            label = QLabel(spec.title)
            label.setToolTip(spec.help)
            self._form.addRow(label, editor)
            self._editors[spec.name] = editor
        self.reset_button.setEnabled(bool(self._editors))
        # A task whose result does not depend on the seed (OpenCV) offers none.
        self._seed_form.setRowVisible(self.seed, task is None or task.seeded)
        # Live runs suit tasks that make images from parameters, not edits of a painted mask.
        self.live.setVisible(task is not None and not task.needs_mask)
        if task is None or task.needs_mask:
            self.live.setChecked(False)
        self.values_changed.emit()

    def live_enabled(self) -> bool:
        return self.live.isChecked() and self._task is not None and not self._task.needs_mask

    def _live_toggled(self, on: bool) -> None:
        """Live fixes the seed (a live view must not draw a new one per run) while it is on; turned off,
        Random is as it was before."""
        self.seed.random.setEnabled(not on)
        if on:
            self._random_before_live = self.seed.random.isChecked()
            self.seed.set_fixed(self.seed.spin.value())
            self.values_changed.emit()
        elif self._random_before_live is not None:
            self.seed.random.setChecked(self._random_before_live)
            self._random_before_live = None

    def editor(self, name: str) -> ParamEditor:
        return self._editors[name]

    def values(self) -> dict[str, Any]:
        return {name: editor.value() for name, editor in self._editors.items()}

    def set_values(self, values: Mapping[str, Any]) -> list[str]:
        """Set the known parameters from `values`; returns the names that were skipped.

        Unknown names and unusable values are skipped (a PNG may come from another version)."""
        skipped = []
        for name, value in values.items():
            editor = self._editors.get(name)
            if editor is None:
                skipped.append(name)
                continue
            try:
                editor.set_value(value)
            except (TypeError, ValueError):
                skipped.append(name)
        return skipped

    def reset_defaults(self) -> None:
        for editor in self._editors.values():
            editor.set_value(editor.spec.default)
