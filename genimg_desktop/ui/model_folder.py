"""The window's side of the models folder: the model manager dialog, "Reload models", and a watch
on the user's models folder so a model written by `genimg train` (or copied in by hand) is listed
without restarting the app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer

from genimg_desktop.core import paths
from genimg_desktop.core.model_card import ModelDescriptor
from genimg_desktop.ui.model_manager import ModelManager

if TYPE_CHECKING:
    from genimg_desktop.ui.main_window import MainWindow

SETTLE_MS = 700  # a card and its weights arrive as several file events: list once they settle


class ModelFolder(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.manager: ModelManager | None = None
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.reload)
        folder = paths.user_models_dir()
        folder.mkdir(parents=True, exist_ok=True)
        self.watcher = QFileSystemWatcher([str(folder)], self)
        self.watcher.directoryChanged.connect(lambda _path: self._settle.start())

    def reload(self) -> None:
        """List the models again (on the worker; the picker and the manager update when it answers)."""
        if self.window.jobs.service is not None:
            self.window.jobs.service.refresh_models()

    def models_listed(self, models: list[ModelDescriptor]) -> None:
        if self.manager is not None:
            self.manager.set_models(models)

    def open_manager(self) -> ModelManager:
        if self.manager is None:
            self.manager = ModelManager(self.window.picker.models(), self.window)
            self.manager.changed.connect(self.reload)
        self.manager.show()
        self.manager.raise_()
        return self.manager
