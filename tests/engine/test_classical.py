"""OpenCV inpainting through the shared engine path, on a real photo."""

from __future__ import annotations

import numpy as np
import pytest

from genimg_desktop.core.progress import JobCancelled, JobControl
from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.engine import classical
from genimg_desktop.engine.registry import ModelRegistry


@pytest.fixture(scope="module")
def registry() -> ModelRegistry:
    return ModelRegistry()


def inpaint(registry, model_id, image, mask, control=None, **params) -> np.ndarray:
    model = registry.load(model_id, "cpu")
    request = GenerationRequest(model_id, "inpaint", params, 0, image, mask)
    return model.run(request, control or JobControl()).images[0]


def l1(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


@pytest.mark.parametrize("model_id", ["opencv-telea", "opencv-ns"])
def test_fills_the_hole_plausibly_and_keeps_the_rest_exact(registry, model_id, photo_rgb, hole_mask):
    out = inpaint(registry, model_id, photo_rgb, hole_mask)
    assert out.shape == photo_rgb.shape and out.dtype == np.uint8
    assert np.array_equal(out[hole_mask == 0], photo_rgb[hole_mask == 0])
    hole = hole_mask > 0
    error = l1(out[hole], photo_rgb[hole])
    black = l1(np.zeros_like(photo_rgb[hole]), photo_rgb[hole])
    assert error < black / 3, (error, black)


def test_the_two_methods_differ(registry, photo_rgb, hole_mask):
    telea = inpaint(registry, "opencv-telea", photo_rgb, hole_mask)
    ns = inpaint(registry, "opencv-ns", photo_rgb, hole_mask)
    assert not np.array_equal(telea, ns)


def test_params_reach_opencv(registry, photo_rgb, hole_mask, monkeypatch):
    calls = []
    real = classical.cv2.inpaint

    def spy(img, mask, radius, flag):
        calls.append((img.shape, radius, flag))
        return real(img, mask, radius, flag)

    monkeypatch.setattr(classical.cv2, "inpaint", spy)
    inpaint(registry, "opencv-ns", photo_rgb, hole_mask, radius=9, context_margin=16)
    assert calls == [((40 + 32, 60 + 32, 3), 9, classical.cv2.INPAINT_NS)]


def test_margin_never_smaller_than_the_radius(registry, photo_rgb, hole_mask, monkeypatch):
    shapes = []
    real = classical.cv2.inpaint
    monkeypatch.setattr(
        classical.cv2, "inpaint", lambda i, m, r, f: shapes.append(i.shape) or real(i, m, r, f)
    )
    inpaint(registry, "opencv-telea", photo_rgb, hole_mask, radius=5, context_margin=0)
    assert shapes == [(40 + 12, 60 + 12, 3)]


def test_large_image_costs_only_the_crop(registry):
    image = np.zeros((4096, 4096, 3), np.uint8)
    image[..., 1] = 200
    mask = np.zeros(image.shape[:2], np.uint8)
    mask[1000:1020, 1000:1030] = 255
    out = inpaint(registry, "opencv-telea", image, mask)
    hole = (slice(1000, 1020), slice(1000, 1030))
    assert np.abs(out[hole].astype(int) - [0, 200, 0]).max() <= 4  # Telea wobbles by a few levels
    out[hole] = image[hole]
    assert np.array_equal(out, image)


def test_reports_progress_start_and_end(registry, photo_rgb, hole_mask):
    events = []
    inpaint(registry, "opencv-telea", photo_rgb, hole_mask, control=JobControl(events.append))
    assert [e.fraction for e in events] == [0.0, 1.0]
    assert "OpenCV Telea" in events[0].message


def test_cancel_stops_it(registry, photo_rgb, hole_mask):
    control = JobControl(lambda event: control.cancel())
    with pytest.raises(JobCancelled):
        inpaint(registry, "opencv-telea", photo_rgb, hole_mask, control=control)


def test_declared_params(registry):
    task = registry.descriptor("opencv-telea").task("inpaint")
    assert task.defaults() == {"radius": 5, "context_margin": 64}
    assert task.resolve({"radius": "500"}) == {"radius": 50, "context_margin": 64}
    with pytest.raises(ValueError):
        task.resolve({"strength": 1})
