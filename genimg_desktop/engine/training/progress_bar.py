"""The terminal view of a training run: one redrawn line on a terminal, a line every 5% in a log."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from genimg_desktop.engine.training.events import TrainEvent

_BAR = 24
_REDRAW_S = 0.2


class ProgressBar:
    """A TrainEvent listener (pass it as `on_event`)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._drawn = 0.0
        self._open = False  # a bar line is on screen without its newline

    def __call__(self, event: TrainEvent) -> None:
        if event.kind == "step":
            self._step(event)
        elif event.kind == "sample":
            self._say(f"samples: {event.path}")
        elif event.kind == "checkpoint" and not self.tty:
            self._say(f"checkpoint: step {event.step}")
        elif event.kind in ("start", "stopped", "done"):
            self._say(f"{event.message or event.kind} ({event.step}/{event.steps} steps)")

    def _step(self, event: TrainEvent) -> None:
        if self.tty:
            now = time.monotonic()
            if now - self._drawn >= _REDRAW_S or event.step == event.steps:
                self._drawn = now
                self.stream.write("\r" + format_line(event) + "\x1b[K")
                self.stream.flush()
                self._open = True
        elif event.step % max(event.steps // 20, 1) == 0 or event.step == event.steps:
            self._say(format_line(event))

    def _say(self, text: str) -> None:
        if self._open:
            self.stream.write("\r\x1b[K")
            self._open = False
        self.stream.write(text + "\n")
        self.stream.flush()


def format_line(event: TrainEvent) -> str:
    filled = int(_BAR * event.fraction)
    losses = " ".join(f"{name} {value:.4g}" for name, value in event.losses.items())
    eta = "" if event.eta_s is None else f" eta {format_duration(event.eta_s)}"
    bar = "#" * filled + "-" * (_BAR - filled)
    width = len(str(event.steps))
    return f"{event.step:>{width}}/{event.steps} [{bar}] {event.fraction:4.0%} {losses}{eta}"


def format_duration(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"
