"""Prepare the training pictures of the built-in texture models: each GIMP pattern (gimp-data, seamless)
named on the command line, tiled to at least SIDE px, as one PNG in OUT/<name>/.

    python scripts/texture_data.py /work/runs/texture-data Stone/brick Wood/bark Stone/stone33
    genimg train --family texture --data /work/runs/texture-data/brick --size 384 ...
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image

from genimg_desktop.core.gimp_pattern import read_pattern

PATTERNS = Path("/usr/share/gimp/2.0/patterns")
SIDE = 384


def prepare(out: Path, pattern: str) -> Path:
    _, pixels = read_pattern(PATTERNS / f"{pattern}.pat")
    reps = (-(-SIDE // pixels.shape[0]), -(-SIDE // pixels.shape[1]), 1)
    tiled = np.tile(pixels, reps)[:SIDE, :SIDE]
    folder = out / Path(pattern).name.lower()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{Path(pattern).name.lower()}.png"
    Image.fromarray(tiled).save(path)
    return path


if __name__ == "__main__":
    for name in sys.argv[2:]:
        print(prepare(Path(sys.argv[1]), name))
