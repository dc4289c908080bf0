"""The same training in two CPU processes under torchrun (DDP over gloo) on a tiny run."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch
from safetensors.torch import load_file

from genimg_desktop.core import paths
from genimg_desktop.engine.training.loop import train
from genimg_desktop.engine.training.loss_log import read_log
from tests.engine.training_helpers import tiny_config

pytestmark = pytest.mark.usefixtures("shared_dataset_cache")  # decode Fashion-MNIST once

# No random augmentation or dropout: then two processes with half a batch each must compute what one
# process computes on the whole batch (DDP averages the two halves' gradients).
EXACT = {"widths": [8, 16], "blocks": 1, "hidden": 16, "shift": 0, "flip": False, "dropout": 0.0}


def test_two_processes_train_like_one(tmp_path):
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
               "-m", "genimg_desktop", "train", "--family", "classifier", "--data", "fashion-mnist",
               "--size", "28", "--out", str(tmp_path / "ddp"), "--steps", "4", "--batch-size", "16",
               "--lr", "1e-3", "--limit", "64", "--sample-every", "2", "--checkpoint-every", "2",
               "--id", "ddp-classifier", "--device", "cpu"]  # fmt: skip
    command += [arg for key, value in EXACT.items() for arg in ("--set", f"{key}={json.dumps(value)}")]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]

    card_path = paths.user_models_dir() / "ddp-classifier.json"
    assert proc.stdout.split() == [str(card_path)]  # printed once: only rank 0 reports and writes
    assert [row["step"] for row in read_log(tmp_path / "ddp" / "losses.jsonl")] == [1, 2, 3, 4]
    card = json.loads(card_path.read_text(encoding="utf-8"))
    assert card["training"]["processes"] == 2 and card["training"]["command"].startswith("torchrun")

    single = train(tiny_config(tmp_path / "one", model_id="one-process", extra=dict(EXACT)))
    two = load_file(card_path.with_suffix(".safetensors"))
    one = load_file(single.with_suffix(".safetensors"))
    assert all(torch.allclose(two[k], one[k], atol=1e-5) for k in one)


# A two-scale PixelCNN: its prior runs inside the training forward, so DDP must average its gradients too.
TWO_SCALE = {"layers": 2, "hidden": 8, "context": 7, "prior_layers": 1, "prior_hidden": 8,
             "context_hidden": 4, "class_dropout": 0.0}  # fmt: skip


def test_a_two_scale_pixelcnn_trains_in_two_processes_like_in_one(tmp_path):
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
               "-m", "genimg_desktop", "train", "--family", "pixelcnn", "--data", "fashion-mnist",
               "--size", "28", "--out", str(tmp_path / "ddp"), "--steps", "3", "--batch-size", "8",
               "--lr", "1e-3", "--limit", "64", "--sample-every", "100", "--checkpoint-every", "100",
               "--id", "ddp-pixelcnn", "--device", "cpu"]  # fmt: skip
    command += [arg for key, value in TWO_SCALE.items() for arg in ("--set", f"{key}={value}")]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]

    settings = {"sample_every": 100, "checkpoint_every": 100, "extra": dict(TWO_SCALE)}
    config = tiny_config(
        tmp_path / "one", model_id="one", family="pixelcnn", steps=3, batch_size=8, **settings
    )
    one = load_file(train(config).with_suffix(".safetensors"))
    two = load_file(paths.user_models_dir() / "ddp-pixelcnn.safetensors")
    assert any(name.startswith("prior.") for name in one)
    assert all(torch.allclose(two[k], one[k], atol=1e-5) for k in one)
