"""Seeded random masks for training and benchmarking inpainting: free-form brush strokes of three
widths (the kind of mask a person paints), boxes, and object-sized blobs and boxes (what an artist
paints over an object to remove it). uint8 (H, W), 255 = regenerate.

Stroke widths and lengths scale with the image's short side (widths below are for 256 px), so the
same kind of mask covers a similar share of a 64 px crop and of a 512 px picture.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

# kind -> (min, max) brush width at 256 px, (min, max) strokes, vertices per stroke
STROKES: dict[str, tuple[tuple[float, float], tuple[int, int], int]] = {
    "thin": ((4.0, 8.0), (3, 5), 5),
    "medium": ((12.0, 20.0), (2, 4), 4),
    "thick": ((26.0, 40.0), (2, 3), 4),
}
KINDS = (*STROKES, "box")


def random_mask(
    height: int, width: int, kind: str, rng: np.random.Generator, reference: int | None = None
) -> np.ndarray:
    """One mask of `kind` ("thin", "medium", "thick" strokes or "box"); never empty.

    Strokes are sized for a picture whose short side is `reference` (default: this mask's), so a
    crop of a bigger picture gets the strokes that picture would get."""
    if kind == "box":
        return box_mask(height, width, rng)
    if kind not in STROKES:
        raise ValueError(f"mask kind must be one of {', '.join(KINDS)}, not {kind!r}")
    (w_lo, w_hi), (n_lo, n_hi), vertices = STROKES[kind]
    scale = (reference or min(height, width)) / 256.0
    mask = np.zeros((height, width), np.uint8)
    for _ in range(int(rng.integers(n_lo, n_hi + 1))):
        brush = max(int(round(rng.uniform(w_lo, w_hi) * scale)), 1)
        _stroke(mask, brush, vertices, scale, rng)
    return mask


def _stroke(mask: np.ndarray, brush: int, vertices: int, scale: float, rng: np.random.Generator) -> None:
    """A polyline random walk painted with a round brush (round joints: no gaps at sharp turns)."""
    height, width = mask.shape
    x, y = rng.uniform(0.15, 0.85) * width, rng.uniform(0.15, 0.85) * height  # a start inside
    angle = rng.uniform(0, 2 * math.pi)
    for _ in range(vertices):
        angle += rng.uniform(-math.pi / 2, math.pi / 2)  # strokes bend, they rarely reverse
        length = rng.uniform(25, 70) * scale
        nx = float(np.clip(x + length * math.cos(angle), 0, width - 1))
        ny = float(np.clip(y + length * math.sin(angle), 0, height - 1))
        cv2.line(mask, (round(x), round(y)), (round(nx), round(ny)), 255, brush, cv2.LINE_8)
        cv2.circle(mask, (round(nx), round(ny)), brush // 2, 255, -1)
        x, y = nx, ny


def box_mask(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """One rectangle of 15-45% of each side, anywhere inside the image."""
    mask = np.zeros((height, width), np.uint8)
    bh = max(int(height * rng.uniform(0.15, 0.45)), 1)
    bw = max(int(width * rng.uniform(0.15, 0.45)), 1)
    y0 = int(rng.integers(0, height - bh + 1))
    x0 = int(rng.integers(0, width - bw + 1))
    mask[y0 : y0 + bh, x0 : x0 + bw] = 255
    return mask


def object_mask(height: int, width: int, kind: str, rng: np.random.Generator) -> np.ndarray:
    """One object-sized hole: a "blob" (a lumpy disc, as painted over a bird or a sign) or an
    "object-box" (a rectangle, as a selection tool gives), 90-180 px across on a 512 px picture,
    scaled with the short side, and wholly inside the picture."""
    side = min(height, width)
    lo, hi = max(int(side * 90 / 512), 2), max(int(side * 180 / 512), 3)
    mask = np.zeros((height, width), np.uint8)
    if kind == "object-box":
        bh, bw = (int(v) for v in rng.integers(lo, hi + 1, 2))
        y0, x0 = int(rng.integers(0, height - bh + 1)), int(rng.integers(0, width - bw + 1))
        mask[y0 : y0 + bh, x0 : x0 + bw] = 255
        return mask
    if kind != "blob":
        raise ValueError(f"object mask kind must be 'blob' or 'object-box', not {kind!r}")
    size = rng.uniform(lo, hi)
    cy, cx = rng.uniform(size / 2, height - size / 2), rng.uniform(size / 2, width - size / 2)
    angles = np.linspace(0, 2 * math.pi, 10, endpoint=False)
    radii = size / 2 * rng.uniform(0.6, 1.0, angles.size)  # lumpy, not a circle
    points = np.stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)], axis=1)
    cv2.fillPoly(mask, [np.round(points).astype(np.int32)], 255)
    return mask
