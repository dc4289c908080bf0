"""One `genimg train` at a time in a run folder (core.run_folder): it holds the folder's LOCK file.

Two runs into one folder used to share a live checkpoint silently, each overwriting the other's work.
The lock is the operating system's (flock, or msvcrt's byte lock on Windows), so it ends with its
process: a run killed with kill -9 leaves a file nobody holds, never a stale lock. The file names the
holder's process id for the message. Holding the lock also means nothing else writes in the folder, so
the temporaries a killed run left half-written (core.atomic) are removed then.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from genimg_desktop.core.atomic import leftover_temporaries
from genimg_desktop.core.run_folder import LOCK, SAMPLES


class RunFolderBusy(RuntimeError):
    """Another run holds the folder; str(exc) says which process and what to do."""


@contextlib.contextmanager
def run_folder_lock(run_dir: Path) -> Iterator[list[Path]]:
    """Hold `run_dir`'s lock for the block, or raise RunFolderBusy at once (never wait: the other run
    may take hours). Yields the stale temporaries it removed (a checkpoint a kill cut short, say)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(run_dir / LOCK, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
    try:
        if not _try_lock(fd):
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() if hasattr(os, "pread") else ""
            raise RunFolderBusy(
                f"the run folder {run_dir} is in use by another genimg train"
                + (f" (process {holder})" if holder.isdigit() else "")
                + ": wait for it or stop it, or give this run another --out"
            )
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield _remove_leftovers(run_dir)
    finally:
        os.close(fd)  # releases the lock; the file stays (removing it would race with the next run)


def _try_lock(fd: int) -> bool:
    try:
        if os.name == "nt":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _remove_leftovers(run_dir: Path) -> list[Path]:
    removed = []
    for folder in (run_dir, run_dir / SAMPLES):
        for tmp in leftover_temporaries(folder):
            with contextlib.suppress(OSError):  # litter only: never a reason to refuse the run
                tmp.unlink()
                removed.append(tmp)
    return removed
