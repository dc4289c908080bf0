"""The window's side of the models folder: the model manager dialog, "Reload models", and a watch
on the user's models folder so a model written by `genimg train` (or copied in by hand) is listed
without restarting the app."""

from __future__ import annotations

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer
from PySide6.QtWidgets import QWidget

from genimg_desktop.core import paths
from genimg_desktop.core.model_card import ModelDescriptor, SkippedCard
from genimg_desktop.ui.job_runner import JobRunner
from genimg_desktop.ui.model_manager import ModelManager
from genimg_desktop.ui.window_model import WindowModel

SETTLE_MS = 700  # a card and its weights arrive as several file events: list once they settle


class ModelFolder(QObject):
    def __init__(self, window: QWidget, model: WindowModel, jobs: JobRunner) -> None:
        super().__init__(window)
        self.window, self.model, self.jobs = window, model, jobs
        self.manager: ModelManager | None = None
        self.skipped: list[SkippedCard] = []  # the cards the last listing could not use
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.reload)
        folder = paths.user_models_dir()
        folder.mkdir(parents=True, exist_ok=True)
        self.watcher = QFileSystemWatcher([str(folder)], self)
        self.watcher.directoryChanged.connect(lambda _path: self._settle.start())
        model.models_changed.connect(self.models_listed)
        jobs.model_errors.connect(self.errors_listed)

    def reload(self) -> None:
        """List the models again (on the worker; the picker and the manager update when it answers)."""
        if self.jobs.service is not None:
            self.jobs.service.refresh_models()

    def models_listed(self, models: list[ModelDescriptor]) -> None:
        if self.manager is not None:
            self.manager.set_models(models)

    def errors_listed(self, errors: list[object]) -> None:
        """After each listing: the skipped cards (the engine's other errors are plain text)."""
        self.skipped = [e for e in errors if isinstance(e, SkippedCard)]
        if self.manager is not None:
            self.manager.set_models(self.model.models, self.skipped)

    def open_manager(self) -> ModelManager:
        if self.manager is None:
            self.manager = ModelManager(self.model.models, self.window, self.skipped)
            self.manager.changed.connect(self.reload)
        self.manager.show()
        self.manager.raise_()
        return self.manager
