"""The learned fill network ("inpaint" family) on tiny configurations: training, the app model, the
crop strategy, exactness outside the mask, any size, cancel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from genimg_desktop.core.composite import composite_masked
from genimg_desktop.core.progress import JobCancelled, JobControl
from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.engine.inpaint.config import InpaintConfig
from genimg_desktop.engine.inpaint.networks import FillNet
from genimg_desktop.engine.inpaint.pullpush import pull_push
from genimg_desktop.engine.inpaint.trainer import InpaintTrainer, detail_loss, recipe_text
from genimg_desktop.engine.registry import ModelRegistry
from genimg_desktop.engine.training.events import TrainingStopped
from genimg_desktop.engine.training.family_trainer import DataInfo, TrainConfig
from genimg_desktop.engine.training.loop import train

TINY = {"width": 4, "max_width": 8, "levels": 2, "dilations": "1,2", "d_width": 4}


def tiny_config(out: Path, **changes) -> TrainConfig:
    fields = dict(
        family="inpaint",
        data="photos",
        size=32,
        out=out,
        steps=2,
        batch_size=4,
        lr=3e-4,
        limit=8,
        sample_every=2,
        checkpoint_every=1,
        model_id="tiny-fill",
        extra=dict(TINY),
        device="cpu",
        models_dir=out / "models",
    )
    fields.update(changes)
    return TrainConfig(**fields)


@pytest.fixture
def tiny_model(tmp_path):
    """A two-step fill network, trained and exported by the real loop, loaded like the app does."""
    card = train(tiny_config(tmp_path / "run"))
    registry = ModelRegistry([(card.parent, False)])
    return registry.load("tiny-fill", "cpu")


def run(model, image, mask, control=None, **params) -> np.ndarray:
    request = GenerationRequest("tiny-fill", "inpaint", params, 0, image, mask)
    return model.run(request, control or JobControl()).images[0]


def test_one_training_step_moves_the_generator_and_reports_finite_losses(tmp_path) -> None:
    torch.manual_seed(0)
    trainer = InpaintTrainer(tiny_config(tmp_path), DataInfo(3, 32, ("a",), "x"), torch.device("cpu"))
    before = [p.detach().clone() for p in trainer.g.parameters()]
    losses = trainer.train_step(torch.rand(4, 3, 32, 32) * 2 - 1, torch.zeros(4, dtype=torch.long))
    assert set(losses) >= {"d_loss", "g_loss", "l1_hole", "adv", "fm"}
    assert all(np.isfinite(v) for v in losses.values())
    assert any(not torch.equal(a, b) for a, b in zip(before, trainer.g.parameters(), strict=True))
    assert trainer.sample_grid(6, torch.Generator().manual_seed(0)).shape == (6, 3, 32, 32)


def test_pixels_outside_the_mask_are_bit_exact_and_the_hole_is_filled(
    tiny_model, photo_rgb, hole_mask
) -> None:
    out = run(tiny_model, photo_rgb, hole_mask)
    keep = hole_mask == 0
    assert out.shape == photo_rgb.shape and out.dtype == np.uint8
    assert np.array_equal(out[keep], photo_rgb[keep])
    assert not np.array_equal(out[~keep], photo_rgb[~keep])  # it did write into the hole


def test_feathered_accept_keeps_the_outside_and_softens_the_seam(tiny_model, photo_rgb, hole_mask) -> None:
    out = run(tiny_model, photo_rgb, hole_mask)
    base = np.dstack([photo_rgb, np.full(photo_rgb.shape[:2], 255, np.uint8)])
    hard = composite_masked(base, out, hole_mask, 0)
    soft = composite_masked(base, out, hole_mask, 8)
    keep = hole_mask == 0
    assert np.array_equal(soft[keep], base[keep]) and np.array_equal(hard[keep], base[keep])
    edge = (slice(300, 302), slice(200, 260))  # first rows inside the hole: blended, not the fill
    assert np.array_equal(hard[edge][..., :3], out[edge])
    assert not np.array_equal(soft[edge][..., :3], out[edge])


@pytest.mark.parametrize("shape", [(64, 64), (67, 93), (5, 7)])
def test_runs_at_any_size(tiny_model, shape) -> None:
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, (*shape, 3), dtype=np.uint8)
    mask = np.zeros(shape, np.uint8)
    mask[shape[0] // 3 : shape[0] // 3 + 2, 1:4] = 255
    out = run(tiny_model, image, mask, context_margin=0)
    assert out.shape == image.shape
    assert np.array_equal(out[mask == 0], image[mask == 0])


class _Spy:
    """Records the input sizes the network is called with."""

    def __init__(self, net: FillNet) -> None:
        self.net, self.shapes = net, []

    def __call__(self, image: torch.Tensor, mask: torch.Tensor, guess=None, generator=None) -> torch.Tensor:
        self.shapes.append(tuple(image.shape[2:]))
        self.guesses = [*getattr(self, "guesses", []), guess is not None]
        return self.net(image, mask, guess, generator)


def test_large_image_runs_only_the_crop_around_the_hole(tiny_model) -> None:
    image = np.full((4096, 4096, 3), 90, np.uint8)
    mask = np.zeros((4096, 4096), np.uint8)
    mask[2000:2128, 1000:1128] = 255
    spy = _Spy(tiny_model.net)
    tiny_model._net = spy
    out = run(tiny_model, image, mask, context_margin=32)
    assert spy.shapes == [(192, 192)]  # 128 + 2 x 32, already a multiple of the stride
    assert np.array_equal(out[mask == 0], image[mask == 0])


def test_a_crop_over_max_side_is_filled_downscaled(tiny_model) -> None:
    image = np.full((1000, 1000, 3), 90, np.uint8)
    mask = np.zeros((1000, 1000), np.uint8)
    mask[100:900, 100:900] = 255
    spy = _Spy(tiny_model.net)
    tiny_model._net = spy
    out = run(tiny_model, image, mask, context_margin=64, max_side=256, refine=False)
    assert spy.shapes == [(256, 256)] and spy.guesses == [False]  # 928 px crop, filled at 256
    assert np.array_equal(out[mask == 0], image[mask == 0])


def test_a_downscaled_fill_is_refined_at_full_size_in_tiles(tiny_model, photo_rgb) -> None:
    image = np.ascontiguousarray(np.tile(photo_rgb, (2, 2, 1))[:600, :600])
    mask = np.zeros((600, 600), np.uint8)
    mask[100:500, 150:450] = 255
    with torch.no_grad():  # a correction that shows: the tiny model's head starts at zero
        torch.nn.init.normal_(tiny_model.net.head.weight, std=0.2, generator=torch.Generator().manual_seed(0))
    spy = _Spy(tiny_model.net)
    tiny_model._net = spy
    refined = run(tiny_model, image, mask, context_margin=32, max_side=256)
    coarse = run(tiny_model, image, mask, context_margin=32, max_side=256, refine=False)
    # crop 464 x 364: one coarse pass at 256 x 201, then 256 px tiles (64 px overlap) over the crop
    stride = tiny_model.config.stride
    assert spy.shapes[0] == (256, -(-201 // stride) * stride) and spy.guesses[0] is False
    tiles = spy.shapes[1 : spy.guesses.index(False, 1)]
    assert len(tiles) == 6 and all(max(shape) <= 256 for shape in tiles)
    assert all(spy.guesses[1 : 1 + len(tiles)])  # each tile starts from the scaled-up coarse fill
    assert np.array_equal(refined[mask == 0], image[mask == 0])
    assert not np.array_equal(refined, coarse)


def test_cancel_mid_job_stops_it(tiny_model, photo_rgb, hole_mask) -> None:
    control = JobControl(on_progress=lambda _event: control.cancel())  # cancel at the first report
    with pytest.raises(JobCancelled):
        run(tiny_model, photo_rgb, hole_mask, control)


def test_a_cancel_during_a_refine_tile_stops_before_the_next_tile(tiny_model, photo_rgb) -> None:
    """A huge hole's refine tiles are steps: a cancel that arrives while the first tile runs ends the
    job before any other tile (of the 6 this crop has, see above) is run."""
    image = np.ascontiguousarray(np.tile(photo_rgb, (2, 2, 1))[:600, :600])
    mask = np.zeros((600, 600), np.uint8)
    mask[100:500, 150:450] = 255
    control, spy = JobControl(), _Spy(tiny_model.net)

    def cancel_in_a_tile(image, mask, guess=None, generator=None):
        if guess is not None:  # a refine tile (the coarse pass has no guess): the artist presses Esc
            control.cancel()
        return spy(image, mask, guess, generator)

    tiny_model._net = cancel_in_a_tile
    with pytest.raises(JobCancelled):
        run(tiny_model, image, mask, control, context_margin=32, max_side=256)
    assert spy.guesses == [False, True]  # the coarse pass and one tile, no more


def test_training_stops_with_a_checkpoint_and_resumes_to_the_same_weights(tmp_path) -> None:
    straight = train(tiny_config(tmp_path / "a", model_id="fill-a"))
    with pytest.raises(TrainingStopped) as stopped:
        train(tiny_config(tmp_path / "b", model_id="fill-b"), should_stop=lambda: True)
    assert stopped.value.step == 1
    resumed = train(tiny_config(tmp_path / "b", model_id="fill-b"))
    a = ModelRegistry([(straight.parent, False)]).load("fill-a", "cpu").net.state_dict()
    b = ModelRegistry([(resumed.parent, False)]).load("fill-b", "cpu").net.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_network_is_fully_convolutional_for_multiples_of_its_stride() -> None:
    config = InpaintConfig(**{k: v for k, v in TINY.items()})
    net = FillNet(config).eval()
    for side in (config.stride * 3, config.stride * 16):
        x = torch.zeros(1, 3, side, side + config.stride)
        assert net(x, torch.zeros(1, 1, side, side + config.stride)).shape == x.shape


def test_exported_card_states_no_fixed_resolution(tmp_path) -> None:
    card = train(tiny_config(tmp_path / "run"))
    descriptor = ModelRegistry([(card.parent, False)]).descriptor("tiny-fill")
    assert descriptor.card.resolution is None and descriptor.card.family == "inpaint"


def test_training_on_crops_uses_whole_picture_stroke_widths(tmp_path) -> None:
    extra = {**TINY, "crop": 16}
    trainer = InpaintTrainer(
        tiny_config(tmp_path, extra=extra), DataInfo(3, 32, ("a",), "x"), torch.device("cpu")
    )
    trainer.train_step(torch.rand(4, 3, 32, 32) * 2 - 1, torch.zeros(4, dtype=torch.long))
    assert trainer.sample_grid(3, torch.Generator().manual_seed(0)).shape == (3, 3, 16, 16)


@pytest.mark.parametrize("smooth_iters", [0, 8])
def test_pull_push_keeps_known_pixels_and_fills_with_a_blend_of_them(smooth_iters) -> None:
    image = torch.rand(2, 3, 37, 53)
    mask = torch.zeros(2, 1, 37, 53)
    mask[..., 10:25, 5:40] = 1
    filled = pull_push(image, mask, smooth_iters)
    known = mask.expand_as(image) == 0
    assert torch.equal(filled[known], image[known])
    assert filled.min() >= image.min() - 1e-6 and filled.max() <= image.max() + 1e-6  # no overshoot
    flat = torch.full((1, 3, 20, 20), 0.3)
    hole = torch.zeros(1, 1, 20, 20)
    hole[..., 5:15, 5:15] = 1
    assert torch.allclose(pull_push(flat * (1 - hole), hole, smooth_iters), flat)  # the hole is unseen


def test_laplace_smoothing_makes_a_linear_ramp_across_a_hole_nearly_linear() -> None:
    ramp = torch.linspace(0, 1, 64).expand(1, 3, 64, 64).clone()
    hole = torch.zeros(1, 1, 64, 64)
    hole[..., 20:44, 24:40] = 1
    error = {k: (pull_push(ramp, hole, k) - ramp).abs().max().item() for k in (0, 8)}
    assert error[8] < error[0]  # a harmonic fill reproduces a linear ramp; the box pyramid does not


def test_fourier_blocks_start_as_the_identity_so_a_trained_network_keeps_its_fill() -> None:
    torch.manual_seed(0)
    plain = FillNet(InpaintConfig(**TINY)).eval()
    torch.nn.init.normal_(plain.head.weight, std=0.1)  # a "trained" head: the output is not the guess
    wider = FillNet(InpaintConfig(**TINY, fourier=2)).eval()
    missing, unexpected = wider.load_state_dict(plain.state_dict(), strict=False)
    assert unexpected == [] and all(".spectral." in k or ".conv." in k for k in missing)
    image, mask = torch.rand(1, 3, 40, 56) * 2 - 1, (torch.rand(1, 1, 40, 56) > 0.7).float()
    with torch.no_grad():
        assert torch.allclose(wider(image, mask), plain(image, mask), atol=1e-6)


def test_training_draws_object_sized_holes_and_charges_a_flat_fill_for_missing_detail(tmp_path) -> None:
    extra = {**TINY, "mask_kinds": "blob,object-box", "texture": 1.0}
    trainer = InpaintTrainer(
        tiny_config(tmp_path, extra=extra), DataInfo(3, 32, ("a",), "x"), torch.device("cpu")
    )
    holes = trainer._masks(16, torch.Generator().manual_seed(0)).mean(dim=(1, 2, 3))
    assert (holes > 0.02).all() and (holes < 0.6).all()
    losses = trainer.train_step(torch.rand(4, 3, 32, 32) * 2 - 1, torch.zeros(4, dtype=torch.long))
    assert np.isfinite(losses["texture"])
    real = torch.rand(2, 3, 32, 32) * 2 - 1  # noise: all detail
    mask = torch.ones(2, 1, 32, 32)
    assert detail_loss(real, real, mask) == 0
    assert detail_loss(torch.zeros_like(real), real, mask) > 0.3  # grey noise: |step| ~0.37


def test_stripes_do_not_pass_for_texture_in_the_detail_term() -> None:
    """The half-scale run's fills had horizontal stripes in big holes: with one mean |Laplacian| per
    cell, stripes twice as strong as a checkerboard have its Laplacian energy and paid nothing."""
    rows, cols = torch.meshgrid(torch.arange(32), torch.arange(32), indexing="ij")
    checker = ((rows + cols) % 2 * 2 - 1).float().expand(2, 3, 32, 32)  # detail in every direction
    stripes = 2 * (rows % 2 * 2 - 1).float().expand(2, 3, 32, 32)  # detail down the picture only
    mask = torch.zeros(2, 1, 32, 32)
    mask[..., 8:24, 8:24] = 1
    flat = detail_loss(torch.zeros_like(checker), checker, mask)
    assert detail_loss(checker, checker, mask) == 0
    assert detail_loss(stripes, checker, mask) > flat > 0.5  # stripes cost more than no detail at all


def test_training_at_half_scale_fills_shrunk_pictures_with_holes_sized_for_the_whole_one(tmp_path) -> None:
    extra = {**TINY, "shrink": 2, "mask_kinds": "blob"}
    trainer = InpaintTrainer(
        tiny_config(tmp_path, size=64, extra=extra), DataInfo(3, 64, ("a",), "x"), torch.device("cpu")
    )
    stripes = torch.tensor([-1.0, 1.0]).repeat(32)[None, None, None].expand(4, 3, 64, 64)  # 1 px stripes
    trainer.train_step(stripes.clone(), torch.zeros(4, dtype=torch.long))
    assert trainer.probe.shape == (4, 3, 32, 32) and trainer.probe.abs().max() < 1e-6  # 2x2 means: grey
    holes = trainer._masks(16, torch.Generator().manual_seed(0)).mean(dim=(1, 2, 3))
    assert holes.mean() > 0.1  # blobs of 90-180 px at 512 on a 64 px picture, drawn in its 32 px copy
    _, card = trainer.export()
    assert card["fill_scale"] == 0.5 and card["shrink_from"] == 64  # the app fills at the scale it learned
    with pytest.raises(ValueError, match="multiple of the network's stride"):
        InpaintTrainer(tiny_config(tmp_path, size=36, extra=extra), DataInfo(3, 36, ("a",), "x"), "cpu")


def test_the_cards_recipe_says_what_a_retraining_changed() -> None:
    first = recipe_text(InpaintConfig())
    assert "Fourier" not in first and "changed" not in first
    retrained = recipe_text(InpaintConfig(fourier=2, texture=2.0, adv=0.05, shrink=2, mask_kinds="thin,blob"))
    for words in (
        "2 residual Fourier blocks",
        "object-sized",
        "1/2 of the pictures' scale",
        "weight 2",
        "0.05",
    ):
        assert words in retrained
