"""What the `genimg` subcommands share: the usage error (exit code 2), NAME=VALUE parsing, progress on
a terminal. Imports nothing heavy: `genimg --help` stays instant."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any


class UsageError(Exception):
    """The command line asks for something impossible (exit code 2)."""


def parse_params(pairs: Sequence[str]) -> dict[str, str]:
    """NAME=VALUE strings to a dict; values stay text, the task's ParamSpecs convert and check them."""
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param expects NAME=VALUE, got '{pair}'")
        params[name.strip()] = value.strip()
    return params


def parse_settings(pairs: Sequence[str]) -> dict[str, Any]:
    """KEY=VALUE pairs; a value is read as JSON when it parses (3, 0.5, true, [64,128]), else as text."""
    settings: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--set expects KEY=VALUE, got '{pair}'")
        try:
            settings[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            settings[key.strip()] = value.strip()
    return settings


def progress_printer() -> Any:
    """Progress on an interactive terminal only, so scripts and logs stay clean."""
    if not sys.stderr.isatty():
        return None

    def show(event: Any) -> None:
        end = "\n" if event.fraction >= 1.0 else ""
        print(f"\r{event.fraction:4.0%} {event.message:<60}", end=end, file=sys.stderr, flush=True)

    return show


def load_mask(path: str) -> Any:
    """Any picture as an (H, W) uint8 mask (core.mask_file: grey level, soft values kept; 0/1 label
    maps, one-channel and alpha masks read as meant and said on stderr; an empty mask refused)."""
    from genimg_desktop.core.imageio import load_image
    from genimg_desktop.core.mask_file import mask_from_rgba

    mask, notes = mask_from_rgba(load_image(path).rgba)
    for note in notes:
        print(f"genimg: note: {note}", file=sys.stderr)
    return mask
