"""What the training view shows of a run (issue 23): the pictures held out of a folder are said beside
the count, and sample grids can come by training time instead of steps."""

from __future__ import annotations

from genimg_desktop.cli import build_parser
from genimg_desktop.cli.train import config_from_args
from genimg_desktop.engine.training.family_trainer import TrainConfig
from genimg_desktop.engine.training.loop import train
from tests.support.shape_folder import make_shape_folder
from tests.support.tiny_models import GAN_TINY


def tiny_gan(tmp_path, folder, **changes) -> TrainConfig:
    fields = dict(family="gan", data=str(folder), size=16, out=tmp_path / "run", steps=3, batch_size=4)
    fields.update(lr=2e-4, sample_every=0, checkpoint_every=0, model_id="tiny", extra=dict(GAN_TINY))
    fields.update(device="cpu", models_dir=tmp_path / "models", **changes)
    return TrainConfig(**fields)


def test_a_folder_of_48_says_4_are_held_out_and_a_grid_comes_by_time(tmp_path):
    folder = make_shape_folder(tmp_path / "pictures", per_class=24)  # 48 pictures, 2 classes
    events = []
    train(tiny_gan(tmp_path, folder, sample_every_s=1e-9), events.append)
    start = next(e for e in events if e.kind == "start")
    assert "44 images of" in start.message and "4 more held out to test the model" in start.message
    # Any time at all passed after each step: a grid at every one (by steps: only at the end).
    assert [e.step for e in events if e.kind == "sample"] == [1, 2, 3]

    events.clear()
    train(tiny_gan(tmp_path, folder, out=tmp_path / "run2", model_id="tiny2"), events.append)
    assert [e.step for e in events if e.kind == "sample"] == [3]


def test_genimg_train_takes_sample_minutes_and_spells_it_in_the_command():
    args = build_parser().parse_args(
        [
            "train",
            "--family",
            "gan",
            "--data",
            "emoji",
            "--size",
            "32",
            "--out",
            "run",
            "--sample-minutes",
            "2.5",
        ]
    )
    config = config_from_args(args)
    assert config.sample_every_s == 150.0 and "--sample-minutes 2.5" in config.command
