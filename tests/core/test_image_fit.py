"""core.imageio's size limits as the artist meets them: which limit a picture passes, the largest size
within them, opening scaled down to fit (JPEG draft), and a load's progress and cancel."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from PIL import Image
from skimage import data

from genimg_desktop.core.imageio import (
    MAX_PIXELS,
    MAX_SIDE,
    ImageTooLarge,
    LoadCancelled,
    check_size,
    fit_size,
    load_image,
)


@pytest.mark.parametrize(
    ("w", "h"), [(20000, 6000), (12000, 12000), (16385, 1), (1, 100_000), (40000, 40000), (11587, 11586)]
)
def test_fit_size_is_the_largest_of_the_same_shape_within_the_limits(w, h):
    fw, fh = fit_size(w, h)
    assert max(fw, fh) <= MAX_SIDE and fw * fh <= MAX_PIXELS and fw >= 1 and fh >= 1
    scale = min(MAX_SIDE / max(w, h), math.sqrt(MAX_PIXELS / (w * h)))  # the most any fit may keep
    for side, fitted in ((w, fw), (h, fh)):
        assert fitted == 1 or side * scale - 2 < fitted <= side * scale  # each side, to a pixel or two


def test_fit_size_keeps_a_size_within_the_limits():
    assert fit_size(8192, 8192) == (8192, 8192) and fit_size(MAX_SIDE, 8192) == (MAX_SIDE, 8192)


@pytest.mark.parametrize(
    ("w", "h", "side", "pixels"),
    [(20000, 6000, True, False), (12000, 12000, False, True), (20000, 20000, True, True)],
)
def test_the_message_says_which_limit_was_passed(w, h, side, pixels):
    with pytest.raises(ImageTooLarge) as info:
        check_size(w, h, "'x.jpg'")
    text = str(info.value)
    assert text.startswith(f"'x.jpg' is {w} x {h} pixels ({w * h / 1e6:.0f} megapixels): ")
    assert ("more than 16384 pixels per side" in text) == side
    assert ("more than 134 megapixels in all" in text) == pixels
    assert (info.value.width, info.value.height, info.value.fit) == (w, h, fit_size(w, h))


def _jpeg(w: int, h: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(data.astronaut()).resize((w, h), Image.Resampling.BILINEAR).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def test_a_wide_jpeg_opens_scaled_down_to_fit():
    source = _jpeg(33000, 800)  # the decoder reads it at half size, then it is fitted exactly
    with pytest.raises(ImageTooLarge):
        load_image(source)
    loaded = load_image(source, fit=True)
    assert loaded.size == fit_size(33000, 800) == (16384, 397) and loaded.scaled_from == (33000, 800)
    assert loaded.rgba.shape == (397, 16384, 4) and (loaded.rgba[..., 3] == 255).all()
    assert any("scaled down from 33000 x 800 to 16384 x 397" in note for note in loaded.notes)
    small = np.asarray(Image.fromarray(data.astronaut()).resize((16384, 397), Image.Resampling.BILINEAR))
    assert np.abs(loaded.rgba[..., :3].astype(int) - small).mean() < 6  # the same picture


def test_a_palette_png_over_the_limit_is_scaled_in_colour():
    im = Image.fromarray(np.tile(np.array([[0, 1]], np.uint8), (4, 8200)), "P")
    im.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    loaded = load_image(buf.getvalue(), fit=True)
    assert loaded.size == (16384, 3) and loaded.scaled_from == (16400, 4)
    reds = loaded.rgba[..., 0].astype(int)
    assert 100 < reds.mean() < 155  # red and blue resampled together, not picked by nearest pixel


def test_progress_rises_to_one_and_a_cancel_stops_the_decode():
    source = _jpeg(3000, 3000)
    seen: list[float] = []
    loaded = load_image(source, seen.append)
    assert loaded.size == (3000, 3000) and seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 10
    calls: list[float] = []

    def stop(fraction: float) -> None:
        calls.append(fraction)
        if fraction > 0.1:
            raise LoadCancelled

    with pytest.raises(LoadCancelled):
        load_image(source, stop)
    assert len(calls) < len(seen) and calls[-1] <= 0.5  # stopped while reading, before converting


def test_a_jpeg_over_pillows_bomb_limit_says_its_size():
    small = bytearray(_jpeg(64, 48))
    sof = small.index(b"\xff\xc0")  # baseline frame header: length, precision, height, width
    small[sof + 5 : sof + 9] = (12000).to_bytes(2, "big") + (20000).to_bytes(2, "big")
    with pytest.raises(ImageTooLarge) as info:  # 240 megapixels: Pillow alone refuses without a size
        load_image(bytes(small))
    assert "is 20000 x 12000 pixels (240 megapixels)" in str(info.value)
    assert "per side and more than 134 megapixels" in str(info.value)


def test_a_jpeg_over_pillows_bomb_limit_opens_scaled_down_to_fit():
    im = Image.new("RGB", (40000, 5000), (200, 30, 40))  # 200 megapixels, decoded at half size
    im.paste((20, 40, 220), (20000, 0, 40000, 5000))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=80)
    del im
    loaded = load_image(buf.getvalue(), fit=True)
    assert loaded.size == fit_size(40000, 5000) == (16384, 2048) and loaded.scaled_from == (40000, 5000)
    assert loaded.rgba[1000, 100, :3].tolist() == pytest.approx([200, 30, 40], abs=6)
    assert loaded.rgba[1000, -100, :3].tolist() == pytest.approx([20, 40, 220], abs=6)
