"""debian-photos: the photos of installed Debian packages, split by picture, served as tiles.

Most tests run on a folder laid out like the packages (always there); one checks the real packages
and skips, saying why, where they are not installed (CI)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from genimg_desktop.engine.training.data import DatasetError, debian_photos, load_dataset
from genimg_desktop.engine.training.data.debian_photo_files import find_photos
from genimg_desktop.engine.training.data.qt_rcc import RccFile

LAND = "usr/share/games/endless-sky/images/land"


def _photo(seed: int, size: tuple[int, int]) -> Image.Image:
    """A smooth random picture (a photo-like field, unique per seed)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
    return Image.fromarray(small).resize(size, Image.Resampling.BICUBIC)


@pytest.fixture
def fake_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """30 endless-sky-like 720x360 JPEGs, one 64 px icon, and lxqt wallpapers (one photo, one logo)."""
    land = tmp_path / LAND
    land.mkdir(parents=True)
    for i in range(30):
        _photo(i, (720, 360)).save(land / f"land{i}.jpg", quality=95)
    _photo(99, (64, 64)).save(land / "icon.jpg")
    walls = tmp_path / "usr/share/lxqt/wallpapers"
    walls.mkdir(parents=True)
    _photo(100, (1200, 900)).save(walls / "fog.jpg")
    _photo(101, (1200, 900)).save(walls / "kde-plasma.png")  # digital art: not listed, not read
    monkeypatch.setattr(debian_photos, "ROOT", tmp_path)
    return tmp_path


def test_photos_split_by_picture_downscaled_and_tiled(fake_root: Path) -> None:
    names = sorted(p.name for p in find_photos(fake_root))
    assert "lxqt-themes/fog.jpg" in names and not any("kde-plasma" in n for n in names)
    train_names, train, train_skipped = debian_photos.pictures("train")
    test_names, test, test_skipped = debian_photos.pictures("test")
    icon_held_out = debian_photos.is_held_out("endless-sky-data/icon.jpg")
    assert (test_skipped if icon_held_out else train_skipped) == {"tiny": 1}  # the icon is left out
    assert test_names and not set(test_names) & set(train_names)
    assert all(debian_photos.is_held_out(n) for n in test_names)
    assert sorted(train_names + test_names) == [n for n in names if n != "endless-sky-data/icon.jpg"]
    land = train[train_names.index(next(n for n in train_names if "land" in n))]
    assert land.shape == (240, 480, 3)  # 720x360 shrunk by MIN_REDUCTION
    fog = (train + test)[(train_names + test_names).index("lxqt-themes/fog.jpg")]
    assert fog.shape == (512, 683, 3)  # short side to SHORT_SIDE

    tiles = load_dataset("debian-photos", 96, "test")
    assert tiles.images.shape[1:] == (96, 96, 3) and tiles.name == "debian-photos"
    assert tiles.held_out == len(train_names) + (not icon_held_out)
    train_tiles = {t.tobytes() for t in load_dataset("debian-photos", 96, "train").images}
    assert not any(t.tobytes() in train_tiles for t in tiles.images)
    assert "endless-sky-data" in tiles.source and "public domain" in tiles.source


def test_a_new_package_changes_the_cached_set(fake_root: Path) -> None:
    before = len(load_dataset("debian-photos", 64, "train"))
    nature = fake_root / "usr/share/backgrounds/mate/nature"
    nature.mkdir(parents=True)
    for i in range(12):
        _photo(200 + i, (1000, 800)).save(nature / f"n{i}.jpg")
    assert len(load_dataset("debian-photos", 64, "train")) > before


def test_no_package_installed_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(debian_photos, "ROOT", tmp_path)
    assert not debian_photos.available()
    with pytest.raises(DatasetError, match="apt-get install endless-sky-data"):
        load_dataset("debian-photos", 64, "train")


@pytest.mark.parametrize("compress", ["zlib", "none"])
def test_photos_inside_a_qt_resource_file_are_read_without_qt(
    fake_root: Path, tmp_path: Path, compress: str
) -> None:
    """The .rcc is written by Qt's own compiler (pyside6-rcc), then read by our pure-Python reader."""
    source = tmp_path / "qrc" / "resource"
    source.mkdir(parents=True)
    _photo(300, (1024, 683)).save(source / "gorilla.webp", quality=90)
    (tmp_path / "qrc" / "erase.qrc").write_text(
        '<RCC><qresource prefix="/gcompris/src/activities/erase"><file>resource/gorilla.webp</file>'
        "</qresource></RCC>"
    )
    bundle = fake_root / "usr/share/gcompris-qt/rcc/erase.rcc"
    bundle.parent.mkdir(parents=True)
    rcc = Path(sys.executable).with_name("pyside6-rcc")
    flags = ["--compress-algo", "zlib", "--threshold", "0"] if compress == "zlib" else ["--no-compress"]
    subprocess.run([rcc, "--binary", *flags, "erase.qrc", "-o", bundle], cwd=tmp_path / "qrc", check=True)

    [(member, node)] = [(m, n) for m, n in RccFile(bundle).files() if m.endswith(".webp")]
    assert member == "/gcompris/src/activities/erase/resource/gorilla.webp"
    assert RccFile(bundle).read(node) == (source / "gorilla.webp").read_bytes()
    [photo] = [p for p in find_photos(fake_root) if p.package == "gcompris-qt-data"]
    assert photo.name == "gcompris-qt-data/erase/gorilla.webp"
    assert debian_photos.decode(photo).shape == (455, 683, 3)


def test_the_installed_packages_give_hundreds_of_photos() -> None:
    if not debian_photos.available():
        pytest.skip(f"no Debian photo package installed here ({debian_photos.INSTALL})")
    photos = find_photos(debian_photos.ROOT)
    held_out = [p for p in photos if debian_photos.is_held_out(p.name)]
    assert len(photos) >= 100 and 0.05 < len(held_out) / len(photos) < 0.15
    by_package = {p.package: p for p in photos}
    for photo in by_package.values():  # one photo of each installed package decodes, downscaled
        picture = debian_photos.decode(photo)
        assert min(picture.shape[:2]) <= debian_photos.SHORT_SIDE and picture.std() > 5
