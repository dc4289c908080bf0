"""The photo source (held-out photos never in training) and "a+b" mixed data sets."""

from __future__ import annotations

import numpy as np
from PIL import Image

from genimg_desktop.engine.training.data import load_dataset, photos


def test_held_out_photos_are_the_test_split_and_never_trained_on() -> None:
    held_out = set(photos.TEST_SKIMAGE)
    assert not held_out & set(photos.TRAIN_SKIMAGE)
    test = load_dataset("photos", 32, "test")
    assert len(test) == len(photos.TEST_SKIMAGE) + len(photos.TEST_SKLEARN)
    train = load_dataset("photos", 32, "train")
    assert len(train) > 100 and train.images.shape[1:] == (32, 32, 3)
    train_bytes = {image.tobytes() for image in train.images}
    assert not any(image.tobytes() in train_bytes for image in test.images)


def test_mixed_sources_join_images_and_keep_classes_apart(tmp_path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    for i in range(3):
        Image.fromarray(np.full((40, 40, 3), 60 * i + 10, np.uint8)).save(folder / f"{i}.png")
    mixed = load_dataset(f"photos+{folder}", 32, "train", limit=5)
    alone = load_dataset(str(folder), 32, "train")
    assert len(mixed) == 5 + len(alone)
    assert mixed.class_names == ("photos/photo", f"{folder}/mine")
    assert np.array_equal(mixed.labels, [0] * 5 + [1] * len(alone))
