"""A few-step training run on the test photos: the one TrainConfig the restore and upscale trainer
tests share (tiny batches, a checkpoint every 2 steps, no sample sheets, CPU)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from genimg_desktop.engine.training.family_trainer import TrainConfig


def tiny_photo_run(family: str, out: Path, steps: int, extra: Mapping[str, float]) -> TrainConfig:
    return TrainConfig(
        family=family,
        data="photos",
        size=48,
        out=out,
        steps=steps,
        batch_size=4,
        lr=1e-3,
        limit=8,
        checkpoint_every=2,
        sample_every=0,
        model_id=f"tiny-{family}",
        extra=dict(extra),
        device="cpu",
        models_dir=out / "models",
    )
