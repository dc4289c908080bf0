"""The picture grid of `genimg bench inpaint --grid FILE`: one row per (image, mask), columns the
original, the input as the method sees it (hole in red), the mask, then each method's result."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from genimg_desktop.bench.inpaint_data import bench_images, bench_mask
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
        rows.append(row(tiles))
    labels = ["original", "input", "mask", *(m.name for m in methods)]
    return save_image(path, np.concatenate([header(labels), *rows], axis=0))


def row(tiles: list[np.ndarray], tile: int = TILE) -> np.ndarray:
    """The pictures side by side, each scaled to `tile` x `tile`, with a white gap."""
    cells = [cv2.resize(t, (tile, tile), interpolation=cv2.INTER_AREA) for t in tiles]
    out = np.full((tile + GAP, len(cells) * (tile + GAP), 3), 255, np.uint8)
    for i, cell in enumerate(cells):
        out[:tile, i * (tile + GAP) : i * (tile + GAP) + tile] = cell
    return out


def header(labels: list[str], tile: int = TILE) -> np.ndarray:
    """A white strip with each column's label."""
    out = np.full((LABEL_H, len(labels) * (tile + GAP), 3), 255, np.uint8)
    for i, text in enumerate(labels):
        cv2.putText(
            out, text, (i * (tile + GAP) + 4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA
        )
    return out
