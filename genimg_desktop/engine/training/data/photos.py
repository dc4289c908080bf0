"""Real photos that ship inside scikit-image and scikit-learn (BSD), for inpainting.

The split is fixed by name, not drawn: the held-out photos (`TEST_SKIMAGE` + sklearn's china and
flower) are what `genimg bench inpaint` scores on and are never trained on. The training split is
the other scikit-image pictures (textures, a camera man, a telescope field, a retina, ...), each cut
into overlapping square tiles at three scales, so ~13 pictures give several hundred crops. The test
split is one centre square per held-out photo.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from genimg_desktop.engine.training.data.dataset import ImageDataset, spread
from genimg_desktop.engine.training.data.errors import DatasetError

NAME = "photos"
VERSION = 1
TEST_SKIMAGE = ("astronaut", "chelsea", "coffee", "rocket")
TEST_SKLEARN = ("china.jpg", "flower.jpg")
TRAIN_SKIMAGE = (
    "brick",
    "camera",
    "cell",
    "clock",
    "coins",
    "grass",
    "gravel",
    "hubble_deep_field",
    "immunohistochemistry",
    "moon",
    "page",
    "retina",
    "text",
)
TILE_SCALES = (1.0, 0.5, 0.25)  # tile side as a share of the photo's short side


def available() -> bool:
    try:
        import skimage.data  # noqa: F401
        import sklearn.datasets  # noqa: F401
    except ImportError:
        return False
    return True


def _rgb(array: np.ndarray) -> np.ndarray:
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=2)
    return np.ascontiguousarray(array[..., :3].astype(np.uint8))


def held_out_photos() -> list[tuple[str, np.ndarray]]:
    """(name, RGB uint8) of every held-out photo, at its own size."""
    skimage_data, sklearn_datasets = _modules()
    photos = [(name, _rgb(getattr(skimage_data, name)())) for name in TEST_SKIMAGE]
    samples = sklearn_datasets.load_sample_images()
    by_name = {
        name.rsplit("/", 1)[-1]: image for name, image in zip(samples.filenames, samples.images, strict=True)
    }
    photos += [(name.split(".")[0], _rgb(by_name[name])) for name in TEST_SKLEARN]
    return photos


def _modules():  # type: ignore[no-untyped-def]
    try:
        import skimage.data as skimage_data
        import sklearn.datasets as sklearn_datasets
    except ImportError as exc:
        raise DatasetError("the photo set needs scikit-image and scikit-learn (pip install them)") from exc
    return skimage_data, sklearn_datasets


def _tiles(photo: np.ndarray, size: int) -> list[np.ndarray]:
    """Overlapping squares (stride half a side) at each of TILE_SCALES, resized to `size`."""
    height, width = photo.shape[:2]
    out = []
    for scale in TILE_SCALES:
        side = int(min(height, width) * scale)
        if side < size // 2:  # would be enlarged more than 2x: blurry, not a photo any more
            continue
        stride = max(side // 2, 1)
        for y in range(0, height - side + 1, stride):
            for x in range(0, width - side + 1, stride):
                out.append(_resize(photo[y : y + side, x : x + side], size))
    return out


def _resize(square: np.ndarray, size: int) -> np.ndarray:
    return np.asarray(Image.fromarray(square).resize((size, size), Image.Resampling.LANCZOS))


def _centre(photo: np.ndarray, size: int) -> np.ndarray:
    height, width = photo.shape[:2]
    side = min(height, width)
    y, x = (height - side) // 2, (width - side) // 2
    return _resize(photo[y : y + side, x : x + side], size)


def build(split: str, size: int, limit: int | None, fit: str, progress: object = None) -> ImageDataset:
    skimage_data, _ = _modules()
    if split == "test":
        images = [_centre(photo, size) for _, photo in held_out_photos()]
    else:
        images = [
            tile for name in TRAIN_SKIMAGE for tile in _tiles(_rgb(getattr(skimage_data, name)()), size)
        ]
    stacked = np.stack(images)[spread(len(images), limit)]
    return ImageDataset(
        images=stacked,
        labels=np.zeros(len(stacked), dtype=np.int64),
        class_names=("photo",),
        name=NAME,
        source="photos bundled with scikit-image and scikit-learn (BSD)",
        split=split,
    )
