"""The held-out photos `genimg bench restore` scores on, the same on every run and machine.

Sources, none ever trained on: the debian-photos test split (by picture, when the packages are
installed; an even spread of it), OpenCV's sample photos (Debian opencv-doc, reserved for
evaluation) and the held-out photos inside scikit-image (those `genimg bench inpaint` uses). Each is
a centre square; JPEG files are shrunk by 2 first (area) so their own compression artefacts do not
count as detail the methods fail to restore.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

OPENCV_DIR = Path("/usr/share/doc/opencv-doc/examples/data")
# Natural photos among OpenCV's samples (the rest are charts, logos, text, calibration boards).
OPENCV_PHOTOS = (
    "baboon.jpg",
    "fruits.jpg",
    "butterfly.jpg",
    "building.jpg",
    "messi5.jpg",
    "squirrel_cls.jpg",
)
SKIMAGE_PHOTOS = ("astronaut", "chelsea", "coffee", "rocket")
DEBIAN_COUNT = 8
SIDE, QUICK_SIDE = 192, 48
QUICK_COUNT = 2

Photo = tuple[str, str, np.ndarray]  # (name, source, (side, side, 3) uint8 RGB)


def bench_photos(quick: bool) -> list[Photo]:
    """The held-out photos, centre squares of SIDE (two of QUICK_SIDE when quick)."""
    side = QUICK_SIDE if quick else SIDE
    # Quick: scikit-image's photos only (a pip dependency, so on every CI machine, and no data-set cache).
    photos = _skimage()[:QUICK_COUNT] if quick else [*_debian(), *_opencv(), *_skimage()]
    return [(name, source, centre_square(image, side)) for name, source, image in photos]


def centre_square(image: np.ndarray, side: int) -> np.ndarray:
    """The centre `side` x `side` of `image`, first shrunk (area) so its short side is `side` when larger
    than twice that (a square of a wide view, not of one leaf)."""
    height, width = image.shape[:2]
    if min(height, width) > 2 * side:
        factor = side * 2 / min(height, width)
        image = cv2.resize(
            image, (round(width * factor), round(height * factor)), interpolation=cv2.INTER_AREA
        )
        height, width = image.shape[:2]
    side = min(side, height, width)
    top, left = (height - side) // 2, (width - side) // 2
    return np.ascontiguousarray(image[top : top + side, left : left + side])


def _debian() -> list[tuple[str, str, np.ndarray]]:
    from genimg_desktop.engine.training.data import debian_photos
    from genimg_desktop.engine.training.data.dataset import spread

    if not debian_photos.available():
        return []
    names, images, _ = debian_photos.pictures("test")
    return [(names[i], "debian-photos", images[i]) for i in spread(len(names), DEBIAN_COUNT)]


def _opencv() -> list[tuple[str, str, np.ndarray]]:
    out = []
    for name in OPENCV_PHOTOS:
        path = OPENCV_DIR / name
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR) if path.is_file() else None
        if bgr is not None:
            half = cv2.resize(bgr, (bgr.shape[1] // 2, bgr.shape[0] // 2), interpolation=cv2.INTER_AREA)
            out.append((name, "opencv", cv2.cvtColor(half, cv2.COLOR_BGR2RGB)))
    return out


def _skimage() -> list[tuple[str, str, np.ndarray]]:
    try:
        import skimage.data
    except ImportError:
        return []
    out = []
    for name in SKIMAGE_PHOTOS:
        image = np.asarray(getattr(skimage.data, name)())[..., :3]
        if name == "rocket":  # the one JPEG among them
            image = cv2.resize(
                image, (image.shape[1] // 2, image.shape[0] // 2), interpolation=cv2.INTER_AREA
            )
        out.append((name, "scikit-image", np.ascontiguousarray(image)))
    return out
