"""Our .ora files checked by a real OpenRaster reader: MyPaint's own loader (Debian's `mypaint`).

Debian 12's GIMP 2.10 cannot open .ora files at all (its loader is a Python 2 plug-in Debian no
longer ships), so MyPaint is the reader here; `scripts/system-deps.sh --test` (run by `make test`)
installs it. MyPaint loads the file, reports its layers, writes each layer back out as a PNG, and
saves the project again as MyPaint itself would; we compare pixels both ways.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from genimg_desktop.core.ora import save_ora
from genimg_desktop.core.ora_read import load_ora

MYPAINT_LIB = Path("/usr/lib/mypaint")
SYSTEM_PYTHON = Path("/usr/bin/python3")  # MyPaint's library is built for Debian's Python

pytestmark = pytest.mark.skipif(
    not (MYPAINT_LIB / "lib" / "document.py").exists() or not SYSTEM_PYTHON.exists(),
    reason="MyPaint is not installed (Debian package `mypaint`: run scripts/system-deps.sh --test)",
)

READER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from lib import document
doc = document.Document()
doc.load(sys.argv[2])
x, y, w, h = doc.get_frame()
layers = []
for i, layer in enumerate(doc.layer_stack.deepiter()):
    out = "%s/layer%d.png" % (sys.argv[3], i)
    layer.save_as_png(out, x, y, w, h, alpha=True)
    layers.append({"name": layer.name, "visible": bool(layer.visible), "png": out})
doc.save(sys.argv[3] + "/resaved.ora")
print(json.dumps({"frame": [x, y, w, h], "layers": layers}))
"""


def mypaint(ora: Path, out: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(HOME=str(out), XDG_CONFIG_HOME=str(out), XDG_CACHE_HOME=str(out))
    proc = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", READER, str(MYPAINT_LIB), str(ora), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    print("MyPaint read:", json.dumps(report))  # shown with -s: the reader's own account of the file
    return report


def test_mypaint_reads_our_layers_and_we_read_mypaints_file(tmp_path: Path, photo_rgb):
    image = np.dstack([photo_rgb, np.full(photo_rgb.shape[:2], 255, np.uint8)])
    mask = np.zeros(photo_rgb.shape[:2], np.uint8)
    mask[100:220, 150:300] = 255
    mask[300:305, :40] = 77
    ora = save_ora(tmp_path / "project.ora", image, mask, {"seed": 7})

    report = mypaint(ora, tmp_path)
    assert report["frame"] == [0, 0, 512, 512]
    layers = {layer["name"]: layer for layer in report["layers"]}
    assert [layer["name"] for layer in report["layers"]] == ["mask", "image"]
    assert not layers["mask"]["visible"] and layers["image"]["visible"]
    seen_image = np.asarray(Image.open(layers["image"]["png"]).convert("RGBA")).astype(int)
    seen_mask = np.asarray(Image.open(layers["mask"]["png"]).convert("RGBA"))[..., 3]
    assert np.abs(seen_image - image).max() <= 1  # MyPaint works in 15-bit fixed point
    assert np.abs(seen_mask.astype(int) - mask).max() <= 1

    # MyPaint's own save crops the mask layer and adds a background: we still get the work back.
    back = load_ora(tmp_path / "resaved.ora")
    assert np.abs(back.image.astype(int) - image).max() <= 1
    assert np.abs(back.mask.astype(int) - mask).max() <= 1
