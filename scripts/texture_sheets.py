"""Write models/<id>.samples.png for the texture models named (or every installed one): a tileable
texture laid 2x2 beside three textures of other seeds, at 100% (bench/texture.sample_sheet).

    python scripts/texture_sheets.py models texture-brick texture-walnut
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

from genimg_desktop.bench.texture import sample_sheet
from genimg_desktop.engine.registry import ModelRegistry

if __name__ == "__main__":
    out, wanted = Path(sys.argv[1]), sys.argv[2:]
    registry = ModelRegistry()
    for descriptor in registry.refresh():
        if descriptor.card.family == "texture" and (not wanted or descriptor.id in wanted):
            path = out / f"{descriptor.id}.samples.png"
            Image.fromarray(sample_sheet(registry.load(descriptor.id, "cpu"))).save(path)
            print(path)
