"""SHA-256 of model files, cached by (path, size, mtime_ns, inode) so a multi-GB file is hashed once.

The cache is a small JSON file in the user cache folder. It is only a speed-up: a missing, garbled or
foreign cache file is ignored and rebuilt, and a file whose size, mtime or inode changed is re-hashed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from genimg_desktop.core import paths
from genimg_desktop.core.atomic import write_atomic

CACHE_NAME = "sha256-cache.json"
MAX_ENTRIES = 512  # a model library is tens of files; the bound only stops unbounded growth
_BLOCK = 1 << 20
_lock = threading.Lock()  # the worker thread and a CLI call may hash in one process


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Lower-case hex SHA-256 of `path`, from the cache when the file is unchanged since it was hashed."""
    path = Path(path).resolve()
    key = str(path)
    before = _stamp(path)
    with _lock:
        entry = _read_cache().get(key)
    if isinstance(entry, dict) and entry.get("stamp") == before and isinstance(entry.get("sha256"), str):
        return entry["sha256"]
    digest = hash_file(path)
    # Only remember the digest if the file did not change while it was being read (a download still
    # writing it, say); otherwise the next call hashes again.
    if _stamp(path) == before:
        with _lock:
            entries = _read_cache()
            entries.pop(key, None)  # re-insert at the end: the newest entries survive pruning
            entries[key] = {"stamp": before, "sha256": digest}
            _write_cache(entries)
    return digest


def hash_file(path: Path) -> str:
    """Hash the whole file (module-level so tests can count the calls)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def _stamp(path: Path) -> list[int]:
    st = path.stat()
    # A list, not a tuple, so it compares equal to what comes back from JSON.
    return [int(st.st_size), int(st.st_mtime_ns), int(st.st_ino)]


def cache_path() -> Path:
    return paths.user_cache_dir() / CACHE_NAME


def _read_cache() -> dict[str, Any]:
    try:
        data = json.loads(cache_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    entries = data.get("entries") if isinstance(data, dict) and data.get("version") == 1 else None
    return entries if isinstance(entries, dict) else {}


def _write_cache(entries: dict[str, Any]) -> None:
    """Atomic replace, so a crash or a second process never leaves half a file; failures are ignored
    (a read-only cache folder only costs speed)."""
    if len(entries) > MAX_ENTRIES:  # forget files that are gone first, then the oldest entries
        entries = {k: v for k, v in entries.items() if os.path.exists(k)}
        entries = dict(list(entries.items())[-MAX_ENTRIES:])
    text = json.dumps({"version": 1, "entries": entries})
    with contextlib.suppress(OSError):
        write_atomic(cache_path(), lambda f: f.write(text.encode("utf-8")))
