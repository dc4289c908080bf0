"""Tasks that offer no seed (TaskSpec.seeded False: OpenCV, the fill network, PixelCNN likelihood)
really give the same result for every seed, so hiding the seed hides nothing."""

from __future__ import annotations

import numpy as np
from skimage import data

from genimg_desktop.core.progress import JobControl
from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.engine.registry import ModelRegistry


def test_every_task_without_a_seed_really_ignores_it():
    """The promise behind hiding the seed: two seeds give the same result."""
    registry = ModelRegistry()
    image = np.ascontiguousarray(data.chelsea()[:64, :64])
    mask = np.zeros(image.shape[:2], np.uint8)
    mask[20:40, 20:40] = 255
    checked = []
    for entry in registry.refresh():
        for task in (t for t in entry.tasks if not t.seeded):
            model = registry.load(entry.id, "cpu")
            runs = [
                model.run(GenerationRequest(entry.id, task.name, {}, seed, image, mask), JobControl()).images
                for seed in (1, 2)
            ]
            assert all(np.array_equal(a, b) for a, b in zip(*runs, strict=True)), (entry.id, task.name)
            checked.append(entry.id)
    assert {"opencv-telea", "inpaint-fill", "pixelcnn-mnist-28"} <= set(checked)
