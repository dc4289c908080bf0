"""The open document: an RGBA image, its inpainting mask, where it came from, and change listeners.

Deliberately small and Qt-free. Editing code (canvas tools, undo commands, the window applying a
result) changes `image` / `mask` in place or replaces them, then calls `notify` so views repaint.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from genimg_desktop.core.imageio import LoadedImage
from genimg_desktop.core.rect import Rect

Listener = Callable[[str, "Rect | None"], None]
CHANGE_KINDS = ("image", "mask", "reset")


class Document:
    """image: (H, W, 4) uint8 RGBA; mask: (H, W) uint8 (255 = regenerate), always the same H, W.

    Listeners get `cb(kind, rect)`: kind "image" or "mask" with the changed rect (None = all of it),
    or "reset" when the arrays were replaced (new size possible, rect None). A `mask` given to the
    constructor (from a project file) must match the image; by default the mask is empty.
    """

    def __init__(
        self,
        image: np.ndarray,
        path: Path | None = None,
        metadata: dict[str, Any] | None = None,
        mask: np.ndarray | None = None,
    ):
        self.image = _check_rgba(image)
        self.mask = _check_mask(mask, image) if mask is not None else np.zeros(image.shape[:2], np.uint8)
        self.path = Path(path) if path is not None else None
        self.metadata: dict[str, Any] = dict(metadata or {})
        self.modified = False
        self._listeners: list[Listener] = []

    @classmethod
    def blank(cls, w: int, h: int, color: tuple[int, int, int, int] = (255, 255, 255, 255)) -> Document:
        image = np.empty((h, w, 4), dtype=np.uint8)
        image[:] = np.asarray(color, dtype=np.uint8)
        return cls(image)

    @classmethod
    def from_loaded(
        cls, loaded: LoadedImage, path: Path | None = None, mask: np.ndarray | None = None
    ) -> Document:
        return cls(loaded.rgba, path=path, metadata=loaded.metadata, mask=mask)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return int(self.image.shape[1]), int(self.image.shape[0])

    @property
    def keeps_mask(self) -> bool:
        """True when the document's file stores the mask too (an OpenRaster project)."""
        return self.path is not None and self.path.suffix.lower() == ".ora"

    @property
    def mask_at_risk(self) -> bool:
        """A painted mask that saving to the document's own file would drop (only a .ora keeps one)."""
        return not self.keeps_mask and bool(self.mask.any())

    def copies(self) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        """Image, mask and metadata as copies: what a save encodes on another thread while the
        artist may go on editing these."""
        return self.image.copy(), self.mask.copy(), copy.deepcopy(self.metadata)

    def rgb(self) -> np.ndarray:
        """(H, W, 3) RGB copy for the engine; alpha is dropped (the colour under it is kept)."""
        return np.ascontiguousarray(self.image[:, :, :3])

    def replace(
        self, image_rgba: np.ndarray, path: Path | None = None, mask: np.ndarray | None = None
    ) -> None:
        """New pixels (any size): the mask becomes `mask` (cleared when None) and listeners get "reset".

        With a `path` this is a freshly opened file (not modified); without, an edit of the current
        document such as a crop, whose `mask` follows it (path kept, modified). Callers may set
        `modified` afterwards.
        """
        image = _check_rgba(image_rgba)
        new_mask = _check_mask(mask, image) if mask is not None else np.zeros(image.shape[:2], np.uint8)
        self.image, self.mask = image, new_mask  # both checked first: a bad pair changes nothing
        self.modified = path is None
        if path is not None:
            self.path = Path(path)
        self.notify("reset")

    # ------------------------------------------------------------- listeners

    def add_listener(self, cb: Listener) -> None:
        if cb not in self._listeners:
            self._listeners.append(cb)

    def remove_listener(self, cb: Listener) -> None:
        if cb in self._listeners:
            self._listeners.remove(cb)

    def notify(self, kind: str, rect: Rect | None = None) -> None:
        """Tell listeners what changed. An "image" or "mask" change marks the document modified: a
        painted mask is the artist's work too (only a project, .ora, keeps it: see `mask_at_risk`)."""
        if kind not in CHANGE_KINDS:
            raise ValueError(f"unknown change kind {kind!r}")
        if kind in ("image", "mask"):
            self.modified = True
        for cb in list(self._listeners):  # a listener may remove itself
            cb(kind, rect)


class ChangeWatch:
    """Notes whether `document` changes (an edit, a stroke, new arrays) from now until `stop()`: what
    was computed from it meanwhile, off the GUI thread (a resize, a save, an open, Select subject), may
    be out of date. Changes of the kinds in `ignore` (e.g. "mask") do not count."""

    def __init__(self, document: Document, ignore: frozenset[str] = frozenset()) -> None:
        self.document, self.ignore = document, ignore
        self.changed = False
        document.add_listener(self._note)

    def _note(self, kind: str, rect: Rect | None) -> None:
        self.changed = self.changed or kind not in self.ignore

    def stop(self) -> bool:
        """Stop watching; True when the document changed meanwhile."""
        self.document.remove_listener(self._note)
        return self.changed


def _check_rgba(image: np.ndarray) -> np.ndarray:
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 4:
        raise ValueError(f"document image must be (H, W, 4) uint8 RGBA, got {image.dtype} {image.shape}")
    if image.shape[0] < 1 or image.shape[1] < 1:
        raise ValueError("document image must be at least 1 x 1 pixels")
    return image


def _check_mask(mask: np.ndarray, image: np.ndarray) -> np.ndarray:
    if mask.dtype != np.uint8 or mask.shape != image.shape[:2]:
        raise ValueError(f"document mask must be {image.shape[:2]} uint8, got {mask.dtype} {mask.shape}")
    return mask
