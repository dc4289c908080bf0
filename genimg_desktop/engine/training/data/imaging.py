"""Turning one picture file into a square training image, with a reason when it must be skipped.

Squares: clip-art and emoji are cropped to what is drawn and then PADDED with white to a square
(their whole outline matters); photos in a user folder are CENTRE-CROPPED (borders would teach the
model white bars). Downscaling uses Pillow's LANCZOS with a reducing gap (box-filter pre-reduction,
so large drawings are area-averaged, fast, and free of aliasing).
"""

from __future__ import annotations

import struct
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

WHITE = (255, 255, 255)
MIN_SIDE = 16  # smaller pictures are icons' leftovers or broken renderings: skipped as "tiny"
INK_TOLERANCE = 8  # a pixel this close to white counts as background when finding the drawing
PAD_MARGIN = 0.04  # white margin around padded drawings, as a fraction of the square's side

# Everything Pillow's decoders can raise on a damaged or unexpected file.
DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    struct.error,
    UnidentifiedImageError,
)


class Skip(Exception):
    """This item is left out; args[0] is the reason (a key of dataset.SKIP_REASONS)."""

    @property
    def reason(self) -> str:
        return str(self.args[0])


def open_checked(path: Path, max_pixels: int) -> Image.Image:
    """Open `path` lazily (header only) and refuse it before decoding if it is empty, tiny or huge."""
    if path.stat().st_size == 0:
        raise Skip("empty")
    try:
        with warnings.catch_warnings():
            # We apply our own, lower, limit; Pillow's warning would only be noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(path)
    except Image.DecompressionBombError as exc:  # the header claims hundreds of megapixels
        raise Skip("huge") from exc
    except DECODE_ERRORS as exc:
        raise Skip("unreadable") from exc
    if im.width * im.height > max_pixels:
        im.close()
        raise Skip("huge")
    if min(im.size) < MIN_SIDE:
        im.close()
        raise Skip("tiny")
    return im


def decode_on_white(im: Image.Image, draft_size: int | None = None) -> Image.Image:
    """Decode the first frame, upright (EXIF), as RGB with any transparency composited on white."""
    try:
        if draft_size and im.format == "JPEG":
            im.draft("RGB", (draft_size, draft_size))  # decode big JPEGs at a reduced scale: much faster
        im.load()
        im = ImageOps.exif_transpose(im)
        rgba = _to_rgba(im)
    except DECODE_ERRORS as exc:
        raise Skip("unreadable") from exc
    background = Image.new("RGBA", rgba.size, WHITE + (255,))
    return Image.alpha_composite(background, rgba).convert("RGB")


def _to_rgba(im: Image.Image) -> Image.Image:
    if im.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        # Pillow's own conversion clips 16-bit and float pixels to 0..255, i.e. nearly all white.
        values = np.asarray(im, dtype=np.float64)
        top = 1.0 if im.mode == "F" and values.max() <= 1.0 else (65535.0 if values.max() > 255 else 255.0)
        im = Image.fromarray(np.clip(values / top * 255.0 + 0.5, 0, 255).astype(np.uint8), "L")
    return im.convert("RGBA")


def drawn_box(rgb: Image.Image) -> tuple[int, int, int, int] | None:
    """The bounding box of everything not white, or None when the picture is blank."""
    ink = (255 - np.asarray(rgb)).max(axis=2) > INK_TOLERANCE
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        return None
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def crop_to_drawing(rgb: Image.Image) -> Image.Image:
    box = drawn_box(rgb)
    if box is None:
        raise Skip("blank")
    return rgb.crop(box)


def pad_square(rgb: Image.Image, margin: float = PAD_MARGIN) -> Image.Image:
    """`rgb` centred on a white square with a small margin."""
    side = round(max(rgb.size) * (1 + 2 * margin))
    canvas = Image.new("RGB", (side, side), WHITE)
    canvas.paste(rgb, ((side - rgb.width) // 2, (side - rgb.height) // 2))
    return canvas


def centre_crop_square(rgb: Image.Image) -> Image.Image:
    side = min(rgb.size)
    left, top = (rgb.width - side) // 2, (rgb.height - side) // 2
    return rgb.crop((left, top, left + side, top + side))


def square(rgb: Image.Image, fit: str) -> Image.Image:
    if fit == "pad":
        return pad_square(crop_to_drawing(rgb))
    if fit == "crop":
        return centre_crop_square(rgb)
    raise ValueError(f"fit must be 'crop' or 'pad', not {fit!r}")


def resize_array(im: Image.Image, size: int) -> np.ndarray:
    """A square picture as an (size, size, C) uint8 array (C = 3 for RGB, 1 for gray)."""
    if im.size != (size, size):
        im = im.resize((size, size), Image.Resampling.LANCZOS, reducing_gap=3.0)
    array = np.asarray(im)
    return array[..., None] if array.ndim == 2 else array
