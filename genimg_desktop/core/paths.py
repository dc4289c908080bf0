"""Where the app keeps its files. GENIMG_HOME overrides the root (tests use a temporary one)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

_APP = "genimg-desktop"


def _root_override() -> Path | None:
    home = os.environ.get("GENIMG_HOME")
    return Path(home) if home else None


def user_data_dir() -> Path:
    root = _root_override()
    path = root / "data" if root else Path(platformdirs.user_data_dir(_APP, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_models_dir() -> Path:
    path = user_data_dir() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_cache_dir() -> Path:
    root = _root_override()
    path = root / "cache" if root else Path(platformdirs.user_cache_dir(_APP, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def builtin_models_dir() -> Path:
    """The `models/` folder shipped with the app (inside a PyInstaller bundle when frozen)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "models"
    return Path(__file__).resolve().parents[2] / "models"


def resources_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"
