"""What the training loop tells its listeners (the terminal progress bar, later the GUI view)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

EventKind = Literal["start", "step", "sample", "checkpoint", "stopped", "done"]


@dataclass(frozen=True)
class TrainEvent:
    """One thing that happened. `losses` are the latest step's (averaged over processes under DDP).

    start:      the run begins (or resumes: `step` > 0); `message` says which.
    step:       a step finished.
    sample:     a sample grid was written to `path`.
    checkpoint: a checkpoint was written to `path`.
    stopped:    `should_stop` asked to stop; the checkpoint at `path` resumes the run.
    done:       the finished model's card is at `path`.
    """

    kind: EventKind
    step: int
    steps: int
    losses: dict[str, float] = field(default_factory=dict)
    elapsed_s: float = 0.0  # wall time of the whole run, earlier sessions included
    eta_s: float | None = None  # None until a step has been timed
    path: Path | None = None
    message: str = ""

    @property
    def fraction(self) -> float:
        return self.step / self.steps if self.steps else 1.0


class TrainingStopped(Exception):
    """`should_stop` returned True: the run was checkpointed and can be resumed with the same command."""

    def __init__(self, step: int, checkpoint: Path) -> None:
        super().__init__(f"training stopped at step {step}; run the same command again to resume")
        self.step = step
        self.checkpoint = checkpoint
