"""The texture GAN ("texture" family) on a tiny configuration trained by the real loop: any size,
seeds, strips equal to one pass, seamless tiles, variations, filling a mask; and the GIMP pattern
reader."""

from __future__ import annotations

import dataclasses
import json
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from genimg_desktop.core.gimp_pattern import PatternError, read_pattern
from genimg_desktop.core.progress import JobControl
from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.engine.registry import ModelRegistry
from genimg_desktop.engine.texture.config import TextureConfig
from genimg_desktop.engine.texture.draw import cells_for, draw_noise, render
from genimg_desktop.engine.texture.networks import TextureGenerator
from genimg_desktop.engine.texture.trainer import TextureTrainer
from genimg_desktop.engine.training import mixed_precision
from genimg_desktop.engine.training.family_trainer import DataInfo, TrainConfig
from genimg_desktop.engine.training.loop import train
from tests.support.tiny_models import install_trained

TINY = {"local_dim": 4, "global_dim": 3, "periodic_dim": 2, "widths": "8,4", "wave_hidden": 4}
TINY_TRAIN = {**TINY, "d_width": 4, "d_layers": 2, "crop": 16}
BRICK_PAT = Path("/usr/share/gimp/2.0/patterns/Stone/brick.pat")


def install_tiny(folder: Path, model_id: str = "tiny-texture") -> None:
    """A random-weight tiny texture model in `folder`, with a card as `genimg train` writes it (any
    size: no resolution)."""
    config = TrainConfig(family="texture", data="x", size=32, out=folder, lr=2e-4, extra=dict(TINY_TRAIN))
    torch.manual_seed(0)
    trainer = TextureTrainer(config, DataInfo(3, 32, ("texture",), "x"), torch.device("cpu"))
    install_trained(trainer, folder, model_id, "Tiny texture", ("texture",))
    card = folder / f"{model_id}.json"
    card.write_text(json.dumps({**json.loads(card.read_text()), "resolution": None}), encoding="utf-8")


def tiny_config(out: Path, data: Path) -> TrainConfig:
    return TrainConfig(
        family="texture",
        data=str(data),
        size=32,
        out=out,
        steps=2,
        batch_size=4,
        lr=2e-4,
        sample_every=2,
        checkpoint_every=2,
        model_id="tiny-texture",
        extra=dict(TINY_TRAIN),
        device="cpu",
        models_dir=out / "models",
    )


@pytest.fixture
def tiny_model(tmp_path, photo_rgb):
    """A two-step texture GAN trained by the real loop on one picture, loaded like the app does."""
    folder = tmp_path / "picture"
    folder.mkdir()
    Image.fromarray(photo_rgb[:128, :128]).save(folder / "one.png")
    card = train(tiny_config(tmp_path / "run", folder))
    return ModelRegistry([(card.parent, False)]).load("tiny-texture", "cpu")


def run(model, task="sample", seed=0, image=None, mask=None, **params) -> list[np.ndarray]:
    request = GenerationRequest("tiny-texture", task, params, seed, image, mask)
    return model.run(request, JobControl()).images


def seam_and_interior(image: np.ndarray) -> tuple[float, float]:
    """The mean absolute step across the wrapped seams (last column to first, last row to first), and
    the largest such mean across one interior column or row boundary."""
    x = image.astype(np.float64)
    seam = (np.abs(x[:, 0] - x[:, -1]).mean() + np.abs(x[0] - x[-1]).mean()) / 2
    columns = np.abs(np.diff(x, axis=1)).mean(axis=(0, 2))  # one value per boundary
    rows = np.abs(np.diff(x, axis=0)).mean(axis=(1, 2))
    return float(seam), float((np.percentile(columns, 90) + np.percentile(rows, 90)) / 2)


def test_one_training_step_moves_the_generator_and_draws_crops(tmp_path) -> None:
    torch.manual_seed(0)
    config = tiny_config(tmp_path, tmp_path)
    trainer = TextureTrainer(config, DataInfo(3, 32, ("a",), "x"), torch.device("cpu"))
    before = [p.detach().clone() for p in trainer.g.parameters()]
    losses = trainer.train_step(torch.rand(4, 3, 32, 32) * 2 - 1, torch.zeros(4, dtype=torch.long))
    assert set(losses) == {"d_loss", "g_loss", "patch_swd"} and all(np.isfinite(v) for v in losses.values())
    assert any(not torch.equal(a, b) for a, b in zip(before, trainer.g.parameters(), strict=True))
    assert trainer.sample_grid(3, torch.Generator().manual_seed(0)).shape == (3, 3, 16, 16)


def test_a_training_step_in_bfloat16_mixed_precision(tmp_path, monkeypatch) -> None:
    # The window trains with --precision auto: bfloat16 on a CPU that has it natively, where the
    # generator is wrapped for autocast (its field and waves must still be reached).
    monkeypatch.setattr(mixed_precision, "cpu_has_bf16", lambda: True)
    config = dataclasses.replace(tiny_config(tmp_path, tmp_path), precision="auto")
    trainer = TextureTrainer(config, DataInfo(3, 32, ("a",), "x"), torch.device("cpu"))
    assert trainer.precision == "bfloat16"
    losses = trainer.train_step(torch.rand(4, 3, 32, 32) * 2 - 1, torch.zeros(4, dtype=torch.long))
    assert all(np.isfinite(v) for v in losses.values())


def test_any_size_the_same_seed_repeats_and_another_differs(tiny_model) -> None:
    first = run(tiny_model, width=70, height=45, count=2)
    assert [im.shape for im in first] == [(45, 70, 3)] * 2
    assert not np.array_equal(first[0], first[1])
    assert np.array_equal(first[0], run(tiny_model, width=70, height=45, count=2)[0])
    assert not np.array_equal(first[0], run(tiny_model, seed=1, width=70, height=45)[0])


def test_strips_give_exactly_the_pixels_of_one_pass() -> None:
    torch.manual_seed(0)
    net = TextureGenerator(TextureConfig(**TINY)).eval().requires_grad_(False)
    for tile in (False, True):
        noise = draw_noise(
            net, 2, cells_for(40, 60, net.config.stride), tile, torch.Generator().manual_seed(3)
        )
        with torch.inference_mode():
            whole = render(net, noise, torch.device("cpu"), strip_pixels=1 << 30)
            strips = render(net, noise, torch.device("cpu"), strip_pixels=1)  # one cell row at a time
        torch.testing.assert_close(strips, whole, atol=1e-5, rtol=0)


@pytest.mark.parametrize("size", [(64, 48), (70, 45)])  # a multiple of the stride, and resampled
def test_a_tileable_texture_has_no_seam(tiny_model, size) -> None:
    width, height = size
    tile = run(tiny_model, width=width, height=height, tile=True, seed=5)[0]
    seam, inner = seam_and_interior(tile)
    assert seam <= inner
    plain = run(tiny_model, width=width, height=height, tile=False, seed=5)[0]
    assert seam_and_interior(plain)[0] > seam  # not wrapped, the edges do not meet


def test_variations_keep_the_look_and_lay_out_anew(tiny_model) -> None:
    same = run(tiny_model, "variations", width=32, height=32, count=3, strength=0.0)
    assert len(same) == 3 and not np.array_equal(same[0], same[1])
    colours = [im.reshape(-1, 3).mean(axis=0) for im in same]
    others = [run(tiny_model, seed=s, width=32, height=32)[0].reshape(-1, 3).mean(axis=0) for s in (11, 12)]
    assert np.abs(colours[0] - colours[1]).sum() <= np.abs(others[0] - others[1]).sum() + 1.0


def test_interpolate_walks_smoothly_from_the_seed_to_the_second_seed(tiny_model) -> None:
    size = {"width": 48, "height": 32}
    frames = run(tiny_model, "interpolate", seed=3, seed_b=9, frames=6, **size)
    assert len(frames) == 6 and all(f.shape == (32, 48, 3) for f in frames)
    # The ends are the two seeds' textures exactly as the Texture task draws them.
    assert np.array_equal(frames[0], run(tiny_model, seed=3, **size)[0])
    assert np.array_equal(frames[-1], run(tiny_model, seed=9, **size)[0])
    steps = [np.abs(a.astype(int) - b).mean() for a, b in zip(frames, frames[1:], strict=False)]
    assert max(steps) < np.abs(frames[0].astype(int) - frames[-1]).mean()  # a walk, not a cut
    tiled = run(tiny_model, "interpolate", seed=3, seed_b=9, frames=3, tile=True, **size)
    for frame in tiled:  # every frame of a tileable walk tiles
        seam, inner = seam_and_interior(frame)
        assert seam <= inner
    [strip] = run(tiny_model, "interpolate", seed=3, seed_b=9, frames=6, strip=True, **size)
    assert np.array_equal(strip, np.concatenate(frames, axis=1))


def test_fill_paints_only_the_mask_and_can_match_the_surroundings(tiny_model, photo_rgb, hole_mask) -> None:
    out = run(tiny_model, "fill", image=photo_rgb, mask=hole_mask)[0]
    keep = hole_mask == 0
    assert out.shape == photo_rgb.shape and np.array_equal(out[keep], photo_rgb[keep])
    assert not np.array_equal(out[~keep], photo_rgb[~keep])
    matched = run(tiny_model, "fill", image=photo_rgb, mask=hole_mask, match_colours=1.0)[0]
    ring = photo_rgb[280:360, 180:280][hole_mask[280:360, 180:280] == 0].mean(axis=0)
    own = np.abs(out[~keep].mean(axis=0) - ring).sum()
    assert np.abs(matched[~keep].mean(axis=0) - ring).sum() < own


def _pattern_bytes(width: int, height: int, depth: int, pixels: bytes, name: bytes = b"Test\0") -> bytes:
    header = struct.pack(">5I4s", 24 + len(name), 1, width, height, depth, b"GPAT") + name
    return header + pixels


def test_gimp_pattern_reader(tmp_path) -> None:
    rgb = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    path = tmp_path / "p.pat"
    path.write_bytes(_pattern_bytes(3, 2, 3, rgb.tobytes()))
    assert read_pattern(path)[0] == "Test" and np.array_equal(read_pattern(path)[1], rgb)
    path.write_bytes(_pattern_bytes(3, 2, 1, bytes(range(6))))
    gray = read_pattern(path)[1]
    assert gray.shape == (2, 3, 3) and np.array_equal(gray[..., 0], gray[..., 2])
    path.write_bytes(_pattern_bytes(3, 2, 3, rgb.tobytes()[:-1]))
    with pytest.raises(PatternError, match="truncated"):
        read_pattern(path)
    path.write_bytes(b"not a pattern at all, no")
    with pytest.raises(PatternError, match="not a GIMP pattern"):
        read_pattern(path)


@pytest.mark.skipif(not BRICK_PAT.exists(), reason="gimp-data is not installed")
def test_gimp_brick_pattern_reads_and_tiles_seamlessly() -> None:
    name, pixels = read_pattern(BRICK_PAT)
    assert name == "Bricks" and pixels.shape == (96, 96, 3)
    seam, inner = seam_and_interior(pixels)
    assert seam < 2 * inner  # GIMP's patterns are made to tile


def test_a_shipped_texture_tiles_without_a_seam_and_an_untiled_one_shows_its_edges() -> None:
    registry = ModelRegistry()
    shipped = sorted(d.id for d in registry.refresh() if d.card.family == "texture" and d.builtin)
    assert len(shipped) >= 3  # the built-in texture models (models/texture-*.json)
    model = registry.load(shipped[0], "cpu")
    for size in ((256, 192), (250, 180)):
        request = GenerationRequest(
            shipped[0], "sample", {"width": size[0], "height": size[1], "tile": True}, 3
        )
        tile = model.run(request, JobControl()).images[0]
        seam, inner = seam_and_interior(tile)
        assert tile.shape == (size[1], size[0], 3) and seam <= inner
    plain = model.run(GenerationRequest(shipped[0], "sample", {"width": 256, "height": 192}, 3), JobControl())
    assert seam_and_interior(plain.images[0])[0] > seam
