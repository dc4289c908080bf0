"""Bounded undo memory: keep only the TILE x TILE blocks that an edit actually changed.

An undo step for a brush stroke on an 8192 x 8192 image must not copy the whole image (256 MB RGBA);
it stores the before/after pixels of the few 256 x 256 tiles the stroke went through.

- `TilePatch.from_arrays(before, after)` diffs two arrays (e.g. a whole-mask operation);
- `TileRecorder(array)` records a stroke as it happens: call `.touch(rect)` BEFORE modifying the pixels
  in `rect` (it copies each tile the first time it is touched), then `.finish()` for the patch.

Works for (H, W) masks and (H, W, C) images of any dtype.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from genimg_desktop.core.rect import Rect, clip_rect, rect_slices, union_rect

TILE = 256

TileKey = tuple[int, int]  # (tile row, tile column)


def _tile_rect(key: TileKey, tile: int, shape: tuple[int, ...]) -> Rect:
    row, col = key
    x, y = col * tile, row * tile
    return (x, y, min(tile, shape[1] - x), min(tile, shape[0] - y))


def _tiles_in(rect: Rect | None, tile: int, shape: tuple[int, ...]) -> Iterator[TileKey]:
    """Keys of the tiles overlapping `rect` (clipped to the array); all tiles when rect is None."""
    box = (0, 0, shape[1], shape[0]) if rect is None else clip_rect(rect, shape[1], shape[0])
    if box is None:
        return
    x, y, w, h = box
    for row in range(y // tile, (y + h - 1) // tile + 1):
        for col in range(x // tile, (x + w - 1) // tile + 1):
            yield (row, col)


@dataclass
class TilePatch:
    """The tiles that differ between a `before` and an `after` array, with both versions of each."""

    shape: tuple[int, ...]
    dtype: np.dtype
    tile: int = TILE
    before: dict[TileKey, np.ndarray] = field(default_factory=dict)
    after: dict[TileKey, np.ndarray] = field(default_factory=dict)

    @classmethod
    def from_arrays(
        cls, before: np.ndarray, after: np.ndarray, tile: int = TILE, region: Rect | None = None
    ) -> TilePatch:
        """Diff two same-shaped arrays; `region` limits the comparison (changes outside it are lost)."""
        if before.shape != after.shape or before.dtype != after.dtype:
            raise ValueError(f"cannot diff {before.dtype}{before.shape} against {after.dtype}{after.shape}")
        patch = cls(before.shape, before.dtype, tile)
        for key in _tiles_in(region, tile, before.shape):
            index = rect_slices(_tile_rect(key, tile, before.shape))
            old, new = before[index], after[index]
            if not np.array_equal(old, new):
                patch.before[key] = old.copy()
                patch.after[key] = new.copy()
        return patch

    @property
    def empty(self) -> bool:
        return not self.before

    @property
    def nbytes(self) -> int:
        """Memory held by the stored tiles (before and after)."""
        return sum(a.nbytes for a in self.before.values()) + sum(a.nbytes for a in self.after.values())

    @property
    def rect(self) -> Rect | None:
        """Bounding rect of the changed tiles, or None if nothing changed."""
        out: Rect | None = None
        for key in self.before:
            out = union_rect(out, _tile_rect(key, self.tile, self.shape))
        return out

    def apply_before(self, target: np.ndarray) -> Rect | None:
        """Write the 'before' tiles into `target` in place (undo); return the changed rect."""
        return self._apply(self.before, target)

    def apply_after(self, target: np.ndarray) -> Rect | None:
        """Write the 'after' tiles into `target` in place (redo); return the changed rect."""
        return self._apply(self.after, target)

    def _apply(self, tiles: dict[TileKey, np.ndarray], target: np.ndarray) -> Rect | None:
        if target.shape != self.shape:
            raise ValueError(f"patch is for shape {self.shape}, target has {target.shape}")
        for key, data in tiles.items():
            target[rect_slices(_tile_rect(key, self.tile, self.shape))] = data
        return self.rect


class TileRecorder:
    """Copy-on-first-touch recorder for in-place edits (brush strokes) of one array."""

    def __init__(self, array: np.ndarray, tile: int = TILE) -> None:
        self.array = array
        self.tile = tile
        self._originals: dict[TileKey, np.ndarray] = {}

    def touch(self, rect: Rect | None) -> None:
        """Save the tiles under `rect` that were not saved yet. Call before changing those pixels."""
        if rect is None:
            return
        for key in _tiles_in(rect, self.tile, self.array.shape):
            if key not in self._originals:
                index = rect_slices(_tile_rect(key, self.tile, self.array.shape))
                self._originals[key] = self.array[index].copy()

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self._originals.values())

    def finish(self) -> TilePatch:
        """Patch of the touched tiles that really changed (original -> current contents)."""
        patch = TilePatch(self.array.shape, self.array.dtype, self.tile)
        for key, old in self._originals.items():
            new = self.array[rect_slices(_tile_rect(key, self.tile, self.array.shape))]
            if not np.array_equal(old, new):
                patch.before[key] = old
                patch.after[key] = new.copy()
        self._originals = {}
        return patch
