"""A card's declared sizes checked against its weights before the network is built.

A card may declare any size (a million classes, a width of 65536, 100000 layers); building that network
first and only then finding that the weights do not fit it allocates gigabytes to terabytes, and in the
window the model loads in the app's own process, where running out of memory costs the artist the
open picture. So the network is first built on torch's meta device, which records shapes and allocates
nothing, and its tensors are compared with those named in the weights file's header. While it is built
it may register no more tensors than the file holds (each must be filled from one), so a card that
declares thousands of layers stops after a few instead of making them all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import torch
from torch import nn
from torch.nn.modules import module as torch_module

from genimg_desktop.engine.weights import ModelLoadError, shape_problems, shapes_of, weight_shapes

ModuleT = TypeVar("ModuleT", bound=nn.Module)


def build_checked(weights: Path | None, factory: Callable[[], ModuleT]) -> ModuleT:
    """`factory()`, called only once the module it builds is known to fit the tensors in `weights`
    (names and shapes, read from the file's header); ModelLoadError naming what does not fit."""
    if weights is None:
        raise ModelLoadError("the card names no weights file")
    held = weight_shapes(weights)
    # Slack for tensors a module keeps out of its state (non-persistent buffers) or registers twice.
    with _tensor_budget(2 * len(held) + 64, weights.name), torch.device("meta"):
        planned = factory()
    problems = shape_problems(shapes_of(planned.state_dict()), held, extra_ok=True)
    if problems:
        raise ModelLoadError(
            f"{weights.name}: the card declares a network its weights do not hold (sizes in the card's "
            f"'config' that do not match the file); nothing was built: {problems}"
        )
    return factory()


class _TooManyTensors(Exception):
    pass


@contextmanager
def _tensor_budget(limit: int, name: str) -> Iterator[None]:
    """Stop a module being built on this thread once it registers more than `limit` parameters and
    buffers: it could then never be filled from a file holding `limit` tensors."""
    thread, count = threading.get_ident(), [0]

    def registered(*_args: object) -> None:
        if threading.get_ident() != thread:  # the hooks are global; other threads build undisturbed
            return
        count[0] += 1
        if count[0] > limit:
            raise _TooManyTensors

    hooks = [
        torch_module.register_module_parameter_registration_hook(registered),
        torch_module.register_module_buffer_registration_hook(registered),
    ]
    try:
        yield
    except _TooManyTensors:
        raise ModelLoadError(
            f"{name}: the card declares a network with far more tensors than its weights hold "
            "(layers or blocks in the card's 'config' that do not match the file); nothing was built"
        ) from None
    finally:
        for hook in hooks:
            hook.remove()
