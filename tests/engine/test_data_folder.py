"""A folder of the user's pictures: labels from subfolders, bad files skipped and counted, caching."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from genimg_desktop.engine.training.data import DatasetError, load_dataset
from genimg_desktop.engine.training.data import folder as folder_source
from genimg_desktop.engine.training.data.cache import datasets_dir, load_cached


def header_only_png(path: Path, width: int, height: int) -> None:
    """A PNG that claims width x height but holds no pixel data: decoding it would be a bomb."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    body = struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    end = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body + end)


def picture(seed: int, size: tuple[int, int] = (48, 40), mode: str = "RGB") -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 255, (size[1], size[0], 4), dtype=np.uint8), "RGBA").convert(mode)


@pytest.fixture
def pictures(tmp_path: Path) -> Path:
    """pics/{cats,dogs}/ with real pictures of several formats, one loose picture, and bad files."""
    root = tmp_path / "pics"
    for cls, offset in (("cats", 0), ("dogs", 100)):
        (root / cls / "nested").mkdir(parents=True)
        for i in range(6):
            picture(offset + i).save(root / cls / f"{i}.png")
        picture(offset + 10).save(root / cls / "photo.jpg", quality=90)
        picture(offset + 11, mode="RGBA").save(root / cls / "nested" / "clip.webp")
        picture(offset + 12, mode="L").save(root / cls / "gray.bmp")
    picture(500).save(root / "loose.png")
    (root / "cats" / "empty.png").write_bytes(b"")
    (root / "cats" / "notes.png").write_text("this is not a picture", encoding="utf-8")
    (root / "dogs" / "truncated.png").write_bytes((root / "dogs" / "0.png").read_bytes()[:200])
    picture(600, size=(12, 40)).save(root / "dogs" / "tiny.png")
    header_only_png(root / "dogs" / "bomb.png", 30000, 30000)  # 900 MP: Pillow itself refuses it
    header_only_png(root / "cats" / "poster.png", 10000, 8000)  # 80 MP: over our limit
    (root / "readme.txt").write_text("my cats", encoding="utf-8")
    (root / ".DS_Store").write_bytes(b"\0\1")
    (root / ".thumbnails").mkdir()
    picture(700).save(root / ".thumbnails" / "t.png")  # hidden: not part of the data set
    return root


def both_splits(root: Path, size: int = 32, **kw):
    return load_dataset(str(root), size, "train", **kw), load_dataset(str(root), size, "test", **kw)


def test_folder_labels_sizes_and_skipped_counts(pictures):
    train, test = both_splits(pictures)
    assert train.class_names == test.class_names == ("cats", "dogs", "pics")
    assert train.images.shape[1:] == (32, 32, 3) and train.images.dtype == np.uint8
    assert train.labels.dtype == np.int64
    assert len(train) + len(test) == 2 * 9 + 1  # every good picture, once
    assert set(test.labels.tolist()) == {0, 1}  # each class with 2+ pictures is in the test split
    assert train.skipped["not_image"] == test.skipped["not_image"] == 1  # readme.txt
    per_file = {
        k: train.skipped.get(k, 0) + test.skipped.get(k, 0) for k in ("empty", "unreadable", "tiny", "huge")
    }
    assert per_file == {"empty": 1, "unreadable": 2, "tiny": 1, "huge": 2}
    assert "1 too small" in train.skipped_summary() + test.skipped_summary()
    assert train.name == str(pictures.resolve())


def test_single_folder_is_one_class_and_gray_on_request(tmp_path):
    root = tmp_path / "sketches"
    root.mkdir()
    for i in range(5):
        picture(i, size=(64, 30)).save(root / f"{i}.png")
    data = load_dataset(root, 16, "train", channels=1)
    assert data.class_names == ("sketches",) and data.images.shape == (4, 16, 16, 1)


def test_transparent_and_16_bit_pictures_come_out_right(tmp_path):
    rgba = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    rgba.paste((200, 0, 0, 255), (10, 10, 30, 30))
    rgba.save(tmp_path / "clip.png")
    pad = folder_source.prepare(tmp_path / "clip.png", 20, "pad")
    assert pad[0, 0].min() > 240  # transparency becomes white (LANCZOS may ring a little at the edge)
    assert pad[10, 10, 0] > 150 and pad[10, 10, 1] < 60  # the red square, now filling the frame
    Image.fromarray(np.full((32, 32), 30000, np.uint16)).save(tmp_path / "deep.png")
    gray = folder_source.prepare(tmp_path / "deep.png", 16, "crop")
    assert abs(int(gray[8, 8, 0]) - 30000 * 255 // 65535) <= 1  # not clipped to white


def test_second_load_comes_from_the_cache(pictures, monkeypatch):
    first = load_dataset(str(pictures), 24, "train")

    def no_rebuild(*args, **kwargs):
        raise AssertionError("rebuilt although cached")

    monkeypatch.setattr(folder_source, "build", no_rebuild)
    again = load_dataset(str(pictures), 24, "train")
    np.testing.assert_array_equal(first.images, again.images)
    assert again.skipped == first.skipped and again.class_names == first.class_names


def test_changing_the_folder_invalidates_the_cache(pictures):
    def total() -> int:
        return sum(len(load_dataset(str(pictures), 24, split)) for split in ("train", "test"))

    before = total()
    picture(900).save(pictures / "cats" / "new.png")
    assert total() == before + 1


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_corrupt_cache_file_is_rebuilt(pictures, damage):
    first = load_dataset(str(pictures), 24, "train")
    (cached,) = datasets_dir().glob("*.npz")
    raw = cached.read_bytes()
    cached.write_bytes(b"not a zip at all" if damage == "garbage" else raw[: len(raw) // 2])
    again = load_dataset(str(pictures), 24, "train")
    np.testing.assert_array_equal(first.images, again.images)
    assert load_cached(cached) is not None  # written anew


def test_a_folder_with_nothing_usable_is_explained(tmp_path):
    root = tmp_path / "bad"
    root.mkdir()
    (root / "a.png").write_bytes(b"")
    (root / "b.jpg").write_text("no", encoding="utf-8")
    with pytest.raises(DatasetError, match="no usable images in .*bad: skipped 1"):
        load_dataset(str(root), 32, "train")
    (root / "a.png").unlink()
    (root / "b.jpg").unlink()
    with pytest.raises(DatasetError, match="no image files"):
        load_dataset(str(root), 32, "train")
