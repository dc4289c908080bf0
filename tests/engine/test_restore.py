"""The shared upscale/restore base (engine/restore/): tiling equals the untiled network, masked
restore keeps every other pixel, cancel stops between tiles, memory stays within a band."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from genimg_desktop.core.progress import JobCancelled, JobControl
from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.engine.registry import ModelRegistry
from genimg_desktop.engine.restore import architectures
from genimg_desktop.engine.restore.model import ImageToImageModel
from genimg_desktop.engine.restore.tiling import axis_weights, run_tiled, spans
from tests.support import tiny_restore


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ModelRegistry:
    tiny_restore.register(monkeypatch)
    tiny_restore.install_all(tmp_path / "models")
    return ModelRegistry([(tmp_path / "models", False)])


def _load(registry: ModelRegistry, model_id: str) -> ImageToImageModel:
    model = registry.load(model_id, "cpu")
    assert isinstance(model, ImageToImageModel)
    return model


def test_spans_cover_the_side_and_weights_sum_to_one() -> None:
    for length, tile, overlap, align in [
        (100, 100, 8, 1),
        (101, 32, 8, 1),
        (1000, 256, 16, 1),
        (70, 32, 8, 1),
        (101, 32, 8, 2),
        (1001, 96, 16, 4),
    ]:
        side = spans(length, tile, overlap, align)
        assert side[0][0] == 0 and side[-1][1] == length
        assert all(start % align == 0 for start, _ in side)
        assert all(b[0] < a[1] for a, b in zip(side, side[1:], strict=False))  # each overlaps the next
        for scale in (1, 3):
            total = np.zeros(length * scale, np.float32)
            for (start, end), weight in zip(side, axis_weights(side, scale), strict=True):
                total[start * scale : end * scale] += weight
            np.testing.assert_allclose(total, 1.0, atol=1e-6)


@pytest.mark.parametrize("model_id", ["tiny-up-x2", "tiny-up-x4", "tiny-denoise", "tiny-fold"])
def test_tiled_output_equals_the_untiled_network(
    registry: ModelRegistry, photo_rgb: np.ndarray, model_id: str
) -> None:
    model = _load(registry, model_id)
    image = np.ascontiguousarray(photo_rgb[37:238, 11:182])  # 171x201: odd sides, tiles of uneven shapes
    whole = model.enhance(image, tile=1024)
    tiled = model.enhance(image, tile=48)
    assert whole.shape == (201 * model.scale, 171 * model.scale, 3)
    assert np.abs(whole.astype(int) - tiled.astype(int)).max() <= 1  # float rounding only: no seams


def test_tile_seams_are_blended_when_the_network_sees_further_than_the_context(photo_rgb: np.ndarray) -> None:
    """A network reaching past the tile's context (a 9x9 mean, no context given) still leaves no
    hard seam: the overlap cross-fades, so no output row jumps more than the picture itself does."""
    image = np.ascontiguousarray(photo_rgb[:160, :160])

    def blur(tile: np.ndarray) -> np.ndarray:
        import cv2

        return cv2.blur(tile.astype(np.float32), (9, 9), borderType=cv2.BORDER_REPLICATE)

    whole = run_tiled(image, blur, 1, 1024, context=0, overlap=16)
    tiled = run_tiled(image, blur, 1, 64, context=0, overlap=16)
    unblended = run_tiled(image, blur, 1, 64, context=0, overlap=0)
    error, hard = np.abs(tiled.astype(int) - whole).max(), np.abs(unblended.astype(int) - whole).max()
    assert error < hard / 2


def test_upscale_to_any_factor_chains_then_resamples(registry: ModelRegistry, photo_rgb: np.ndarray) -> None:
    model = _load(registry, "tiny-up-x2")
    image = np.ascontiguousarray(photo_rgb[:50, :40])
    result = model.run(GenerationRequest("tiny-up-x2", "upscale", {"scale": 3}, 0, image), JobControl())
    assert result.images[0].shape == (150, 120, 3)
    assert result.info["passes"] == 2 and result.info["native_scale"] == 2
    # Still the same picture: close to a plain enlargement of it.
    from genimg_desktop.core.upscale import resample

    plain = resample(image, (120, 150)).astype(float)
    assert np.abs(result.images[0] - plain).mean() < 12


def test_masked_denoise_keeps_every_pixel_outside_the_mask_bit_exact(
    registry: ModelRegistry, photo_rgb: np.ndarray, hole_mask: np.ndarray
) -> None:
    noisy = np.clip(photo_rgb + np.random.default_rng(0).normal(0, 25, photo_rgb.shape), 0, 255).astype(
        np.uint8
    )
    mask = hole_mask.copy()
    mask[300:340, 255:260] = 128  # a soft edge too
    for model_id in ("tiny-denoise", "tiny-blind"):
        model = _load(registry, model_id)
        request = GenerationRequest(model_id, "denoise", {"strength": 0.8, "tile": 64}, 0, noisy, mask)
        out = model.run(request, JobControl()).images[0]
        assert np.array_equal(out[mask == 0], noisy[mask == 0])
        assert (out[mask == 255] != noisy[mask == 255]).mean() > 0.5


def test_strength_zero_of_a_blind_restorer_changes_nothing(
    registry: ModelRegistry, photo_rgb: np.ndarray
) -> None:
    model = _load(registry, "tiny-blind")
    image = np.ascontiguousarray(photo_rgb[:64, :64])
    out = model.run(
        GenerationRequest("tiny-blind", "denoise", {"strength": 0}, 0, image), JobControl()
    ).images[0]
    assert np.array_equal(out, image)
    full = model.run(
        GenerationRequest("tiny-blind", "denoise", {"strength": 1}, 0, image), JobControl()
    ).images[0]
    assert not np.array_equal(full, image)


def test_cancel_stops_between_tiles(registry: ModelRegistry, photo_rgb: np.ndarray) -> None:
    model = _load(registry, "tiny-up-x2")
    reports: list[float] = []
    control = JobControl()

    def on_progress(event) -> None:
        reports.append(event.fraction)
        if len(reports) == 2:
            control.cancel()

    control._on_progress = on_progress  # the worker's JobControl gets its callback the same way
    calls: list[int] = []
    original = model.forward
    model.forward = lambda tile, level=1.0: calls.append(1) or original(tile, level)  # type: ignore[method-assign]
    request = GenerationRequest("tiny-up-x2", "upscale", {"tile": 64}, 0, photo_rgb)  # 64 tiles
    with pytest.raises(JobCancelled):
        model.run(request, control)
    assert len(calls) == 2 and 0 < reports[-1] < 0.1


def test_memory_stays_within_a_band_of_tiles(photo_rgb: np.ndarray) -> None:
    """No float copy of the whole output: beyond the uint8 output, numpy holds about two bands of
    tiles (the one being filled and the rows the next adds to) whatever the picture's height."""
    image = np.tile(photo_rgb, (4, 2, 1))  # 2048 x 1024
    scale, tile = 2, 128

    def nearest(pixels: np.ndarray) -> np.ndarray:
        return pixels.astype(np.float32).repeat(scale, 0).repeat(scale, 1)

    tracemalloc.start()
    try:
        out = run_tiled(image, nearest, scale, tile)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    band = (tile + 32) * scale * image.shape[1] * scale * 3 * 4  # a band of float rows, context included
    assert peak < out.nbytes + 3 * band
    assert peak < out.nbytes * 2  # a float32 copy of the output alone would be 4x it
    assert np.array_equal(out[::2, ::2], image)


def test_cards_are_listed_with_their_tasks_and_a_bad_architecture_is_skipped(
    registry: ModelRegistry, tmp_path: Path, write_card
) -> None:
    write_card(
        tmp_path / "models", "odd", id="odd", family="upscale", config={"architecture": "nope", "scale": 2}
    )
    tasks = {d.id: [t.name for t in d.tasks] for d in registry.refresh()}
    assert tasks == {
        "tiny-up-x2": ["upscale"],
        "tiny-up-x4": ["upscale"],
        "tiny-denoise": ["denoise"],
        "tiny-blind": ["denoise"],
        "tiny-fold": ["denoise"],
    }
    assert any("odd.json" in error and "'nope'" in error for error in registry.errors)
    assert "test-tiny-sr" in architectures.ARCHITECTURES


def test_half_precision_is_kept_only_within_one_level(
    registry: ModelRegistry, monkeypatch: pytest.MonkeyPatch, photo_rgb: np.ndarray
) -> None:
    """Where the device has a half type, the load measures it on a fixed picture and keeps it only
    within one level of float32 (bfloat16 is emulated on this CPU, so the check itself runs here)."""
    import torch

    from genimg_desktop.engine.restore import model as restore_model

    image = np.ascontiguousarray(photo_rgb[:40, :40])
    for model_id in ("tiny-up-x2", "tiny-denoise"):
        reference = _load(registry, model_id).enhance(image, 64)  # float32: the tests' default
        monkeypatch.setattr(restore_model, "half_dtype", lambda device: torch.bfloat16)
        model = _load(registry, model_id)
        monkeypatch.undo()
        tiny_restore.register(monkeypatch)
        levels = model.precision.checked_levels
        assert levels is not None
        assert model.precision.dtype == (torch.bfloat16 if levels <= 1.0 else torch.float32)
        if model.precision.dtype == torch.bfloat16:
            assert np.abs(model.enhance(image, 64).astype(int) - reference).max() <= 2


def test_running_out_of_memory_halves_the_tile(registry: ModelRegistry, photo_rgb: np.ndarray) -> None:
    """A device that cannot hold a tile of more than 100 px a side (as the allocator says it): the run
    retries with the tile halved until it fits, notes it, and gives the same picture."""
    model = _load(registry, "tiny-up-x2")
    image = np.ascontiguousarray(photo_rgb[:300, :300])
    expected = model.enhance(image, 1024)
    original = model.forward

    def limited(tile: np.ndarray, level: float = 1.0) -> np.ndarray:
        if max(tile.shape[:2]) > 100:
            raise RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 9 GB")
        return original(tile, level)

    model.forward = limited  # type: ignore[method-assign]
    result = model.run(GenerationRequest("tiny-up-x2", "upscale", {"tile": 256}, 0, image), JobControl())
    assert result.info["notes"] == ["Ran out of memory; retried with tile 128, then tile 64"]
    assert np.abs(result.images[0].astype(int) - expected).max() <= 1
