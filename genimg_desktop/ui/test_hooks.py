"""Hooks for tests that drive a real app process (tests/ui/test_autosave_crash.py kills one with
SIGKILL mid-session, tests/ui/test_exit_signals.py sends SIGTERM). Each is inert unless its
environment variable is set."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from genimg_desktop.core.rect import clip_rect

if TYPE_CHECKING:
    from genimg_desktop.core.document import Document
    from genimg_desktop.ui.main_window import MainWindow

MASK_RECT = "GENIMG_TEST_MASK_RECT"  # "x,y,w,h": paint this rectangle into the mask once started
TRAIN = "GENIMG_TEST_TRAIN"  # a TrainSpec as a JSON object: start that run from the training view
READY = "genimg: test hooks applied"  # printed on stdout once the hooks above have run


def apply_test_hooks(window: MainWindow, opening: Path | None = None) -> None:
    """Run the hooks the environment asks for, once `opening` (the file the app was started with, if
    any) is the open document: call this before opening it, as a file may open at once or on a worker."""
    hooks = [_paint_mask] if os.environ.get(MASK_RECT) else []
    hooks += [_start_training] if os.environ.get(TRAIN) else []
    if not hooks:
        return
    if opening is None:
        _run(window, hooks)
        return

    def arrived(document: Document) -> None:
        if document.path is not None and Path(document.path).resolve() == Path(opening).resolve():
            window.model.document_changed.disconnect(arrived)
            _run(window, hooks)

    window.model.document_changed.connect(arrived)


def _run(window: MainWindow, hooks: list[Callable[[MainWindow], None]]) -> None:
    for hook in hooks:
        hook(window)
    print(READY, flush=True)


def _start_training(window: MainWindow) -> None:
    from genimg_desktop.ui.training.train_process import TrainSpec

    fields = json.loads(os.environ[TRAIN])
    window.acts["train"].trigger()  # the training view, as Models > Train a model… opens it
    view = window.train_view
    spec = TrainSpec(**{**fields, "settings": tuple(fields.get("settings", ()))})
    view.process.output.connect(lambda lines: print(*lines, sep="\n", file=sys.stderr, flush=True))
    view.process.start(spec)


def _paint_mask(window: MainWindow) -> None:
    spec = os.environ[MASK_RECT]
    doc = window.document
    x, y, w, h = (int(part) for part in spec.split(","))
    rect = clip_rect((x, y, w, h), *doc.size)
    if rect is not None:
        doc.mask[rect[1] : rect[1] + rect[3], rect[0] : rect[0] + rect[2]] = 255
        doc.notify("mask", rect)  # as a brush stroke would: the canvas repaints, autosave sees a change
