"""Which torch device to compute on: what this machine offers, and a readable label for the status bar."""

from __future__ import annotations

import os
from collections.abc import Mapping

import torch

THREADS_ENV = "GENIMG_THREADS"  # the engine's CPU threads in the app; default: all cores but one

_KNOWN = ("cpu", "cuda", "mps")


def _mps_usable() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def available_devices() -> list[str]:
    """Device names usable here, best last-resort first: always "cpu", then "cuda" / "mps" if present."""
    names = ["cpu"]
    if torch.cuda.is_available():
        names.append("cuda")
    if _mps_usable():
        names.append("mps")
    return names


def resolve_device(pref: str = "auto") -> torch.device:
    """Turn a preference ("auto", "cpu", "cuda", "cuda:1", "mps") into a device.

    "auto" picks cuda > mps > cpu. An unknown or unavailable device is a ValueError saying what is
    available, so a stale setting from another machine gives a clear message instead of a crash later.
    """
    name = (pref or "auto").strip().lower()
    available = available_devices()
    if name == "auto":
        for choice in ("cuda", "mps"):
            if choice in available:
                return torch.device(choice)
        return torch.device("cpu")
    kind, _, index = name.partition(":")
    if kind not in _KNOWN:
        raise ValueError(f"unknown device '{pref}' (choose auto, {', '.join(_KNOWN)})")
    if kind not in available:
        raise ValueError(f"device '{pref}' is not available here (available: {', '.join(available)})")
    if kind == "cuda" and index and (not index.isdigit() or int(index) >= torch.cuda.device_count()):
        raise ValueError(f"device '{pref}' does not exist ({torch.cuda.device_count()} CUDA device(s))")
    return torch.device(name)


def device_label(device: torch.device | str) -> str:
    """Short human label: "CPU", "CUDA: <GPU name>", "MPS"."""
    dev = torch.device(device)
    if dev.type == "cuda":
        return f"CUDA: {torch.cuda.get_device_name(dev)}"
    if dev.type == "mps":
        return "MPS"
    return dev.type.upper()


def app_cpu_threads(env: Mapping[str, str] | None = None, cpu_count: int | None = None) -> int:
    """How many CPU threads torch may use under the window: GENIMG_THREADS when set, else torch's own
    choice when OMP_NUM_THREADS is set, else every core but one. The spare core is the window's:
    with as many torch threads as cores, each of torch's many small operations waits for the thread
    the event loop (or any other program) holds, and on a 2-core machine with one other busy process
    PixelCNN and VAE jobs ran over 50x slower than with one thread (a 0.7 s job took over a minute)."""
    env = os.environ if env is None else env
    if env.get(THREADS_ENV, "").strip():
        try:
            return max(1, int(env[THREADS_ENV]))
        except ValueError:
            pass  # a bad value falls through to the default, as an unset one
    elif env.get("OMP_NUM_THREADS", "").strip():
        return torch.get_num_threads()
    cores = os.cpu_count() if cpu_count is None else cpu_count
    return max(1, (cores or 1) - 1)


def configure_app_threads() -> int:
    """Apply `app_cpu_threads()` to torch (process-wide); returns the count."""
    threads = app_cpu_threads()
    torch.set_num_threads(threads)
    return threads
