"""The loop's parts: batch order and sharding, Fréchet distance, grids, settings, the bar."""

from __future__ import annotations

import io
import shlex

import numpy as np
import pytest
import torch

from genimg_desktop import cli
from genimg_desktop.cli.common import parse_settings
from genimg_desktop.cli.train import command_line, config_from_args
from genimg_desktop.engine.evaluation.frechet import frechet_distance
from genimg_desktop.engine.training.batches import BatchStream, to_uint8, to_unit_range
from genimg_desktop.engine.training.distributed import DistContext
from genimg_desktop.engine.training.events import TrainEvent
from genimg_desktop.engine.training.progress_bar import ProgressBar, format_duration
from genimg_desktop.engine.training.samples import grid_image, grid_layout


def test_batches_depend_only_on_seed_and_step_and_cover_every_pass():
    stream = BatchStream(10, 4, seed=3)
    first = [stream.global_indices(step) for step in range(5)]  # 20 images: two full passes
    again = BatchStream(10, 4, seed=3)
    assert all(torch.equal(again.global_indices(s), first[s]) for s in (4, 0, 2))  # any order
    flat = torch.cat(first).tolist()
    assert sorted(flat[:10]) == list(range(10)) and sorted(flat[10:]) == list(range(10))
    assert flat[:10] != flat[10:]  # each pass is shuffled anew
    assert not torch.equal(BatchStream(10, 4, seed=4).global_indices(0), first[0])


def test_ranks_split_the_global_batch():
    shards = [BatchStream(50, 8, seed=1, rank=r, world=2).indices(7) for r in (0, 1)]
    whole = BatchStream(50, 8, seed=1).global_indices(7)
    assert sorted(torch.cat(shards).tolist()) == sorted(whole.tolist()) and len(shards[0]) == 4
    with pytest.raises(ValueError, match="multiple"):
        BatchStream(50, 7, seed=1, world=2)


def test_pixel_range_round_trips():
    pixels = torch.arange(256, dtype=torch.uint8)
    assert torch.equal(to_uint8(to_unit_range(pixels)), pixels)
    assert to_unit_range(pixels).min() == -1 and to_unit_range(pixels).max() == 1


def test_frechet_distance_of_gaussians():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4000, 3))
    assert frechet_distance(a, a) == pytest.approx(0, abs=1e-9)
    shifted = a + np.array([2.0, 0, 0])  # same covariance: the distance is the squared mean shift
    assert frechet_distance(a, shifted) == pytest.approx(4.0, rel=1e-6)
    scaled = a * 2  # equal means, covariances I and 4I in 3-D: tr(I + 4I - 2 * 2I) = 3
    assert frechet_distance(a, scaled) == pytest.approx(3.0, rel=0.05)


def test_grid_has_one_row_per_class():
    assert grid_layout(10) == (80, 8) and grid_layout(0) == (64, 8) and grid_layout(100) == (64, 8)
    gray = grid_image(torch.zeros(80, 1, 28, 28), 8)
    assert gray.shape == (10 * 30 + 2, 8 * 30 + 2) and gray.dtype == np.uint8
    assert grid_image(torch.zeros(5, 3, 4, 4), 8).shape == (8, 50, 3)


def test_settings_are_json_or_text():
    assert parse_settings(["blocks=2", "widths=[8, 16]", "flip=false", "head=softmax"]) == {
        "blocks": 2,
        "widths": [8, 16],
        "flip": False,
        "head": "softmax",
    }
    with pytest.raises(ValueError, match="KEY=VALUE"):
        parse_settings(["oops"])


def test_the_recorded_command_spells_out_every_option(monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "2")
    given = "--family gan --data my@pics --size 32 --out run --steps 10 --batch-size 8 --lr 2e-4 --seed 1"
    given += " --sample-every 5 --checkpoint-every 5 --set beta=0.5"
    args = cli.build_parser().parse_args(["train", *(word.replace("@", " ") for word in given.split(" "))])
    assert command_line(args) == (
        "torchrun --nproc_per_node 2 -m genimg_desktop train --family gan --data 'my pics' --size 32 "
        "--out run --steps 10 --batch-size 8 --lr 0.0002 --seed 1 --sample-every 5 --checkpoint-every 5 "
        "--set beta=0.5"
    )


def test_the_recorded_command_keeps_a_learning_rate_decay():
    given = shlex.split("train --family gan --data emoji --size 64 --out run --steps 10 --lr-decay-from 5")
    args = cli.build_parser().parse_args(given)
    assert "--lr 0.0002 --lr-decay-from 5 --seed 0" in command_line(args)
    assert config_from_args(args).lr_decay_from == 5


def test_wrapping_is_a_no_op_in_one_process():
    module = torch.nn.Linear(2, 2)
    assert DistContext(0, 1, torch.device("cpu")).wrapper()(module) is module


def test_progress_bar_in_a_log_prints_whole_lines():
    out = io.StringIO()
    bar = ProgressBar(out)
    for step in range(1, 41):
        bar(TrainEvent("step", step, 40, {"loss": 0.5}, eta_s=40 - step))
    bar(TrainEvent("done", 40, 40, message="model written"))
    lines = out.getvalue().splitlines()
    assert len(lines) == 21 and lines[-1] == "model written (40/40 steps)"
    assert lines[0].startswith(" 2/40 [#") and "loss 0.5" in lines[0] and "eta 0m38s" in lines[0]
    assert format_duration(3725) == "1h02m"
