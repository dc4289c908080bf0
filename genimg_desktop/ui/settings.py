"""Typed user settings, each declared once with its default, stored through QSettings.

The store is opened with `QSettings.defaultFormat()` (the app sets IniFormat at start, and the test
conftest points IniFormat's user path at a temporary folder), so tests never touch real settings.
"""

from __future__ import annotations

import math
from typing import Any, Generic, TypeVar, overload

from PySide6.QtCore import QByteArray, QSettings

ORGANISATION = "GenImg"
APPLICATION = "GenImg Desktop"
DEVICES = ("auto", "cpu", "cuda", "mps")


def device_words(name: str) -> str:
    """A device choice as the Device menu and its messages name it."""
    return "Automatic" if name == "auto" else name.upper()


QT_INT_MAX = 2**31 - 1

T = TypeVar("T")


class Setting(Generic[T]):
    """A descriptor: `settings.brush_size` reads the stored value (or the default) as type T."""

    def __init__(self, key: str, default: T) -> None:
        self.key = key
        self.default = default

    @overload
    def __get__(self, obj: None, owner: type) -> Setting[T]: ...
    @overload
    def __get__(self, obj: Settings, owner: type) -> T: ...
    def __get__(self, obj: Settings | None, owner: type) -> Setting[T] | T:
        if obj is None:
            return self
        raw = obj.store.value(self.key)
        if raw is None:
            return self.default
        try:
            return _convert(raw, self.default)
        except (TypeError, ValueError, OverflowError):
            return self.default  # a hand-edited or stale value must never break start-up

    def __set__(self, obj: Settings, value: T) -> None:
        obj.store.setValue(self.key, value)


def _convert(raw: Any, default: Any) -> Any:
    """IniFormat gives back strings for scalars; turn them into the default's type."""
    if isinstance(default, bool):
        if isinstance(raw, str):
            return raw.strip().lower() in ("1", "true", "yes", "on")
        return bool(raw)
    if isinstance(default, (int, float)):
        number = float(raw)
        if not math.isfinite(number) or abs(number) > QT_INT_MAX:  # Qt's widgets and timers take int32
            raise ValueError(f"{raw!r} is out of range")
        return int(number) if isinstance(default, int) else number
    if isinstance(default, QByteArray):
        return raw if isinstance(raw, QByteArray) else QByteArray(bytes(raw))
    return str(raw)


class Settings:
    """The app's persistent preferences. Construct one where needed; all share the same store."""

    window_geometry = Setting("window/geometry", QByteArray())
    window_state = Setting("window/state", QByteArray())
    last_folder = Setting("files/last_folder", "")
    brush_size = Setting("canvas/brush_size", 48)
    brush_hardness = Setting("canvas/brush_hardness", 0.8)
    brush_colour = Setting("canvas/brush_colour", "#000000")  # the colour brush's, #RRGGBB
    mask_colour = Setting("canvas/mask_colour", "#80ff3050")  # #AARRGGBB, as QColor parses it
    feather_px = Setting("canvas/feather_px", 6)
    mask_step_px = Setting("canvas/mask_step_px", 8)  # grow/shrink amount
    device = Setting("engine/device", "auto")
    autosave_interval_s = Setting("files/autosave_interval_s", 60)  # 0 = only after accepted results

    def __init__(self) -> None:
        self.store = QSettings(
            QSettings.defaultFormat(), QSettings.Scope.UserScope, ORGANISATION, APPLICATION
        )

    def sync(self) -> None:
        self.store.sync()

    def clear(self) -> None:
        self.store.clear()

    @property
    def device_choice(self) -> str:
        """The device, limited to the known names (an unknown stored value falls back to auto)."""
        return self.device if self.device in DEVICES else "auto"
