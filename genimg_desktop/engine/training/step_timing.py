"""How long a training run will take on this machine, measured before it starts: the run's own trainer
on its own data, timed for a few steps after a warm-up step (first calls allocate and pick kernels),
so the estimate holds this machine, these settings and whatever else is running now. Nothing is
written: no run folder, no checkpoint, no model."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import torch

from genimg_desktop.engine.families import trainable
from genimg_desktop.engine.training import checkpoint as ckpt
from genimg_desktop.engine.training.batches import BatchStream, DeviceImages
from genimg_desktop.engine.training.distributed import session
from genimg_desktop.engine.training.family_trainer import DataInfo, FamilyTrainer, TrainConfig


@dataclass(frozen=True)
class StepTiming:
    seconds_per_step: float  # the run's mean over its phases (timing_plan), warm
    timed_steps: int  # steps timed (warm-up steps not counted)
    steps: int  # the run's steps

    @property
    def run_seconds(self) -> float:
        return self.seconds_per_step * self.steps

    def to_json(self) -> dict[str, float]:
        return {**dataclasses.asdict(self), "run_seconds": self.run_seconds}


def time_steps(config: TrainConfig, timed: int = 2, warmup: int = 1) -> StepTiming:
    """Build `config`'s trainer on its data and time `timed` steps (after `warmup` untimed ones) in each
    phase of the run the trainer names (`timing_plan`), weighted by the share of the run it takes."""
    from genimg_desktop.engine.training.data import load_dataset

    if timed < 1 or warmup < 0:
        raise ValueError("time at least one step, after zero or more warm-up steps")
    family = trainable(config.family)
    if config.lr is None:
        config = dataclasses.replace(config, lr=family.lr)
    with session(config.device) as ctx:
        dataset = load_dataset(
            config.data, config.size, "train", channels=config.channels, limit=config.limit
        )
        images = DeviceImages(dataset.images, dataset.labels, ctx.device)
        info = DataInfo(int(dataset.images.shape[3]), config.size, tuple(dataset.class_names), dataset.name)
        ckpt.seed_all(config.seed)
        assert family.trainer is not None  # trainable() refuses a family without one
        trainer = family.trainer(config, info, ctx.device)
        stream = BatchStream(len(images), config.batch_size, config.seed)
        mean = sum(
            share * _seconds(trainer, images, stream, start, timed, warmup)
            for start, share in trainer.timing_plan()
        )
    return StepTiming(mean, timed * len(trainer.timing_plan()), config.steps)


def _seconds(
    trainer: FamilyTrainer, images: DeviceImages, stream: BatchStream, start: int, timed: int, warmup: int
) -> float:
    """Mean seconds of `timed` steps from (0-based) step `start`, after `warmup` steps there."""
    trainer.step = start  # type: ignore[attr-defined] - every trainer with phases counts its steps
    for step in range(start, start + warmup):
        trainer.train_step(*images.batch(stream.indices(step)))
    _sync(trainer.device)
    began = time.perf_counter()
    for step in range(start + warmup, start + warmup + timed):
        trainer.train_step(*images.batch(stream.indices(step)))
    _sync(trainer.device)
    return (time.perf_counter() - began) / timed


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
