"""The training loop behind `genimg train` (and, later, the GUI's training view).

It owns everything that is not a family's math: data, seeding, the batch order, checkpoints and
resuming, sample grids, the loss log, events for listeners, DDP under torchrun, and writing the
finished model with its card. A family brings a `FamilyTrainer` (see family_trainer.py).

Reproducibility: a batch depends only on (seed, step) (see batches.py), and the global random
generators are re-seeded from (seed, step, rank) before every step, so a run stopped and resumed
from its checkpoint ends with the same weights as one that ran straight through.
"""

from __future__ import annotations

import contextlib
import dataclasses
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genimg_desktop.core.run_folder import CHECKPOINT, LOSS_LOG, sample_grid
from genimg_desktop.core.run_lock import run_folder_lock
from genimg_desktop.engine.device import device_label
from genimg_desktop.engine.families import trainable
from genimg_desktop.engine.training import checkpoint as ckpt
from genimg_desktop.engine.training.batches import BatchStream, DeviceImages, mix_seed
from genimg_desktop.engine.training.distributed import DistContext, session
from genimg_desktop.engine.training.events import TrainEvent, TrainingStopped
from genimg_desktop.engine.training.export import (
    RunInfo,
    check_id_free,
    check_models_folder_writable,
    export_model,
)
from genimg_desktop.engine.training.family_trainer import (
    DataInfo,
    FamilyTrainer,
    TrainConfig,
    wrapping,
)
from genimg_desktop.engine.training.loss_log import LossLog
from genimg_desktop.engine.training.samples import write_sample_grid
from genimg_desktop.engine.training.warm_start import InitFrom, resolve, warm_start

Listener = Callable[[TrainEvent], None]


def train(
    config: TrainConfig, on_event: Listener | None = None, should_stop: Callable[[], bool] | None = None
) -> Path:
    """Train (or resume) `config` and return the finished model's card path.

    `on_event` hears progress (rank 0 only); when `should_stop()` turns True the run checkpoints and
    raises TrainingStopped, and the same call resumes it later.
    """
    if config.lr is None:
        config = dataclasses.replace(config, lr=trainable(config.family).lr)
    check_config(config)
    start = None
    if config.init_from:
        start = resolve(config, trainable(config.family).any_size)
        config = start.config
    # One run per folder (core.run_lock): a second is refused at once instead of sharing the
    # checkpoint. Rank 0 holds it for its DDP siblings, which write nothing there.
    with (
        session(config.device) as ctx,
        run_folder_lock(Path(config.out)) if ctx.is_main else contextlib.nullcontext(),
    ):
        run = _Run(config, ctx, on_event or (lambda _event: None), should_stop or (lambda: False), start)
        return run.run()


def check_config(config: TrainConfig) -> None:
    """Cheap checks before anything heavy runs (a typo must not cost a data load)."""
    if config.size < 4 or config.steps < 1 or config.batch_size < 1 or (config.lr or 0) <= 0:
        raise ValueError("--size must be at least 4 and --steps, --batch-size, --lr positive")
    if config.limit is not None and config.limit < 1:
        raise ValueError("--limit must be positive")
    family = trainer_class(config.family)
    if config.lr_decay_from is not None:
        if not 0 <= config.lr_decay_from < config.steps:
            raise ValueError("--lr-decay-from must be a step from 0 to below --steps")
        if family.own_lr_schedule:
            raise ValueError(f"the {config.family} family sets its own learning rate: drop --lr-decay-from")
    if config.init_from and not family.warm_modules:
        raise ValueError(f"the {config.family} family cannot start from a model's weights: drop --init-from")
    check_id_free(config)
    check_models_folder_writable(config)


def trainer_class(family: str) -> type[FamilyTrainer]:
    """The trainer of the family `--family` names (a ValueError lists the trainable ones)."""
    trainer = trainable(family).trainer
    assert trainer is not None  # trainable() refuses a family without one
    return trainer


class _Run:
    def __init__(
        self,
        config: TrainConfig,
        ctx: DistContext,
        emit: Listener,
        stop: Callable[[], bool],
        start: InitFrom | None = None,
    ):
        self.config, self.ctx, self.stop = config, ctx, stop
        self.source = None if start is None else start.card  # weights still to copy (a fresh run)
        self.origin = None if start is None else start.origin  # for checkpoints and the card
        self.emit = emit if ctx.is_main else (lambda _event: None)
        self.out = Path(config.out)
        self.checkpoint_path = self.out / CHECKPOINT
        # Reset when the steps begin: the wall time and the ETA leave data loading out, so a card's
        # training time is the same whether the run went straight through or was resumed (or only
        # re-exported, resumed at its last step).
        self.steps_started = time.perf_counter()
        self.last_sample = self.steps_started  # when the last sample grid was drawn
        self.elapsed_before = 0.0
        self.first_step = 0

    def run(self) -> Path:
        dataset = _load_data(self.config, self.ctx)
        images = DeviceImages(dataset.images, dataset.labels, self.ctx.device)
        info = DataInfo(
            channels=int(dataset.images.shape[3]),
            size=self.config.size,
            class_names=tuple(dataset.class_names),
            dataset=dataset.name,
        )
        trainer = self._build(info)
        self.first_step = self._resume(trainer, _data_note(dataset))
        log = LossLog(self.out / LOSS_LOG, self.first_step) if self.ctx.is_main else None
        try:
            self._steps(trainer, images, log)
        finally:
            if log is not None:
                log.close()
        return self._finish(trainer, dataset, images)

    def _build(self, info: DataInfo) -> FamilyTrainer:
        ckpt.seed_all(self.config.seed)  # same initial weights in every process and every run
        with wrapping(self.ctx.wrapper()):
            return trainer_class(self.config.family)(self.config, info, self.ctx.device)

    def _resume(self, trainer: FamilyTrainer, data_note: str) -> int:
        state = ckpt.load_checkpoint(self.checkpoint_path, self.config, self.ctx.device)
        mode = "" if trainer.autocast_dtype is None else f", in {trainer.precision} mixed precision"
        if state is None:
            origin = ""
            if self.origin is not None:  # only a fresh run: a checkpoint holds the weights already
                if self.source is None:  # resolve() took the checkpoint's word, but it is gone now
                    raise ckpt.CheckpointError(f"{self.checkpoint_path} disappeared; run the command again")
                origin = f"{warm_start(trainer, self.source).message()} "
            self.emit(self._event("start", 0, message=f"starting {origin}on {data_note}{mode}"))
            return 0
        if int(state["step"]) > self.config.steps:
            raise ckpt.CheckpointError(
                f"{self.checkpoint_path} is at step {state['step']}, past --steps {self.config.steps}"
            )
        trainer.load_state_dict(state["trainer"])
        ckpt.restore_rng(state["rng"])
        step, self.elapsed_before = int(state["step"]), float(state["elapsed_s"])
        message = f"resuming from step {step}{mode}"
        self.emit(self._event("start", step, message=message, path=self.checkpoint_path))
        return step

    def _steps(self, trainer: FamilyTrainer, images: DeviceImages, log: LossLog | None) -> None:
        config, ctx = self.config, self.ctx
        stream = BatchStream(len(images), config.batch_size, config.seed, ctx.rank, ctx.world)
        self.steps_started = self.last_sample = time.perf_counter()
        for step in range(self.first_step + 1, config.steps + 1):
            _reseed(mix_seed(config.seed, step, ctx.rank))
            set_lr_scale(trainer, lr_scale(step, config))
            losses = trainer.train_step(*images.batch(stream.indices(step - 1)))
            losses, stop = ctx.reduce_step(losses, bool(self.stop()) if ctx.is_main else False)
            if log is not None:
                log.write(step, self.elapsed(), losses)
            self.emit(self._event("step", step, losses))
            if _due(step, config.sample_every, config.steps) or self._sample_time_due():
                self._sample(trainer, step, losses)
            if stop or _due(step, config.checkpoint_every, config.steps):
                self._checkpoint(trainer, step, losses)
            if stop and step < config.steps:
                self.emit(self._event("stopped", step, losses, path=self.checkpoint_path))
                raise TrainingStopped(step, self.checkpoint_path)

    def _sample_time_due(self) -> bool:
        every = self.config.sample_every_s
        return every > 0 and time.perf_counter() - self.last_sample >= every

    def _sample(self, trainer: FamilyTrainer, step: int, losses: dict[str, float]) -> None:
        if self.ctx.is_main:  # sampling uses no collectives, so the other ranks need not wait
            path = write_sample_grid(trainer, sample_grid(self.out, step), self.config.seed)
            self.emit(self._event("sample", step, losses, path=path))
        self.last_sample = time.perf_counter()  # the next interval counts training, not drawing

    def _checkpoint(self, trainer: FamilyTrainer, step: int, losses: dict[str, float]) -> None:
        if self.ctx.is_main:
            ckpt.save_checkpoint(
                self.checkpoint_path, self.config, step, self.elapsed(), trainer.state_dict(), self.origin
            )
            self.emit(self._event("checkpoint", step, losses, path=self.checkpoint_path))
        self.ctx.barrier()  # nobody runs ahead (or exits) while rank 0 is still writing

    def _finish(self, trainer: FamilyTrainer, dataset: Any, images: DeviceImages) -> Path:
        card = Path()
        if self.ctx.is_main:
            device = device_label(self.ctx.device)
            if self.ctx.world > 1:
                device += f" x{self.ctx.world} processes"
            grid = sample_grid(self.out, self.config.steps)
            if trainer.finish(images):  # the shipped grid shows what the finished model draws
                write_sample_grid(trainer, grid, self.config.seed)
                self.emit(self._event("sample", self.config.steps, path=grid))  # the app shows it again
            steps, world, precision = self.config.steps, self.ctx.world, trainer.precision
            run = RunInfo(steps, self.elapsed(), device, world, dataset, grid, precision, self.origin)
            card = export_model(trainer, self.config, run)
            self.emit(self._event("done", self.config.steps, path=card, message=f"model written to {card}"))
        self.ctx.barrier()
        return card

    def elapsed(self) -> float:
        return self.elapsed_before + time.perf_counter() - self.steps_started

    def _event(
        self, kind: Any, step: int, losses: dict[str, float] | None = None, **extra: Any
    ) -> TrainEvent:
        done = step - self.first_step
        rate = (time.perf_counter() - self.steps_started) / done if done > 0 else None
        eta = None if rate is None else rate * (self.config.steps - step)
        return TrainEvent(kind, step, self.config.steps, dict(losses or {}), self.elapsed(), eta, **extra)


def _load_data(config: TrainConfig, ctx: DistContext) -> Any:
    """The training split; under DDP rank 0 loads first so it alone fills the dataset cache."""
    from genimg_desktop.engine.training.data import load_dataset

    if not ctx.is_main:
        ctx.barrier()
    try:
        return load_dataset(config.data, config.size, "train", channels=config.channels, limit=config.limit)
    finally:
        if ctx.is_main:
            ctx.barrier()


def _data_note(dataset: Any) -> str:
    """'60000 images of fashion-mnist' (+ what the loader skipped and how many pictures of a folder are
    held out to test the model, so a user sees why a folder of 48 pictures gave 44)."""
    notes = [dataset.skipped_summary()]
    if dataset.held_out:
        notes.append(f"{dataset.held_out} more held out to test the model")
    shown = "; ".join(note for note in notes if note)
    return f"{len(dataset)} images of {dataset.name}" + (f" ({shown})" if shown else "")


def lr_scale(step: int, config: TrainConfig) -> float:
    """The factor on the base learning rate for (1-based) `step`: 1 until `lr_decay_from`, then
    falling linearly so that the last step trains at 1/(steps - lr_decay_from) of the base."""
    start = config.lr_decay_from
    if start is None or step <= start:
        return 1.0
    return (config.steps - step + 1) / (config.steps - start)


def set_lr_scale(trainer: FamilyTrainer, scale: float) -> None:
    """Each parameter group's rate = its base rate x `scale`. The base is kept in the group as
    "initial_lr" (as torch's schedulers do), so it travels in the optimiser state of a checkpoint."""
    for optimizer in trainer.optimizers():
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
            group["lr"] = group["initial_lr"] * scale


def _due(step: int, every: int, last: int) -> bool:
    return step == last or (every > 0 and step % every == 0)


def _reseed(seed: int) -> None:
    torch.manual_seed(seed)
    np.random.seed(seed % (1 << 32))
    random.seed(seed)
