"""Atomic file writes: a temporary file beside the target, fsync, then rename over it.

Readers (and the artist, after a crash, a full disk or a permission error) only ever see the old
file or the whole new one. Shared by every writer (images, OpenRaster projects, autosave, the gallery,
and the engine's run files, checkpoints and exported models). The target's folder must exist.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO


def write_atomic(path: Path, write: Callable[[BinaryIO], None]) -> Path:
    """Call `write(file)` on a temporary file beside `path`, fsync it and rename it over `path`.

    Errors propagate unchanged (callers turn them into messages); the temporary file never stays.
    An existing file's permissions are kept; new files get 0o666 minus the umask, like open().
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o666
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _fsync_folder(path.parent)
    finally:
        if tmp.exists():
            tmp.unlink(missing_ok=True)
    return path


def write_json(path: Path, data: Any) -> Path:
    """`data` as indented UTF-8 JSON (a model card, say), written atomically."""
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return write_atomic(path, lambda handle: handle.write(text.encode("utf-8")))


def leftover_temporaries(folder: Path) -> list[Path]:
    """The temporaries `write_atomic` leaves (`.NAME.HEX.tmp` beside the target) only when its process
    dies mid-write: kill -9, a power cut. Only whoever owns the folder may remove them, as a live
    writer's temporary looks the same (core.run_lock; ui.recovery for the autosave folder)."""
    return sorted(path for path in folder.glob(".*.*.tmp") if path.is_file())


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a power cut could otherwise undo it."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # the data is safely written; only the rename's durability is not guaranteed
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on folders
    finally:
        os.close(fd)
