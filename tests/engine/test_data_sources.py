"""The Debian-packaged sources (installed by scripts/system-deps.sh): small subsets of each."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from genimg_desktop.engine.training.data import (
    SourceMissingError,
    emoji,
    fashion_mnist,
    load_dataset,
    openclipart,
)


def needs(package: str, installed: bool):
    return pytest.mark.skipif(not installed, reason=f"{package} is not installed (scripts/system-deps.sh)")


@needs("dataset-fashion-mnist", fashion_mnist.available())
def test_fashion_mnist_subset():
    train = load_dataset("fashion-mnist", 28, "train", limit=200)
    test = load_dataset("fashion-mnist", 32, "test", limit=50, channels=3)
    assert train.images.shape == (200, 28, 28, 1) and train.images.dtype == np.uint8
    assert test.images.shape == (50, 32, 32, 3)
    assert train.class_names[0] == "T-shirt/top" and len(train.class_names) == 10
    assert set(train.labels.tolist()) == set(range(10))  # a spread subset still has every class
    assert train.images.mean() > 40 and train.images.max() == 255  # real pictures, not zeros


@needs("fonts-noto-color-emoji and unicode-data", emoji.available())
def test_emoji_subset_groups_and_colour():
    data = load_dataset("emoji", 32, "train", limit=45)
    assert data.images.shape[1:] == (32, 32, 3) and 40 <= len(data) <= 45
    assert len(data.class_names) == 9 and "Component" not in data.class_names
    assert data.class_names[0] == "Smileys & Emotion" and data.class_names[-1] == "Flags"
    assert len(set(data.labels.tolist())) == 9
    assert (data.images[:, 0, 0] > 240).all()  # on white
    spread_of_hue = data.images.astype(int).max(axis=3) - data.images.astype(int).min(axis=3)
    assert spread_of_hue.mean() > 20  # colour, not gray


def test_emoji_table_and_skin_tones():
    if not emoji.available():
        pytest.skip("unicode-data is not installed")
    plain, _ = emoji.read_emoji_test(emoji.EMOJI_TEST, skin_tones=False)
    every, groups = emoji.read_emoji_test(emoji.EMOJI_TEST, skin_tones=True)
    assert len(every) == 3655 and len(plain) == 1870 and len(set(groups)) == 9


@needs("openclipart-png", openclipart.available())
def test_openclipart_subset_categories():
    data = load_dataset("openclipart", 48, "test", limit=30)
    assert data.images.shape[1:] == (48, 48, 3) and 25 <= len(data) <= 30
    assert len(data.class_names) == 22 and "animals" in data.class_names
    assert len(set(data.labels.tolist())) >= 10
    border = np.concatenate([data.images[:, 0], data.images[:, -1]])
    assert np.median(border) == 255  # padded on white


@needs("openclipart-png", openclipart.available())
def test_openclipart_filters_posters_and_symlinks():
    files, _ = openclipart.list_files(openclipart.ROOT)
    assert not any(p.is_symlink() for p in files)
    poster = openclipart.ROOT / "computer" / "microchip_v.2_havok_redh_01.png"  # 16000 x 14464
    if poster.exists():
        from genimg_desktop.engine.training.data.imaging import Skip

        with pytest.raises(Skip, match="huge"):
            openclipart.prepare(poster, 32, "pad")


def test_a_missing_package_says_how_to_install_it(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(fashion_mnist, "ROOT", tmp_path / "nowhere")
    monkeypatch.setattr(openclipart, "ROOT", tmp_path / "nowhere")
    monkeypatch.setattr(emoji, "FONT", tmp_path / "nowhere.ttf")
    with pytest.raises(SourceMissingError, match="apt-get install dataset-fashion-mnist"):
        load_dataset("fashion-mnist", 28, "train", limit=5)
    with pytest.raises(SourceMissingError, match="apt-get install openclipart-png"):
        load_dataset("openclipart", 28, "train", limit=5)
    with pytest.raises(SourceMissingError, match="apt-get install fonts-noto-color-emoji"):
        load_dataset("emoji", 28, "train", limit=5)
