"""The "pixelcnn" family end to end: trainer -> export -> card -> registry -> every task via run()."""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from genimg_desktop.core.progress import JobCancelled, JobControl
from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.engine.evaluation.likelihood import likelihood_metrics
from genimg_desktop.engine.families import family
from genimg_desktop.engine.pixelcnn import trainer as trainer_module
from genimg_desktop.engine.pixelcnn.heads import unit_to_levels
from genimg_desktop.engine.pixelcnn.model import PixelCNNModel
from genimg_desktop.engine.pixelcnn.trainer import PixelCNNTrainer
from genimg_desktop.engine.registry import FAMILIES, ModelRegistry
from genimg_desktop.engine.training.data import ImageDataset
from genimg_desktop.engine.training.family_trainer import TrainConfig
from tests.support.tiny_models import PIXELCNN_CLASSES as CLASSES
from tests.support.tiny_models import PIXELCNN_SIZE as SIZE
from tests.support.tiny_models import PIXELCNN_TINY as TINY
from tests.support.tiny_models import export_pixelcnn as export
from tests.support.tiny_models import make_pixelcnn_trainer as make_trainer


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny tensors on a shared 2-core machine: one thread avoids spinning against other processes."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def batch(channels: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Blocky images in [-1, 1] on the 256 levels, and labels."""
    gen = torch.Generator().manual_seed(seed)
    levels = torch.randint(0, 256, (6, channels, SIZE // 2, SIZE // 2), generator=gen)
    levels = levels.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)
    return levels.float() / 127.5 - 1, torch.arange(6) % len(CLASSES)


# A two-scale colour model: a 4x4 prior, then the 8x8 image given it (see PixelCNNConfig.context).
TWO_SCALE = {"context": 4, "prior_layers": 1, "prior_hidden": 8, "context_hidden": 4}


@pytest.fixture(params=[1, 3, "two-scale"], ids=["gray", "colour", "two-scale"])
def model(request, user_models, tmp_path) -> PixelCNNModel:
    """A tiny model trained one step, exported to the user models folder and loaded by the registry."""
    channels, extra = (3, TWO_SCALE) if request.param == "two-scale" else (request.param, {})
    trainer = make_trainer(channels, tmp_path, **extra)
    losses = trainer.train_step(*batch(channels))
    assert math.isfinite(losses["bits_per_dim"])
    export(trainer, user_models, f"tiny-{request.param}")
    registry = ModelRegistry()
    registry.refresh()
    assert registry.errors == []
    loaded = registry.load(f"tiny-{request.param}", "cpu")
    assert isinstance(loaded, PixelCNNModel)
    return loaded


def run(model: PixelCNNModel, task: str, image=None, mask=None, seed=0, control=None, **params):
    request = GenerationRequest(model.card.id, task, params, seed, image, mask)
    return model.run(request, control or JobControl())


def picture(height: int, width: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_family_and_trainer_are_listed():
    assert FAMILIES["pixelcnn"] is PixelCNNModel and family("pixelcnn").trainer is PixelCNNTrainer


@pytest.mark.parametrize("task", ["sample", "complete", "likelihood", "inpaint"])
def test_every_task_runs_through_run(model, task):
    image = picture(20, 30)
    mask = np.zeros((20, 30), np.uint8)
    mask[5:12, 8:20] = 255
    params = {} if task == "likelihood" else {"count": 2}
    result = run(model, task, image, mask if task == "inpaint" else None, **params)
    assert result.images and all(
        im.dtype == np.uint8 and im.ndim == 3 and im.shape[2] == 3 for im in result.images
    )
    assert result.info["family"] == "pixelcnn"
    assert json.dumps(result.metadata())  # what the gallery and PNG metadata keep stays JSON


def test_sample_is_reproducible_and_has_the_model_size(model):
    first = run(model, "sample", seed=7, count=3, temperature=0.8)
    again = run(model, "sample", seed=7, count=3, temperature=0.8)
    other = run(model, "sample", seed=8, count=3, temperature=0.8)
    assert [im.shape for im in first.images] == [(SIZE, SIZE, 3)] * 3
    assert all(np.array_equal(a, b) for a, b in zip(first.images, again.images, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first.images, other.images, strict=True))
    assert run(model, "sample", count=2, **{"class": "bag"}).info["classes"] == ["bag", "bag"]
    if model.config.channels == 1:
        assert all(np.array_equal(im[..., 0], im[..., 2]) for im in first.images)


def test_sampling_runs_convolutions_in_full_float32(model, monkeypatch):
    """No TF32 while a sampler runs (CUDA's default for cuDNN), and the setting is restored after."""
    from genimg_desktop.engine.pixelcnn import sampling

    seen, real = [], sampling.SAMPLERS[sampling.DEFAULT_SAMPLER]
    spy = lambda net, job, on_row: seen.append(torch.backends.cudnn.allow_tf32) or real(net, job, on_row)  # noqa: E731
    monkeypatch.setitem(sampling.SAMPLERS, sampling.DEFAULT_SAMPLER, spy)
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", True)
    run(model, "sample", seed=1, count=1)
    assert set(seen) == {False} and torch.backends.cudnn.allow_tf32  # two scales: a sampler call each


def test_sampling_reports_each_row_with_a_preview(model):
    events = []
    run(model, "sample", control=JobControl(events.append), count=2)
    rows = [e for e in events if e.message.startswith("row")]
    assert [e.message for e in rows] == [f"row {r}/{SIZE}" for r in range(1, SIZE + 1)]
    assert all(e.preview.shape == (SIZE, SIZE, 3) and e.preview.dtype == np.uint8 for e in rows)
    assert rows[-1].fraction == 1.0


def test_cancel_mid_sampling(model):
    control = JobControl()
    seen = []

    def on_progress(event):
        seen.append(event.message)
        if event.message == "row 3/8":
            control.cancel()

    control = JobControl(on_progress)
    with pytest.raises(JobCancelled):
        run(model, "sample", control=control, count=4)
    assert seen[-1] == "row 3/8"


def test_complete_keeps_the_top_rows_and_ranks(model):
    image = np.repeat(picture(SIZE, SIZE, 1)[..., :1], 3, axis=2)  # gray, so gray models keep it exact
    result = run(model, "complete", image, seed=3, count=3, keep_rows=0.5)
    for out in result.images:
        assert np.array_equal(out[:4], image[:4])
    scores = result.info["log_likelihood_nats"]
    assert scores == sorted(scores, reverse=True) and len(scores) == 3
    for uncertainty in result.info["uncertainty_bits"]:
        assert (
            uncertainty.shape == (SIZE, SIZE) and np.all(uncertainty[:4] == 0) and np.all(uncertainty[4:] > 0)
        )
    assert result.info["uncertainty_box"] == [0, SIZE, 0, SIZE]


def test_complete_with_a_mask_resamples_only_the_mask(model):
    image = np.repeat(picture(SIZE, SIZE, 2)[..., :1], 3, axis=2)
    mask = np.zeros((SIZE, SIZE), np.uint8)
    mask[2:5, 3:7] = 255
    result = run(model, "complete", image, mask, count=2)
    for out in result.images:
        assert np.array_equal(out[mask == 0], image[mask == 0])
        assert not np.array_equal(out[mask > 0], image[mask > 0])


def test_inpaint_keeps_outside_exact_ranks_and_maps_uncertainty(model):
    image = picture(40, 50, 3)
    mask = np.zeros((40, 50), np.uint8)
    mask[10:20, 15:30] = 255
    result = run(model, "inpaint", image, mask, count=3, context_margin=4)
    assert len(result.images) == 3
    for out in result.images:
        assert out.shape == image.shape and np.array_equal(out[mask == 0], image[mask == 0])
    scores = result.info["log_likelihood_nats"]
    assert scores == sorted(scores, reverse=True)
    y0, y1, x0, x1 = result.info["uncertainty_box"]
    assert (y0, y1, x0, x1) == (6, 24, 11, 34)
    inside = mask[y0:y1, x0:x1] > 0
    for bits, rgb in zip(result.info["uncertainty_bits"], result.info["uncertainty_rgb"], strict=True):
        assert bits.shape == (y1 - y0, x1 - x0) and rgb.shape == (*bits.shape, 3) and rgb.dtype == np.uint8
        assert np.all(bits[~inside] == 0) and bits[inside].mean() > 0
        assert bits.max() <= result.info["uncertainty_max_bits"] + 1e-3


def test_likelihood_reports_bits_per_dim_and_a_heatmap(model):
    image = np.repeat(picture(SIZE, SIZE, 4)[..., :1], 3, axis=2)
    as_model = image[..., :1] if model.config.channels == 1 else image
    shoe = run(model, "likelihood", image, **{"class": "shoe"})
    assert shoe.info["bits_per_dim"] == pytest.approx(
        model.bits_per_dim(as_model[None], np.array([1])), rel=1e-5
    )
    assert shoe.info["nll_bits_map"].sum() / as_model.size == pytest.approx(
        shoe.info["bits_per_dim"], rel=1e-4
    )
    marginal = run(model, "likelihood", image)
    assert marginal.info["bits_per_dim"] == pytest.approx(model.bits_per_dim(as_model[None], None), rel=1e-5)
    assert sum(marginal.info["class_probabilities"].values()) == pytest.approx(1.0)
    big = run(model, "likelihood", picture(24, 40))
    assert big.images[0].shape == (24, 40, 3)


def test_bits_per_dim_is_the_mean_nll_by_hand(model):
    images = np.random.default_rng(5).integers(0, 256, (4, SIZE, SIZE, model.config.channels), dtype=np.uint8)
    labels = np.array([0, 1, 2, 0])
    levels = torch.from_numpy(images).permute(0, 3, 1, 2).long()
    with torch.no_grad():
        labels_t = torch.from_numpy(labels)
        out = model.net(levels.float() / 127.5 - 1, labels_t)
        log_p = model.net.head.log_prob(out, levels).sum()
        if model.net.prior is not None:  # two scales: plus log p(small picture), each block's mean
            small = F.avg_pool2d(levels.float(), 2).round().long()
            log_p += model.net.prior.head.log_prob(model.net.prior(small / 127.5 - 1, labels_t), small).sum()
        nll = -log_p / (math.log(2) * images.size)
    assert model.bits_per_dim(images, labels) == pytest.approx(float(nll), rel=1e-5)
    # As engine/evaluation hands them: uint8 tensors (N, C, H, W), a few at a time.
    as_tensor = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()
    metrics = likelihood_metrics(model, as_tensor, torch.from_numpy(labels), seed=0, batch=3)
    assert metrics["bits_per_dim"] == pytest.approx(float(nll), rel=1e-5)


def test_sample_tensor_for_evaluation(model):
    samples = model.sample_tensor(3, 2, torch.Generator().manual_seed(1))
    again = model.sample_tensor(3, 2, torch.Generator().manual_seed(1))
    assert samples.shape == (3, model.config.channels, SIZE, SIZE) and torch.equal(samples, again)
    assert samples.min() >= -1 and samples.max() <= 1
    assert model.sample_tensor(2, None, torch.Generator().manual_seed(1)).shape[0] == 2


def test_training_lowers_bits_per_dim_and_resumes_exactly(tmp_path):
    trainer = make_trainer(1, tmp_path)
    images, labels = batch(1)
    first = [trainer.train_step(images, labels)["bits_per_dim"] for _ in range(25)]
    assert first[-1] < first[0] - 0.3
    twin = make_trainer(1, tmp_path)
    twin.load_state_dict(copy.deepcopy(trainer.state_dict()))
    assert trainer.train_step(images, labels) == twin.train_step(images, labels)
    assert twin.steps == 26


def test_sample_grid_is_class_major(tmp_path, monkeypatch):
    trainer = make_trainer(3, tmp_path)
    seen = []
    real = trainer_module.sampling.sample
    monkeypatch.setattr(
        trainer_module.sampling,
        "sample",
        lambda net, n, labels, g, **kw: seen.append(labels) or real(net, n, labels, g, **kw),
    )
    grid = trainer.sample_grid(6, torch.Generator().manual_seed(0))
    assert grid.shape == (6, 3, SIZE, SIZE) and grid.min() >= -1 and grid.max() <= 1
    assert seen[0].tolist() == [0, 0, 1, 1, 2, 2]
    assert trainer.net.training  # back in training mode


def test_a_model_trained_with_class_dropout_offers_class_guidance(user_models, tmp_path):
    trainer = make_trainer(1, tmp_path, class_dropout=0.5)
    images, labels = batch(1)
    for _ in range(3):
        trainer.train_step(images, labels)
    export(trainer, user_models, "tiny-guided")
    guided = ModelRegistry().load("tiny-guided", "cpu")
    assert isinstance(guided, PixelCNNModel) and guided.config.class_dropout == 0.5
    plain = make_trainer(1, tmp_path, class_dropout=0.0)
    export(plain, user_models, "tiny-plain")
    plain_model = ModelRegistry().load("tiny-plain", "cpu")
    for task in ("sample", "complete", "inpaint"):
        assert "guidance" in [p.name for p in guided.task(task).params]
        assert "guidance" not in [p.name for p in plain_model.task(task).params]  # no dropout, no p(x)
    # new conditional models train with class dropout by default
    assert make_trainer(1, tmp_path).net_config.class_dropout == 0.1
    assert make_trainer(3, tmp_path).net_config.class_dropout == 0.1
    first = run(guided, "sample", seed=3, count=2, guidance=3.0, **{"class": "bag"})
    again = run(guided, "sample", seed=3, count=2, guidance=3.0, **{"class": "bag"})
    plain = run(guided, "sample", seed=3, count=2, guidance=1.0, **{"class": "bag"})
    assert all(np.array_equal(a, b) for a, b in zip(first.images, again.images, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first.images, plain.images, strict=True))
    assert first.info["classes"] == ["bag", "bag"]
    assert run(guided, "complete", picture(8, 8), count=2, guidance=2.0).images


def test_label_minus_one_is_the_unconditional_network(tmp_path):
    trainer = make_trainer(1, tmp_path, class_dropout=0.5)
    images, _ = batch(1)
    with torch.no_grad():
        none = trainer.net(images, None)
        hidden = trainer.net(images, torch.full((images.shape[0],), -1))
        given = trainer.net(images, torch.zeros(images.shape[0], dtype=torch.long))
    assert torch.equal(none, hidden) and not torch.equal(none, given)


def test_dropout_and_mirroring_act_in_training_only(tmp_path, monkeypatch):
    trainer = make_trainer(3, tmp_path, dropout=0.5, flip=1.0)
    images, labels = batch(3)
    with torch.no_grad():
        trainer.net.eval()
        assert torch.equal(trainer.net(images, labels), trainer.net(images, labels))  # eval: no dropout
        trainer.net.train()
        assert not torch.equal(trainer.net(images, labels), trainer.net(images, labels))
    seen = []
    monkeypatch.setattr(trainer_module, "unit_to_levels", lambda x: seen.append(x) or unit_to_levels(x))
    trainer.train_step(images, labels)
    assert torch.equal(seen[0], images.flip(-1))  # flip=1: every image mirrored
    with pytest.raises(ValueError, match="dropout must be"):
        make_trainer(3, tmp_path, dropout=1.0)


def test_unknown_settings_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown PixelCNN setting"):
        make_trainer(1, tmp_path, depth=3)


def test_cards_this_family_cannot_build_are_reported(user_models, write_card):
    base = {"family": "pixelcnn", "resolution": 8, "channels": 1, "config": dict(TINY)}
    write_card(user_models, "typo", id="typo", **{**base, "config": {**TINY, "layer": 2}})
    write_card(user_models, "clash", id="clash", **{**base, "config": {**TINY, "size": 16}})
    write_card(user_models, "nores", id="nores", **{**base, "resolution": None})
    registry = ModelRegistry()
    assert not {"typo", "clash", "nores"} & {d.id for d in registry.refresh()}
    errors = "\n".join(registry.errors)
    assert "unknown PixelCNN setting(s) layer" in errors and "config.size is 16" in errors
    assert "needs a 'resolution'" in errors


def test_the_training_loop_trains_exports_and_the_app_loads_it(tmp_path, monkeypatch):
    """`genimg train --family pixelcnn` end to end on a stand-in dataset: the card it writes loads."""
    from genimg_desktop.engine.training import loop

    rng = np.random.default_rng(0)
    images = np.repeat(np.repeat(rng.integers(0, 256, (12, 4, 4, 3), dtype=np.uint8), 2, 1), 2, 2)
    data = ImageDataset(
        images, (np.arange(12) % 3).astype(np.int64), CLASSES, "stand-in", "generated in the test"
    )
    monkeypatch.setattr(loop, "_load_data", lambda config, ctx: data)
    config = TrainConfig(
        family="pixelcnn", data="stand-in", size=SIZE, out=tmp_path / "run", steps=3, batch_size=4,
        lr=1e-3, sample_every=3, checkpoint_every=3, model_id="pixelcnn-loop", device="cpu",
        extra={**TINY, "mixtures": 2},
    )  # fmt: skip
    card = loop.train(config)
    assert (tmp_path / "run" / "samples" / "step_000003.png").is_file()
    model = ModelRegistry().load("pixelcnn-loop", "cpu")
    assert model.card.card_path == card and model.config.head == "logistic"
    assert run(model, "sample", count=1).images[0].shape == (SIZE, SIZE, 3)


def test_two_scale_likelihoods_are_called_bounds(model):
    shoe = run(model, "likelihood", picture(SIZE, SIZE, 4), **{"class": "shoe"})
    two_scale = model.config.context > 0
    assert shoe.info["bound"] == ("upper" if two_scale else "exact")
    assert shoe.info["summary"].startswith("at most ") == two_scale
    assert (model.likelihood_note is not None) == two_scale


def test_the_bench_compares_naive_and_cached_sampling_on_every_kind(model):
    from genimg_desktop.bench.pixelcnn import compare_samplers

    # Two-scale models too: both samplers are handed the same small picture, drawn by the prior.
    entry = compare_samplers(model, model.card, quick=True)
    assert entry["identical"] is True and entry["naive_s"] > 0 and entry["cached_s"] > 0
