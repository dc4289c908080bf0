"""The shared parts of the training-data loaders: splits, subsets, channels, tensors, the cache."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import torch

from genimg_desktop.engine.training.data import (
    DatasetError,
    ImageDataset,
    convert_channels,
    describe_skipped,
    load_dataset,
    to_tensor,
)
from genimg_desktop.engine.training.data.dataset import split_indices, spread
from genimg_desktop.engine.training.data.imaging import Skip
from genimg_desktop.engine.training.data.items import prepare_items


def test_split_is_stratified_disjoint_and_stable():
    labels = np.repeat(np.arange(4), [50, 20, 3, 1])
    train, test = split_indices(labels, "train"), split_indices(labels, "test")
    assert np.intersect1d(train, test).size == 0
    assert np.union1d(train, test).tolist() == list(range(len(labels)))
    assert Counter(labels[test].tolist()) == {0: 5, 1: 2, 2: 1}  # 10%, at least 1; a lone image trains
    np.testing.assert_array_equal(test, split_indices(labels.copy(), "test"))  # no hidden state
    with pytest.raises(ValueError):
        split_indices(labels, "valid")


def test_spread_takes_evenly_spaced_items():
    assert spread(10, None).tolist() == list(range(10))
    three = spread(10, 3).tolist()
    assert len(three) == 3 and three[0] == 0 and three[-1] == 9
    assert spread(5, 50).tolist() == list(range(5))
    assert len(spread(1000, 7)) == 7


def test_channels_convert_like_pillow_and_tensors_span_minus_one_to_one():
    rgb = np.array([[[[255, 0, 0], [0, 255, 0]], [[0, 0, 255], [10, 20, 30]]]], dtype=np.uint8)
    gray = convert_channels(rgb, 1)
    from PIL import Image

    expected = np.asarray(Image.fromarray(rgb[0]).convert("L"))
    np.testing.assert_array_equal(gray[0, ..., 0], expected)
    assert convert_channels(gray, 3).shape == (1, 2, 2, 3)
    t = to_tensor(np.array([[[[0], [255]]]], dtype=np.uint8))
    assert t.dtype == torch.float32 and t.shape == (1, 1, 1, 2)
    assert t.flatten().tolist() == [-1.0, 1.0]


def test_dataset_validates_its_arrays():
    ok = dict(images=np.zeros((2, 8, 8, 3), np.uint8), labels=np.array([0, 1]), class_names=("a", "b"),
              name="x", source="y")  # fmt: skip
    ImageDataset(**ok)
    with pytest.raises(ValueError):
        ImageDataset(**{**ok, "images": np.zeros((2, 8, 9, 3), np.uint8)})
    with pytest.raises(ValueError):
        ImageDataset(**{**ok, "labels": np.array([0, 2])})
    data = ImageDataset(**ok)
    assert data.size == 8 and data.channels == 3 and data.class_counts() == {"a": 1, "b": 1}
    assert data.with_channels(1).images.shape == (2, 8, 8, 1)


def test_prepare_items_counts_skips_and_duplicates():
    items = list(range(40))
    labels = np.zeros(40, dtype=np.int64)

    def prepare(i: int) -> np.ndarray:
        if i % 10 == 3:
            raise Skip("unreadable")
        return np.full((4, 4, 3), 7 if i % 10 == 5 else i, np.uint8)  # the 5s are all alike

    images, kept, skipped = prepare_items(items, labels, "train", None, prepare)
    assert len(images) + sum(skipped.values()) == len(split_indices(labels, "train"))
    assert skipped["unreadable"] >= 2 and skipped["duplicate"] >= 2
    assert len({im.tobytes() for im in images}) == len(images)


def test_describe_skipped_reads_well():
    assert describe_skipped({}) == ""
    text = describe_skipped({"tiny": 1, "unreadable": 2, "huge": 0})
    assert text == "skipped 3: 2 unreadable or damaged, 1 too small"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("no-such-set", 32), "unknown data set"),
        (("emoji", 4), "size must be"),
        (("emoji", 32, "valid"), "split must be"),
        (("emoji", 32, "train", 2), "channels must be"),
    ],
)
def test_bad_arguments_are_explained(args, message):
    with pytest.raises(DatasetError, match=message):
        load_dataset(*args)
