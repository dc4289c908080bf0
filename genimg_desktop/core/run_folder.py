"""The training run folder (`genimg train --out DIR`): the files the training loop writes and the app's
training view reads, and the request by which the view pauses a run. Both sides take the names here.

- `losses.jsonl`: one JSON object per step (engine/training/loss_log.py), rewritten on a resume.
- `samples/step_NNNNNN.png`: the sample grids; the names sort by step.
- `checkpoint.pt`: what a resume continues from (engine/training/checkpoint.py).
- `stop-request`: created by anyone, it asks a running `genimg train` to checkpoint and stop, like
  Ctrl-C; this works on every OS (no signals to another process). A run deletes it when it starts.
  SIGTERM and SIGHUP (a logout, a shutdown) stop a run the same way.
- `train.lock`: held by the running `genimg train` (core/run_lock.py); a second run into the folder is
  refused while it is held.
"""

from __future__ import annotations

from pathlib import Path

LOSS_LOG = "losses.jsonl"
SAMPLES = "samples"
CHECKPOINT = "checkpoint.pt"
STOP_REQUEST = "stop-request"
LOCK = "train.lock"
# The exit code of a run stopped (Ctrl-C, SIGTERM, SIGHUP or the stop request) after writing its
# checkpoint: running the same command again resumes it. Other failures exit 1 (2 for a bad command
# line), success 0.
EXIT_STOPPED = 3


def sample_grid(run_dir: Path, step: int) -> Path:
    """Where the sample grid drawn after `step` goes."""
    return run_dir / SAMPLES / f"step_{step:06d}.png"


def sample_grids(run_dir: Path) -> list[Path]:
    """The sample grids written so far, oldest first."""
    return sorted((run_dir / SAMPLES).glob("step_*.png"))
