"""`genimg bench inpaint`, the photo section: object-sized holes beside strokes on 512 px photos,
scored for detail as well as error.

Photos: OpenCV's sample photos (Debian `opencv-doc`; reserved for evaluation, never trained on) when
installed, then the held-out scikit-image and scikit-learn photos the rest of the bench uses; each
cut to its centre square and scaled to SIZE. Masks, seeded per photo and kind: the three stroke
widths (core/random_masks.py, sized for SIZE) and object-sized holes, a lumpy blob and a box of
90-180 px. Scores inside the hole: L1, PSNR, SSIM and texture, the fill's mean |Laplacian| over the
original's (1.0 = as detailed as the photo; a smooth fill scores 0.1-0.3, and above 1 the fill has
more edges than the photo, e.g. seams between copied patches). PSNR alone rewards blur.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from genimg_desktop.bench.inpaint_methods import Method
from genimg_desktop.bench.inpaint_metrics import aggregate, fill_and_score
from genimg_desktop.core.random_masks import object_mask, random_mask

OPENCV_SAMPLES = Path("/usr/share/doc/opencv-doc/examples/data")
# The photographs among OpenCV's samples (not the logos, charts, paintings and calibration shots), at
# least 426 px on the short side so that none is enlarged much.
OPENCV_PHOTOS = (
    "baboon.jpg", "fruits.jpg", "building.jpg", "squirrel_cls.jpg", "aero1.jpg", "leuvenA.jpg",
    "board.jpg", "aloeL.jpg", "chicky_512.png", "apple.jpg", "stuff.jpg", "graf1.png",
)  # fmt: skip
KINDS = ("thin", "medium", "thick", "blob", "object-box")
OBJECT_KINDS = ("blob", "object-box")
DETAILED_KINDS = ("medium", "thick", "blob", "object-box")  # where a fill must keep the photo's detail
SIZE, QUICK_SIZE, QUICK_PHOTOS = 512, 128, 2
GRID_PHOTOS = 4
BEFORE_AFTER_PHOTOS, BEFORE_AFTER_TILE = 6, 256  # the README's before/after: photos and crop side
MASK_SEED = 2525
PSNR_SLACK_DB, MIN_TEXTURE = 0.5, 0.6  # issue 25's bar: PSNR near the best classical, 60% of the detail
Echo = Callable[[str], None]


def bench_photos(quick: bool) -> list[tuple[str, str, np.ndarray]]:
    """(name, source, RGB uint8 SIZE x SIZE) of the evaluation photos; "opencv" ones first."""
    from genimg_desktop.core.imageio import load_image
    from genimg_desktop.engine.training.data.photos import held_out_photos

    size = QUICK_SIZE if quick else SIZE
    found = [
        (path.stem, "opencv", load_image(path).rgba[..., :3])
        for path in (OPENCV_SAMPLES / name for name in OPENCV_PHOTOS)
        if path.is_file()
    ]
    found += [(name, "scikit", image) for name, image in held_out_photos()]
    photos = [(name, source, centre_square(image, size)) for name, source, image in found]
    return photos[:QUICK_PHOTOS] if quick else photos


def centre_square(image: np.ndarray, size: int) -> np.ndarray:
    height, width = image.shape[:2]
    side = min(height, width)
    y0, x0 = (height - side) // 2, (width - side) // 2
    square = np.ascontiguousarray(image[y0 : y0 + side, x0 : x0 + side])
    shrink = cv2.INTER_AREA if side >= size else cv2.INTER_CUBIC
    return cv2.resize(square, (size, size), interpolation=shrink)


def photo_mask(size: int, kind: str, index: int) -> np.ndarray:
    """The mask of photo `index` and `kind`: the same on every run and machine."""
    rng = np.random.default_rng([MASK_SEED, index, KINDS.index(kind)])
    if kind in OBJECT_KINDS:
        return object_mask(size, size, kind, rng)
    return random_mask(size, size, kind, rng)


def run_photo_bench(methods: list[Method], quick: bool, echo: Echo | None = None) -> dict[str, Any]:
    """Every method on every photo and mask kind (a method that changed kept pixels is refused)."""
    say = echo or (lambda _line: None)
    photos = bench_photos(quick)
    say(f"photos: {len(photos)} x {len(KINDS)} masks (strokes and object-sized holes) x {len(methods)}")
    records = []
    for index, (name, source, image) in enumerate(photos):
        for kind in KINDS:
            mask = photo_mask(image.shape[0], kind, index)
            for method in methods:
                record = {"image": name, "source": source, "mask": kind, "method": method.name}
                records.append({**record, **fill_and_score(method, image, mask)})
    table = aggregate(records, KINDS, [m.name for m in methods])
    return {
        "size": int(photos[0][2].shape[0]) if photos else 0,
        "photos": [{"name": n, "source": s} for n, s, _ in photos],
        "table": table,
        "bar": photo_bar(table, {m.name: m.kind for m in methods}),
        "records": records,
    }


def photo_bar(table: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
    """Per method (`kinds`: name -> "classical" or "learned"): in which mask kinds its PSNR is within
    PSNR_SLACK_DB of the best other classical method's, and in which of DETAILED_KINDS its fill
    keeps MIN_TEXTURE of the photo's detail."""
    out: dict[str, Any] = {}
    for name in kinds:
        others = [c for c, kind in kinds.items() if kind == "classical" and c != name]
        near, detailed = {}, {}
        for kind, row in table.items():
            best = max((row[c]["psnr"] for c in others if c in row), default=float("-inf"))
            near[kind] = row[name]["psnr"] >= best - PSNR_SLACK_DB
            if kind in DETAILED_KINDS:
                detailed[kind] = row[name]["texture"] >= MIN_TEXTURE
        out[name] = {"psnr_near_best_classical": near, "keeps_detail": detailed}
    return out


def write_photo_grid(path: Path, methods: list[Method], quick: bool = False, tile: int = 224) -> Path:
    """One row per object-sized hole (blob, box) on the first photos, at 100% (a `tile` crop around
    the hole, not scaled): the original, the hole in red, then each method."""
    from genimg_desktop.bench.inpaint_grid import header, row
    from genimg_desktop.core.imageio import save_image

    rows = []
    for index, (_, _, image) in enumerate(bench_photos(quick)[:GRID_PHOTOS]):
        for kind in OBJECT_KINDS:
            mask = photo_mask(image.shape[0], kind, index)
            shown = image.copy()
            shown[mask > 0] = (255, 0, 0)
            tiles = [image, shown, *(method.fill(image, mask) for method in methods)]
            view = _around(mask, min(tile, image.shape[0]))
            rows.append(row([t[view] for t in tiles], tile))
    labels = ["original", "hole", *(m.name for m in methods)]
    return save_image(path, np.concatenate([header(labels, tile), *rows], axis=0))


def write_before_after(path: Path, methods: list[Method], quick: bool = False) -> Path | None:
    """The README's before/after with the app's photo default among `methods` (core/photo_fill.py;
    None when none is benched): one row per photo (an object-sized hole each, blob and box in turn)
    at 100%, a BEFORE_AFTER_TILE crop around the hole: the hole in red, the fill, the original."""
    from genimg_desktop.bench.inpaint_grid import header, row
    from genimg_desktop.core.imageio import save_image
    from genimg_desktop.core.photo_fill import preferred

    default = preferred(m.name for m in methods)
    if default is None:
        return None
    method = next(m for m in methods if m.name == default)
    photos = bench_photos(quick)[:BEFORE_AFTER_PHOTOS]
    side, rows = min(BEFORE_AFTER_TILE, photos[0][2].shape[0]), []  # at 100%: never enlarged
    for index, (_, _, image) in enumerate(photos):
        mask = photo_mask(image.shape[0], OBJECT_KINDS[index % len(OBJECT_KINDS)], index)
        shown = image.copy()
        shown[mask > 0] = (255, 0, 0)
        view = _around(mask, side)
        rows.append(row([t[view] for t in (shown, method.fill(image, mask), image)], side))
    labels = ["before: the hole", f"after: {method.name}", "original"]
    return save_image(path, np.concatenate([header(labels, side), *rows], axis=0))


def _around(mask: np.ndarray, side: int) -> tuple[slice, slice]:
    """A `side` square centred on the hole, inside the picture."""
    ys, xs = np.nonzero(mask)
    cy, cx = (int(ys.min()) + int(ys.max())) // 2, (int(xs.min()) + int(xs.max())) // 2
    y0 = min(max(cy - side // 2, 0), mask.shape[0] - side)
    x0 = min(max(cx - side // 2, 0), mask.shape[1] - side)
    return slice(y0, y0 + side), slice(x0, x0 + side)
