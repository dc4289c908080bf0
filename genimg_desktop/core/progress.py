"""Progress reporting and cooperative cancel, shared by the engine and the job worker."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


class JobCancelled(Exception):
    """Raised inside a running job when the user asked to cancel it."""


@dataclass(frozen=True)
class ProgressEvent:
    fraction: float  # 0..1
    message: str = ""
    preview: np.ndarray | None = None  # optional (H, W, 3) uint8 RGB image


class JobControl:
    """Handed to a running job: it reports progress and checks for cancel between steps.

    Thread-safe: `cancel()` is called from the GUI thread while the job runs on the worker.
    """

    def __init__(self, on_progress: Callable[[ProgressEvent], None] | None = None) -> None:
        self._cancel = threading.Event()
        self._on_progress = on_progress

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise JobCancelled if cancel was requested; call this between steps."""
        if self._cancel.is_set():
            raise JobCancelled()

    def report(self, fraction: float, message: str = "", preview: np.ndarray | None = None) -> None:
        """Report progress, then check for cancel."""
        if self._on_progress is not None:
            self._on_progress(ProgressEvent(min(max(fraction, 0.0), 1.0), message, preview))
        self.check()
