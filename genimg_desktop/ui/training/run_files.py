"""What the training view reads from a run folder while `genimg train` writes it.

Progress comes from `losses.jsonl` (one JSON object per step, see engine/training/loss_log.py) rather
than from the terminal progress bar: the file is the run's own record, survives a resume, and is read a
few new bytes at a time.
"""

from __future__ import annotations

import json
import os
from collections import deque
from pathlib import Path

from genimg_desktop.core.run_folder import CHECKPOINT, LOSS_LOG, sample_grids

_RATE_WINDOW = 50  # steps the ETA averages over


class LossTail:
    """The rows appended to a loss log since the last read.

    The loop rewrites the log (a new file) when a run resumes, keeping the rows up to the checkpoint;
    a new file or a shorter one is read again from the start, and the reader's user drops points at or
    after a step it sees again (see LossPlot.add)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0
        self._inode: int | None = None
        self._partial = b""

    def read_new(self) -> list[dict[str, float]]:
        try:
            stat = os.stat(self.path)
        except OSError:
            return []
        if stat.st_ino != self._inode or stat.st_size < self._offset:
            self._inode, self._offset, self._partial = stat.st_ino, 0, b""
        if stat.st_size == self._offset:
            return []
        with open(self.path, "rb") as handle:
            handle.seek(self._offset)
            data = handle.read(stat.st_size - self._offset)
        self._offset += len(data)
        *lines, self._partial = (self._partial + data).split(b"\n")  # the last piece may be half a line
        return [row for row in map(_parse, lines) if row is not None]


def _parse(line: bytes) -> dict[str, float] | None:
    try:
        row = json.loads(line)
        return row if isinstance(row, dict) and isinstance(row.get("step"), int) else None
    except ValueError:
        return None


def newest_sample(run_dir: Path) -> Path | None:
    """The latest sample grid."""
    grids = sample_grids(run_dir)
    return grids[-1] if grids else None


def has_checkpoint(run_dir: Path) -> bool:
    return (run_dir / CHECKPOINT).is_file()


def last_logged_step(run_dir: Path) -> int:
    """The last step in the run's loss log (0 without one): where a paused run stands."""
    tail = LossTail(run_dir / LOSS_LOG)
    rows = tail.read_new()
    return int(rows[-1]["step"]) if rows else 0


class StepClock:
    """Seconds per step over the recent rows (their `time_s`), for the ETA."""

    def __init__(self) -> None:
        self._points: deque[tuple[int, float]] = deque(maxlen=_RATE_WINDOW)

    def reset(self) -> None:
        self._points.clear()

    def add(self, step: int, time_s: float) -> None:
        while self._points and self._points[-1][0] >= step:  # steps trained again after a resume
            self._points.pop()
        self._points.append((step, time_s))

    def eta_s(self, total: int) -> float | None:
        if len(self._points) < 2:
            return None
        (first_step, first_t), (last_step, last_t) = self._points[0], self._points[-1]
        return max(last_t - first_t, 0.0) / (last_step - first_step) * (total - last_step)


def format_duration(seconds: float) -> str:
    """ "1h05m", "3m07s" (as the terminal progress bar writes it)."""
    seconds = int(max(seconds, 0))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"
