from __future__ import annotations

import torch

from genimg_desktop.engine.model_cache import ModelCache


class CountingRegistry:
    """Stands in for ModelRegistry: records loads, returns a fresh object each time."""

    def __init__(self) -> None:
        self.loads: list[tuple[str, torch.device]] = []

    def load(self, model_id, device):
        self.loads.append((model_id, device))
        return object()


def test_hits_do_not_reload():
    registry = CountingRegistry()
    cache = ModelCache(registry, "cpu")
    assert cache.get("a") is cache.get("a")
    assert registry.loads == [("a", torch.device("cpu"))]


def test_least_recently_used_is_evicted():
    registry = CountingRegistry()
    cache = ModelCache(registry, "cpu", capacity=2)
    cache.get("a")
    cache.get("b")
    cache.get("a")  # "b" is now the least recently used
    cache.get("c")
    assert "a" in cache and "c" in cache and "b" not in cache and len(cache) == 2


def test_clear_and_set_device_drop_models():
    registry = CountingRegistry()
    cache = ModelCache(registry, "cpu")
    cache.get("a")
    cache.clear()
    assert len(cache) == 0
    cache.get("a")
    cache.set_device("meta")
    assert len(cache) == 0 and cache.device == torch.device("meta")
    cache.get("a")
    assert registry.loads[-1] == ("a", torch.device("meta"))


def test_real_registry_models_are_cached():
    from genimg_desktop.engine.registry import ModelRegistry

    cache = ModelCache(ModelRegistry(), "cpu")
    assert cache.get("opencv-telea") is cache.get("opencv-telea")
