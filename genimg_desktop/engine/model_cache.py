"""A few loaded models kept in memory, so switching back and forth does not reload weights."""

from __future__ import annotations

from collections import OrderedDict

import torch

from genimg_desktop.engine.base import GenerationModel
from genimg_desktop.engine.registry import ModelRegistry


class ModelCache:
    """Least-recently-used cache of loaded models on one device. Not thread-safe: the worker owns it."""

    def __init__(self, registry: ModelRegistry, device: torch.device | str, capacity: int = 3) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.registry = registry
        self.device = torch.device(device)
        self.capacity = capacity
        self._models: OrderedDict[str, GenerationModel] = OrderedDict()

    def get(self, model_id: str) -> GenerationModel:
        model = self._models.get(model_id)
        if model is not None:
            self._models.move_to_end(model_id)
            return model
        model = self.registry.load(model_id, self.device)
        self._models[model_id] = model
        while len(self._models) > self.capacity:
            self._models.popitem(last=False)
        return model

    def __contains__(self, model_id: object) -> bool:
        return model_id in self._models

    def __len__(self) -> int:
        return len(self._models)

    def clear(self) -> None:
        self._models.clear()
        if self.device.type == "cuda":
            torch.cuda.empty_cache()  # hand freed blocks back so other apps (and nvidia-smi) see them

    def set_device(self, device: torch.device | str) -> None:
        """Move to another device; loaded models are dropped and reload there on next use."""
        new = torch.device(device)
        if new != self.device:
            self.clear()
            self.device = new
