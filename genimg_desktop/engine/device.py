"""Which torch device to compute on: what this machine offers, and a readable label for the status bar."""

from __future__ import annotations

import torch

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
