"""Run a picture-to-picture network over a picture of any size in overlapping tiles.

Each tile is cut with `context` extra pixels on every side (the network's view past the tile's edge,
cropped off again), and neighbouring tiles overlap by `overlap` pixels, where their outputs are
cross-faded by linear ramps that sum to one. With a context at least the network's reach the tiled
output equals the untiled one up to float rounding; with a larger reach (big GAN generators) the
cross-fade keeps the seam invisible.

Memory stays bounded whatever the size: the output is written as uint8 one row of tiles (a band) at a
time; only the current band and the rows the next band still adds to are held in float32, never a
float copy of the whole output (an 8000x6000 picture x2 with 512 px tiles: the 576 MB uint8 output, a
200 MB band, the input).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

# (h, w, 3) uint8 tile (read-only) -> (h * scale, w * scale, 3) float32 in 0..255, a fresh array (the
# tiler weighs it in place)
TileFn = Callable[[np.ndarray], np.ndarray]
# (tiles done, tiles in all): called after each tile; raising from it (JobCancelled) stops the run
TileProgress = Callable[[int, int], None]

Span = tuple[int, int]


def run_tiled(
    image: np.ndarray,
    fn: TileFn,
    scale: int,
    tile: int,
    context: int = 16,
    overlap: int = 16,
    progress: TileProgress | None = None,
    align: int = 1,
) -> np.ndarray:
    """`fn` over `image` ((H, W, 3) uint8) tile by tile: the (H*scale, W*scale, 3) uint8 result.
    Every tile's input starts at a multiple of `align` (a network that folds 2x2 pixels into
    channels sees the same grid as on the whole picture)."""
    height, width = image.shape[:2]
    align = max(int(align), 1)
    tile = _round_up(max(int(tile), 1), align)
    overlap = _round_up(min(max(int(overlap), 0), tile // 4), align)  # at most three tiles over a pixel
    context = _round_up(max(int(context), 0), align)
    rows, cols = spans(height, tile, overlap, align), spans(width, tile, overlap, align)
    row_weights, col_weights = axis_weights(rows, scale), axis_weights(cols, scale)
    out = np.empty((height * scale, width * scale, 3), np.uint8)
    pending: np.ndarray | None = None  # float rows of earlier bands that the current band adds to
    total = len(rows) * len(cols)
    for r, (y0, y1) in enumerate(rows):
        band = np.zeros(((y1 - y0) * scale, width * scale, 3), np.float32)
        for c, (x0, x1) in enumerate(cols):
            result = _tile_output(image, fn, scale, (y0, y1), (x0, x1), context)
            band[:, x0 * scale : x1 * scale] += _weigh(result, col_weights[c], axis=1)
            if progress is not None:
                progress(r * len(cols) + c + 1, total)
        _weigh(band, row_weights[r], axis=0)
        if pending is not None:
            band[: len(pending)] += pending
        # Rows before the next band's start get nothing more: round them into the output now.
        final = (rows[r + 1][0] - y0) * scale if r + 1 < len(rows) else len(band)
        out[y0 * scale : y0 * scale + final] = _to_uint8(band[:final])
        pending = band[final:].copy() if final < len(band) else None
    return out


def spans(length: int, tile: int, overlap: int, align: int = 1) -> list[Span]:
    """[start, end) of the tiles along one side, each sharing at least `overlap` with the next: as few
    as a side takes with tiles of at most `tile`, made equally long (rounded up to `align`, their
    starts multiples of it), so a 500 px side in 256 px tiles is three of 178, not two of 256 and a
    third one almost all overlap. The last ends at `length` (up to align - 1 longer)."""
    if length <= tile:
        return [(0, length)]
    count = -(-(length - overlap) // (tile - overlap))
    size = _round_up(-(-(length + (count - 1) * overlap) // count), align)
    last = (length - size) // align * align
    starts = [min(index * (size - overlap), last) for index in range(count)]
    return [(start, start + size) for start in starts[:-1]] + [(last, length)]


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


def axis_weights(side: list[Span], scale: int) -> list[np.ndarray]:
    """Per tile, its weight at each output position along this side: 1 inside, a linear ramp where it
    overlaps a neighbour, normalised so the tiles over any position sum to exactly one."""
    raw = []
    for i, (start, end) in enumerate(side):
        weight = np.ones((end - start) * scale, np.float32)
        if i > 0 and side[i - 1][1] > start:  # rise over the overlap with the previous tile
            size = (side[i - 1][1] - start) * scale
            weight[:size] = np.minimum(weight[:size], _ramp(size))
        if i + 1 < len(side) and side[i + 1][0] < end:  # fall over the overlap with the next one
            size = (end - side[i + 1][0]) * scale
            weight[-size:] = np.minimum(weight[-size:], _ramp(size)[::-1])
        raw.append(weight)
    total = np.zeros(side[-1][1] * scale, np.float32)
    for (start, end), weight in zip(side, raw, strict=True):
        total[start * scale : end * scale] += weight
    return [
        weight / total[start * scale : end * scale] for (start, end), weight in zip(side, raw, strict=True)
    ]


def _weigh(values: np.ndarray, weights: np.ndarray, axis: int) -> np.ndarray:
    """`values` times `weights` along `axis`, in place and only at the ramps: the weights are exactly
    one between them (most of a tile), where nothing needs doing."""
    ones = np.flatnonzero(weights == 1.0)
    lead, tail = (int(ones[0]), int(ones[-1]) + 1) if ones.size else (len(weights), len(weights))
    for part in (slice(0, lead), slice(tail, len(weights))):
        index = (slice(None),) * axis + (part,)
        values[index] *= weights[part].reshape((-1,) + (1,) * (values.ndim - axis - 1))
    return values


def _ramp(size: int) -> np.ndarray:
    """Rising weights over `size` positions, never zero (the sum of weights is divided by)."""
    return ((np.arange(size, dtype=np.float32) + 0.5) / size).astype(np.float32)


def _tile_output(
    image: np.ndarray, fn: TileFn, scale: int, rows: Span, cols: Span, context: int
) -> np.ndarray:
    """`fn` on the tile plus its context (clipped to the picture), the context's output cut off."""
    height, width = image.shape[:2]
    top, left = max(rows[0] - context, 0), max(cols[0] - context, 0)
    bottom, right = min(rows[1] + context, height), min(cols[1] + context, width)
    result = fn(image[top:bottom, left:right])
    expected = ((bottom - top) * scale, (right - left) * scale, 3)
    if result.shape != expected:
        raise ValueError(f"the network gave a {result.shape} tile for a {expected} one")
    y, x = (rows[0] - top) * scale, (cols[0] - left) * scale
    return result[y : y + (rows[1] - rows[0]) * scale, x : x + (cols[1] - cols[0]) * scale]


def _to_uint8(values: np.ndarray) -> np.ndarray:
    """Rounded in place (the rows are final): no float temporaries the size of a band."""
    np.rint(values, out=values)
    np.clip(values, 0, 255, out=values)
    return values.astype(np.uint8)
