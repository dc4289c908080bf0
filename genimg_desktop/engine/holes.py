"""Scattered holes: one crop per group of nearby holes, not one crop around all of them.

Eight raindrops spread over a 1920x1200 photo have a bounding box as large as the photo, so one crop
around the whole mask makes the network fill (and refine) the whole picture for a few thousand hole
pixels. Here the painted pixels are grouped: holes whose crops (hole + context margin) would overlap
share one crop, holes far apart get their own, so the cost follows the painted area, not the
picture. A group's crop is exactly the crop its holes would get painted alone (their bounding box
grown by the margin), and crops never overlap, so each group sees the same context as alone.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from genimg_desktop.core.progress import JobControl
from genimg_desktop.engine.crop_scale import CropFill, CropRefine, fill_at_scale

Box = tuple[int, int, int, int]  # (y0, y1, x0, x1), end-exclusive
Progress = Callable[[int, int], None]  # (groups done, groups in all)

# Every network pass has a fixed cost, so a spray of hundreds of specks is grouped more coarsely
# until at most this many crops remain.
MAX_CROPS = 32
# With `relative` margins (PatchMatch, whose cost follows the crop), a group's margin is the longest
# side of its holes' box, at least this and at most the margin asked for: a small hole needs little
# around it to copy from, and eight raindrops then cost about what one hole of their area costs.
MIN_RELATIVE_MARGIN = 32


def fill_box(
    out: np.ndarray,
    image: np.ndarray,
    mask: np.ndarray,
    box: Box,
    fn: CropFill,
    max_side: int | None = None,
    refine: CropRefine | None = None,
) -> None:
    """Fill the masked pixels of `image` inside `box` with `fn` run on that crop (at the scale
    `fill_at_scale` picks) and write them into `out`; every other pixel of `out` is left alone."""
    y0, y1, x0, x1 = box
    crop_img = np.ascontiguousarray(image[y0:y1, x0:x1])
    crop_mask = np.ascontiguousarray(mask[y0:y1, x0:x1])
    filled = np.asarray(fill_at_scale(crop_img, crop_mask, fn, max_side, refine))
    if filled.shape != crop_img.shape or filled.dtype != np.uint8:
        raise RuntimeError(f"model returned {filled.shape} {filled.dtype} for a {crop_img.shape} uint8 crop")
    hole = crop_mask > 0
    out[y0:y1, x0:x1][hole] = filled[hole]


def inpaint_holes(
    image: np.ndarray,
    mask: np.ndarray,
    margin: int,
    fn: CropFill,
    max_side: int | None = None,
    refine: CropRefine | None = None,
    progress: Progress | None = None,
    relative: bool = False,
) -> np.ndarray:
    """`image` with its masked pixels filled group by group (see `hole_boxes`); pixels with
    mask == 0 are bit-exact the input. `progress(done, total)` is called before each group (a job's
    report, so a cancel lands between groups)."""
    boxes = hole_boxes(mask, margin, relative=relative)
    out = image.copy()
    for done, box in enumerate(boxes):
        if progress is not None:
            progress(done, len(boxes))
        fill_box(out, image, mask, box, fn, max_side, refine)
    return out


def report_to(control: JobControl, label: str) -> Progress:
    """A `Progress` that reports to a job: `label`, and which group runs when there are several."""

    def report(done: int, total: int) -> None:
        step = f": hole {done + 1} of {total}" if total > 1 else ""
        control.report(done / max(total, 1), label + step)

    return report


def hole_boxes(
    mask: np.ndarray, margin: int, max_crops: int = MAX_CROPS, relative: bool = False
) -> list[Box]:
    """The crops (top to bottom) that together cover every painted pixel: each the bounding box of a
    group of holes grown by `margin` (`relative`: by its own size, see MIN_RELATIVE_MARGIN) and
    clipped to the picture, no two overlapping, at most `max_crops` of them. Empty for an empty mask."""
    margin = max(int(margin), 0)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return []
    top, left = int(rows[0]), int(cols[0])
    region = mask[top : int(rows[-1]) + 1, left : int(cols[-1]) + 1] > 0  # only the painted box
    block = max(margin, 1)
    while True:
        groups = _group_boxes(region, block)
        if len(groups) > 4 * max_crops:  # too many to merge pairwise: group more coarsely first
            block *= 2
            continue
        grown = [_grow(box, top, left, _margin(box, margin, relative), mask.shape) for box in groups]
        boxes = _merge_overlapping(grown)
        if len(boxes) <= max_crops:
            return sorted(boxes)
        block *= 2


def _group_boxes(region: np.ndarray, block: int) -> list[Box]:
    """Exact bounding boxes (in `region`) of the painted pixels, grouped by connected blocks of
    `block` x `block` pixels: holes less than about a block apart fall into one group. Working on
    blocks keeps this cheap on a 121 MP picture."""
    height, width = region.shape
    starts_y, starts_x = np.arange(0, height, block), np.arange(0, width, block)
    coarse = np.logical_or.reduceat(np.logical_or.reduceat(region, starts_y, axis=0), starts_x, axis=1)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(coarse.astype(np.uint8), connectivity=8)
    if count == 2:  # one group: its pixels span the whole region
        return [(0, height, 0, width)]
    boxes = []
    for label in range(1, count):
        cx, cy, cw, ch = (int(v) for v in stats[label, :4])
        y0, x0 = cy * block, cx * block
        pixels = region[y0 : (cy + ch) * block, x0 : (cx + cw) * block]
        blocks = labels[cy : cy + ch, cx : cx + cw]
        if (blocks > 0).sum() != (blocks == label).sum():  # another group shares the box: leave it out
            own = np.repeat(np.repeat(blocks == label, block, 0), block, 1)
            pixels = pixels & own[: pixels.shape[0], : pixels.shape[1]]
        hit_rows, hit_cols = np.flatnonzero(pixels.any(axis=1)), np.flatnonzero(pixels.any(axis=0))
        boxes.append(
            (
                y0 + int(hit_rows[0]),
                y0 + int(hit_rows[-1]) + 1,
                x0 + int(hit_cols[0]),
                x0 + int(hit_cols[-1]) + 1,
            )
        )
    return boxes


def _margin(box: Box, margin: int, relative: bool) -> int:
    """The margin of one group: `margin`, or with `relative` its longest side clamped to
    MIN_RELATIVE_MARGIN..margin."""
    if not relative:
        return margin
    longest = max(box[1] - box[0], box[3] - box[2])
    return min(margin, max(MIN_RELATIVE_MARGIN, longest))


def _grow(box: Box, top: int, left: int, margin: int, shape: tuple[int, ...]) -> Box:
    """`box` of the region at (top, left) in picture coordinates, grown by `margin`, clipped."""
    y0, y1, x0, x1 = box
    return (
        max(top + y0 - margin, 0),
        min(top + y1 + margin, shape[0]),
        max(left + x0 - margin, 0),
        min(left + x1 + margin, shape[1]),
    )


def _merge_overlapping(boxes: list[Box]) -> list[Box]:
    """Replace any two overlapping boxes by their union until none overlap (the union of grown boxes
    is the grown box of the union, so a merged crop is still the one its holes would get alone)."""
    merged = list(boxes)
    changed = True
    while changed:
        changed = False
        for i in range(len(merged)):
            for j in range(i + 1, len(merged)):
                a, b = merged[i], merged[j]
                if a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]:
                    merged[i] = (min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3]))
                    del merged[j]
                    changed = True
                    break
            if changed:
                break
    return merged


def hole_width(hole: np.ndarray) -> float:
    """Twice the largest distance from a hole pixel to a known one (px): a stroke's width, a blob's
    diameter."""
    inside = np.pad((hole > 0).astype(np.uint8), 1)  # the frame around the crop counts as known
    return 2.0 * float(cv2.distanceTransform(inside, cv2.DIST_L2, cv2.DIST_MASK_PRECISE).max())
