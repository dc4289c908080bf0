"""Loading awkward and damaged files, size limits, and atomic saving."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from genimg_desktop.core import imageio
from genimg_desktop.core.imageio import (
    MAX_PIXELS,
    MAX_SIDE,
    ImageLoadError,
    ImageSaveError,
    check_size,
    load_image,
    save_image,
)

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"


# ---------------------------------------------------------------- refusing bad files


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("zero-byte.png", "empty"),
        ("truncated.png", "damaged"),
        ("truncated.jpg", "damaged"),
        ("truncated.webp", "damaged"),
        ("not_an_image.png", "not an image"),
        ("bomb.png", "too large"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(name, words):
    with pytest.raises(ImageLoadError) as info:
        load_image(BAD / name)
    assert words in str(info.value) and name in str(info.value)
    with pytest.raises(ImageLoadError):  # same from bytes (e.g. drag and drop, clipboard)
        load_image((BAD / name).read_bytes())


def test_missing_file_and_folder(tmp_path: Path):
    with pytest.raises(ImageLoadError, match="does not exist"):
        load_image(tmp_path / "nope.png")
    with pytest.raises(ImageLoadError, match="folder"):
        load_image(tmp_path)


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * (1 + 3 * width), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("w", "h"), [(16000, 9000), (MAX_SIDE + 1, 16), (0, 5)])
def test_size_is_checked_from_the_header_before_decoding(w, h):
    with pytest.raises(ImageLoadError) as info:
        load_image(_png_header_only(w, h))
    assert "cannot be read" not in str(info.value)  # refused for its size, not by the decoder


def test_limits_allow_8192_square():
    check_size(8192, 8192)
    check_size(16384, 8192)
    check_size(1, 1)
    with pytest.raises(ImageLoadError, match="largest supported"):
        check_size(12000, 12000)
    assert MAX_PIXELS >= 8192 * 8192 and MAX_SIDE >= 8192


# ---------------------------------------------------------------- converting awkward files


def test_one_by_one():
    loaded = load_image(BAD / "one_by_one.png")
    assert loaded.size == (1, 1) and loaded.rgba.tolist() == [[[12, 34, 56, 255]]]


def test_gray16_is_scaled_not_clipped():
    loaded = load_image(BAD / "gray16.png")
    assert loaded.source_mode.startswith("I;16")
    row = loaded.rgba[0, :, 0].astype(int)
    assert row[0] == 0 and row[-1] == 255 and (np.diff(row) > 0).all()
    assert (loaded.rgba[..., 0] == loaded.rgba[..., 2]).all() and (loaded.rgba[..., 3] == 255).all()
    assert any("16-bit" in n for n in loaded.notes)


def test_rgb16_png_is_reduced_with_a_note():
    loaded = load_image(BAD / "rgb16.png")
    assert loaded.rgba[0, 0].tolist() == [255, 128, 0, 255]
    assert any("16-bit" in n for n in loaded.notes)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (np.array([[0.0, 0.5, 1.0]], np.float32), [0, 128, 255]),  # float 0..1
        (np.array([[-10.0, 0.0, 10.0]], np.float32), [0, 128, 255]),  # any other range: rescaled
    ],
)
def test_float_images_are_scaled(values, expected):
    buf = io.BytesIO()
    Image.fromarray(values, mode="F").save(buf, "TIFF")
    loaded = load_image(buf.getvalue())
    assert loaded.source_mode == "F" and loaded.rgba[0, :, 0].tolist() == expected


def test_int32_image_is_rescaled():
    buf = io.BytesIO()
    Image.fromarray(np.array([[-70000, 0, 70000]], np.int32)).save(buf, "TIFF")
    loaded = load_image(buf.getvalue())
    assert loaded.rgba[0, :, 0].tolist() == [0, 128, 255]


def test_cmyk_jpeg_becomes_rgb():
    loaded = load_image(BAD / "cmyk.jpg")
    assert loaded.source_mode == "CMYK" and any("CMYK" in n for n in loaded.notes)
    r, g, b, a = loaded.rgba[4, 4].astype(int)
    assert r > 230 and g < 30 and b < 30 and a == 255


def test_palette_with_transparency_keeps_alpha():
    loaded = load_image(BAD / "palette_alpha.png")
    assert loaded.source_mode == "P"
    assert loaded.rgba[0, 0, 3] == 0 and loaded.rgba[0, 7].tolist() == [0, 0, 255, 255]


def test_animated_gif_first_frame_with_note():
    loaded = load_image(BAD / "animated.gif")
    assert loaded.rgba[0, 0].tolist() == [255, 0, 0, 255]
    assert any("first frame" in n for n in loaded.notes)


def test_exif_orientation_is_applied():
    loaded = load_image(BAD / "exif_rotated.jpg")
    assert loaded.size == (4, 8) and loaded.rgba.shape == (8, 4, 4)
    top_right, top_left = loaded.rgba[0, 3], loaded.rgba[0, 0]
    assert top_right[0] > 200 and top_right[1] < 50 and top_left[0] < 50
    assert "rotated by EXIF orientation" in loaded.notes


@pytest.mark.parametrize(("mode", "color"), [("LA", (100, 50)), ("1", 1), ("L", 77), ("RGBA", (1, 2, 3, 4))])
def test_common_modes(mode, color):
    buf = io.BytesIO()
    Image.new(mode, (3, 2), color).save(buf, "PNG")
    loaded = load_image(buf.getvalue())
    assert loaded.rgba.shape == (2, 3, 4) and loaded.rgba.dtype == np.uint8 and loaded.notes == []
    expected = {"LA": [100, 100, 100, 50], "1": [255, 255, 255, 255], "L": [77, 77, 77, 255]}
    assert loaded.rgba[1, 2].tolist() == expected.get(mode, [1, 2, 3, 4])


def test_metadata_is_read_on_load():
    loaded = load_image(BAD / "garbage_json.png")
    assert loaded.metadata["seed"] == 42 and loaded.metadata["params"]["radius"] == 5


# ---------------------------------------------------------------- saving


def test_png_roundtrip_of_a_photo_is_exact_with_metadata(tmp_path: Path, photo_rgb):
    rgba = np.dstack([photo_rgb, np.full(photo_rgb.shape[:2], 200, np.uint8)])
    meta = {"model": "opencv-telea", "task": "inpaint", "seed": 1, "params": {"radius": 3}}
    path = save_image(tmp_path / "out.png", rgba, meta)
    loaded = load_image(path)
    np.testing.assert_array_equal(loaded.rgba, rgba)
    assert loaded.metadata == meta and loaded.source_format == "PNG"


def test_jpeg_drops_alpha_onto_white(tmp_path: Path, photo_rgb):
    rgba = np.zeros((64, 64, 4), np.uint8)
    rgba[:, :32] = (0, 0, 0, 255)  # opaque black | fully transparent
    loaded = load_image(save_image(tmp_path / "a.JPG", rgba))
    assert loaded.source_format == "JPEG"
    assert loaded.rgba[32, 5, :3].max() < 10 and loaded.rgba[32, 60, :3].min() > 245
    photo = load_image(save_image(tmp_path / "p.jpeg", photo_rgb, quality=95)).rgba[..., :3]
    mse = np.mean((photo.astype(float) - photo_rgb) ** 2)
    assert 10 * np.log10(255**2 / mse) > 35  # PSNR: visually lossless at quality 95


def test_webp_lossless_keeps_alpha(tmp_path: Path):
    rgba = np.random.default_rng(0).integers(0, 256, (20, 30, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    rgba[:5, :, 3] = 0
    rgba[:5, :, :3] = 0  # colour under full transparency is not kept by WebP
    loaded = load_image(save_image(tmp_path / "a.webp", rgba, quality=100))
    np.testing.assert_array_equal(loaded.rgba, rgba)


def test_save_grey_and_rgb(tmp_path: Path):
    grey = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert load_image(save_image(tmp_path / "g.png", grey)).rgba[2, 3].tolist() == [11, 11, 11, 255]
    rgb = np.zeros((3, 4, 3), np.uint8)
    assert load_image(save_image(tmp_path / "c.png", rgb)).rgba.shape == (3, 4, 4)


@pytest.mark.parametrize("name", ["a.bmp", "a", "a.png.txt"])
def test_unknown_extension_is_refused(tmp_path: Path, name):
    with pytest.raises(ImageSaveError, match="use one of"):
        save_image(tmp_path / name, np.zeros((2, 2, 3), np.uint8))


def test_bad_arrays_are_refused(tmp_path: Path):
    with pytest.raises(ImageSaveError):
        save_image(tmp_path / "a.png", np.zeros((2, 2, 3), np.float32))
    with pytest.raises(ImageSaveError):
        save_image(tmp_path / "a.png", np.zeros((2, 2, 2), np.uint8))


def test_failed_save_leaves_old_file_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "keep.png"
    save_image(path, np.zeros((4, 4, 3), np.uint8))
    old = path.read_bytes()

    def broken_save(self, fp, *args, **kwargs):
        fp.write(b"partial data")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(ImageSaveError, match="No space left"):
        save_image(path, np.full((4, 4, 3), 255, np.uint8))
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["keep.png"]  # no temporary file left behind


def test_save_into_missing_folder_fails_cleanly(tmp_path: Path):
    with pytest.raises(ImageSaveError, match="Could not save"):
        save_image(tmp_path / "missing" / "a.png", np.zeros((2, 2, 3), np.uint8))


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_save_keeps_permissions_of_replaced_file(tmp_path: Path):
    path = tmp_path / "a.png"
    save_image(path, np.zeros((2, 2, 3), np.uint8))
    path.chmod(0o640)
    save_image(path, np.ones((2, 2, 3), np.uint8))
    assert path.stat().st_mode & 0o777 == 0o640


def test_flatten_on_white():
    rgba = np.array([[[0, 0, 0, 0], [0, 0, 0, 255], [0, 0, 0, 128], [10, 20, 30, 255]]], np.uint8)
    flat = imageio.flatten_on_white(rgba)
    assert flat[0].tolist() == [[255, 255, 255], [0, 0, 0], [127, 127, 127], [10, 20, 30]]
