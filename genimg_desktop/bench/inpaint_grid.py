"""The picture grid of `genimg bench inpaint --grid FILE`: one row per (image, mask), columns the
original, the input as the method sees it (hole in red), the mask, then each method's result."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from genimg_desktop.bench.inpaint import bench_images, bench_mask
from genimg_desktop.bench.inpaint_methods import Method
from genimg_desktop.core.imageio import save_image

ROWS = ((0, "medium"), (2, "thick"), (4, "thin"), (6, "medium"), (8, "thick"))  # (image index, mask)
TILE, GAP, LABEL_H = 192, 4, 22


def write_grid(path: Path, methods: list[Method], quick: bool = False) -> Path:
    images = bench_images(quick)
    rows = []
    for index, kind in ((i, k) for i, k in ROWS if i < len(images)):
        image = images[index][2]
        mask = bench_mask(*image.shape[:2], kind, index)
        shown = image.copy()
        shown[mask > 0] = (255, 0, 0)
        tiles = [image, shown, np.repeat(mask[..., None], 3, axis=2)]
        tiles += [method.fill(image, mask) for method in methods]
        rows.append(_row(tiles))
    labels = ["original", "input", "mask", *(m.name for m in methods)]
    return save_image(path, np.concatenate([_header(labels), *rows], axis=0))


def _row(tiles: list[np.ndarray]) -> np.ndarray:
    cells = [cv2.resize(t, (TILE, TILE), interpolation=cv2.INTER_AREA) for t in tiles]
    out = np.full((TILE + GAP, len(cells) * (TILE + GAP), 3), 255, np.uint8)
    for i, cell in enumerate(cells):
        out[:TILE, i * (TILE + GAP) : i * (TILE + GAP) + TILE] = cell
    return out


def _header(labels: list[str]) -> np.ndarray:
    out = np.full((LABEL_H, len(labels) * (TILE + GAP), 3), 255, np.uint8)
    for i, text in enumerate(labels):
        cv2.putText(
            out, text, (i * (TILE + GAP) + 4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA
        )
    return out
