"""A folder of small pictures for training tests: coloured squares and discs on white, one subfolder
per shape, so the folder loader sees two classes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

SHAPES = ("squares", "discs")


def make_shape_folder(root: Path, per_class: int = 12, side: int = 20) -> Path:
    """`root`/squares and `root`/discs with `per_class` PNGs each, `side` px (the loader skips < 16)."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[:side, :side]
    centre = (side - 1) / 2
    for shape in SHAPES:
        folder = root / shape
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            picture = np.full((side, side, 3), 255, np.uint8)
            radius = side * rng.uniform(0.2, 0.4)
            if shape == "squares":
                inside = (abs(yy - centre) < radius) & (abs(xx - centre) < radius)
            else:
                inside = (yy - centre) ** 2 + (xx - centre) ** 2 < radius**2
            # Distinct colours: the loader drops duplicate files.
            picture[inside] = ((40 + 17 * i) % 256, (200 - 13 * i) % 256, 90 + 50 * (shape == "discs"))
            Image.fromarray(picture).save(folder / f"{shape}_{i:02d}.png")
    return root
