"""The engine side of the worker thread: registry, device and model cache, in plain Python.

Imported only from inside the worker thread (it pulls in torch), so the window can show first.
"""

from __future__ import annotations

from pathlib import Path

from genimg_desktop.core.model_card import ModelDescriptor, SkippedCard
from genimg_desktop.core.progress import JobControl
from genimg_desktop.core.request import GenerationRequest, GenerationResult
from genimg_desktop.engine.device import (
    available_devices,
    configure_app_threads,
    device_label,
    resolve_device,
)
from genimg_desktop.engine.model_cache import ModelCache
from genimg_desktop.engine.registry import ModelRegistry


class EngineRunner:
    """Everything one worker needs to run jobs. Not thread-safe: used by the worker thread alone."""

    def __init__(self, model_dirs: list[tuple[Path, bool]] | None = None) -> None:
        configure_app_threads()  # leave a core to the window (see engine.device)
        self.registry = ModelRegistry(model_dirs)
        # Start on the CPU: touching CUDA costs seconds, so only do it when a device is chosen.
        self.cache = ModelCache(self.registry, "cpu")

    def devices(self) -> list[str]:
        return available_devices()

    def set_device(self, name: str) -> str:
        """Switch device (dropping loaded models); returns its label. ValueError if unusable."""
        device = resolve_device(name)
        self.cache.set_device(device)
        return device_label(device)

    def device_label(self) -> str:
        return device_label(self.cache.device)

    def refresh(self) -> tuple[list[ModelDescriptor], list[SkippedCard]]:
        """Rescan model folders; loaded models are dropped since their files may have changed. The
        skipped cards read as their messages (str) and carry their paths for the model manager."""
        descriptors = self.registry.refresh()
        self.cache.clear()
        return descriptors, list(self.registry.skipped)

    def run(self, request: GenerationRequest, control: JobControl) -> GenerationResult:
        control.check()
        model = self.cache.get(request.model_id)
        return model.run(request, control)
