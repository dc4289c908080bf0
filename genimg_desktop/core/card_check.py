"""Checks on a model card before anything is built from it. A card is untrusted input: a download, a
file copied in by hand, anything in the models folder named *.json.

Each check raises ModelCardError with one message that names the card's file and the field, so the
registry skips that card and every other model keeps working. Sizes here are sane bounds only; whether
the weights really hold what the card declares is checked against their own tensor shapes at load
time (engine.weights.check_declared_shapes), before the network is built.
"""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path
from typing import Any

from genimg_desktop.core.errors import one_line

MAX_CARD_BYTES = 1_000_000
# No model this app runs comes near these; a card beyond them is a mistake or an attack (a 10^6 px
# side, or a million classes, would make loading allocate gigabytes before the weights are looked at).
MAX_SIDE = 1024  # resolution in pixels
MAX_CHANNELS = 4
MAX_CLASSES = 65_536
MAX_SETTING = 1_000_000  # any number in a card's "config": widths, counts, steps, rates
MAX_NESTING = 32  # objects and lists inside the card's "config"
MAX_NAME = 200  # characters in an id or family name


class ModelCardError(ValueError):
    """A card that cannot be used; the message says which file and why."""


def read_card_json(path: Path) -> dict[str, Any]:
    """The JSON object in the card file `path`: only a regular file (a FIFO or a link to /dev/zero
    would block or never end), read with a bounded read, parsed without letting any error but
    ModelCardError out."""
    data = json_text(read_bounded(path, MAX_CARD_BYTES, "model card"), path.name)
    if not isinstance(data, dict):
        raise ModelCardError(f"{path.name}: model card must be a JSON object")
    return data


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them (ModelCardError beyond)."""
    # O_NONBLOCK: opening a FIFO must not wait for a writer; the type is then checked on the open file
    # itself (fstat), so a file swapped for a special one between a check and the open is caught too.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
        try:
            regular = stat.S_ISREG(os.fstat(fd).st_mode)
            data = _read_up_to(fd, limit + 1) if regular else b""
        finally:
            os.close(fd)
    except OSError as exc:
        raise ModelCardError(f"{path.name}: cannot read the {what} ({exc.strerror or exc})") from exc
    if not regular:
        raise ModelCardError(f"{path.name}: not a regular file (a pipe, device or folder?)")
    if len(data) > limit:
        raise ModelCardError(f"{path.name}: {what} is larger than {limit // 1_000_000} MB")
    return data


def _read_up_to(fd: int, size: int) -> bytes:
    """At most `size` bytes from the open file `fd` (a read may return less than asked)."""
    chunks, left = [], size
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def json_text(data: bytes, name: str) -> Any:
    """Parse JSON bytes; every way it can fail (bad UTF-8, syntax, a 5000-digit number, nesting deeper
    than the parser's recursion) becomes one ModelCardError."""
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        if isinstance(exc, RecursionError):
            reason = "nested too deeply"
        elif isinstance(exc, (UnicodeDecodeError, json.JSONDecodeError)):
            reason = one_line(exc)
        else:  # Python refuses integers of more than 4300 digits
            reason = "a number too long to read"
        raise ModelCardError(f"{name}: not a readable JSON model card ({reason})") from None


def check_card_values(data: dict[str, Any], name: str) -> None:
    """The fields the app reads as numbers or lists hold usable values: finite, whole where a count is
    meant, within the bounds above; the id and family are short single-line names (they go into
    lists, messages and file names). Display-only fields (description, metrics) are not judged."""
    for key in ("id", "family"):
        text = data.get(key)
        if isinstance(text, str) and (len(text) > MAX_NAME or any(c < " " for c in text)):
            raise ModelCardError(f"{name}: {key} must be one line of at most {MAX_NAME} characters")
    resolution = data.get("resolution")
    if resolution is not None and resolution != 0:  # 0 and null: the model works at any size
        whole_number(resolution, f"{name}: resolution", 1, MAX_SIDE)
    if data.get("channels") is not None:
        whole_number(data["channels"], f"{name}: channels", 1, MAX_CHANNELS)
    classes = data.get("class_names")
    if classes is not None:
        if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
            raise ModelCardError(f"{name}: class_names must be a list of texts")
        if len(classes) > MAX_CLASSES:
            raise ModelCardError(f"{name}: {len(classes)} class names (at most {MAX_CLASSES})")
    config = data.get("config")
    if config is not None and not isinstance(config, dict):
        raise ModelCardError(f"{name}: config must be a JSON object")
    for key in ("resolution", "size"):  # the families' own names for the picture side
        if (config or {}).get(key) is not None:
            whole_number(config[key], f"{name}: config.{key}", 1, MAX_SIDE)
    for path, value in _numbers(config or {}, "config", name):
        if not -MAX_SETTING <= value <= MAX_SETTING:  # also false for NaN
            raise ModelCardError(f"{name}: {path} is {_shown(value)}; settings lie within ±{MAX_SETTING}")
    for path, value in _numbers(data.get("training") or {}, "training", name):
        if isinstance(value, float) and not math.isfinite(value):
            raise ModelCardError(f"{name}: {path} is {_shown(value)}, not a finite number")


def whole_number(value: Any, where: str, low: int, high: int) -> int:
    """`value` as an int when it is a whole number from `low` to `high`; ModelCardError otherwise
    (JSON's 1e400 arrives as infinity, 28.5 is no size, and true is no count)."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not number or not low <= value <= high or value != int(value):  # the range check stops inf, NaN
        raise ModelCardError(f"{where} is {_shown(value)}; it must be a whole number from {low} to {high}")
    return int(value)


def _numbers(value: Any, path: str, name: str) -> list[tuple[str, int | float]]:
    """Every number inside `value` (booleans are not numbers), with its place, e.g. config.widths[2]."""
    found: list[tuple[str, int | float]] = []
    stack = [(value, path, 0)]
    while stack:
        item, where, depth = stack.pop()
        if depth > MAX_NESTING:
            raise ModelCardError(f"{name}: {path} is nested more than {MAX_NESTING} levels deep")
        if isinstance(item, dict):
            stack += [(v, f"{where}.{k}", depth + 1) for k, v in item.items()]
        elif isinstance(item, list):
            stack += [(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(item)]
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            found.append((where, item))
    return found


def _shown(value: Any) -> str:
    """A value for a message: JSON's 1e400 reads "inf", a 4000-digit number is cut short."""
    text = repr(value)
    return text if len(text) <= 24 else f"{text[:20]}..."
