"""`genimg bench texture` with a tiny random-weight texture model, and the quality statistics it reports."""

from __future__ import annotations

import json

import torch

from genimg_desktop import cli
from genimg_desktop.core import paths
from genimg_desktop.engine.texture.quality import texture_scores
from genimg_desktop.engine.texture.trainer import random_crops
from tests.engine.test_texture import install_tiny


def test_bench_texture_times_each_size(capsys, tmp_path) -> None:
    install_tiny(paths.user_models_dir())
    out = tmp_path / "texture.json"
    assert cli.main(["bench", "texture", "--quick", "--json", "--out", str(out)]) == 0
    row = json.loads(out.read_text())["models"]["tiny-texture"]
    assert set(row["speed"]) == {"128", "256"} and all(s > 0 for s in row["speed"].values())
    assert row["quality"] is None  # its card names no installed texture to compare with
    assert json.loads(capsys.readouterr().out)["models"]["tiny-texture"] == row


def test_scores_tell_the_same_texture_from_another() -> None:
    generator = torch.Generator().manual_seed(0)
    ys, xs = torch.meshgrid(torch.arange(256.0), torch.arange(256.0), indexing="ij")
    stripes = torch.sin(xs / 3)[None].expand(3, -1, -1)[None]  # (1, 3, 256, 256)
    noise = torch.rand(1, 3, 256, 256, generator=generator) * 2 - 1
    real_a = random_crops(stripes.expand(8, -1, -1, -1), 64, generator)
    real_b = random_crops(stripes.expand(8, -1, -1, -1), 64, generator)
    other = random_crops(noise.expand(8, -1, -1, -1), 64, generator)
    scores = texture_scores(other, real_a, real_b)
    assert scores["patch_swd_real"] < scores["patch_swd"] / 10
    assert scores["gram_real"] < scores["gram"] / 10
