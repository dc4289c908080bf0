"""Loading any picture a user may drop on the window into (H, W, 4) uint8 RGBA, and saving safely.

Loading never crashes on a bad file: it raises ImageLoadError with a message fit for a dialog.
Saving writes a temporary file beside the target and renames it, so a failed save (disk full,
crash) leaves the previous file intact.
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from genimg_desktop.core.atomic import write_atomic
from genimg_desktop.core.metadata import png_info, read_metadata_checked
from genimg_desktop.core.png_text import without_text_chunks

# 8192 x 8192 must work with room to spare (e.g. 16384 x 8192 panoramas), but an RGBA copy of the
# largest allowed image is already 512 MiB, the mask 128 MiB and the engine works on float copies;
# anything bigger would exhaust a typical 16 GB machine. Real photos (even 100 MP cameras) fit.
MAX_PIXELS = 8192 * 8192 * 2
MAX_SIDE = 16384  # also the usual maximum texture / QImage paint size
MIN_SIDE = 1

SAVE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}
_EXIF_ORIENTATION = 0x0112


class ImageLoadError(Exception):
    """The file cannot be opened as an image; str(exc) is a message for the user."""


class ImageSaveError(Exception):
    """The image could not be written; str(exc) is a message for the user. Old file left intact."""


@dataclass
class LoadedImage:
    rgba: np.ndarray  # (H, W, 4) uint8
    source_mode: str  # Pillow mode of the file, e.g. "RGB", "I;16", "CMYK", "P"
    source_format: str  # Pillow format name, e.g. "PNG", "JPEG"
    size: tuple[int, int]  # (width, height) after EXIF rotation
    metadata: dict[str, Any] = field(default_factory=dict)  # generation parameters, if embedded
    notes: list[str] = field(default_factory=list)  # conversions done, to show in the status bar


# ---------------------------------------------------------------- loading


def load_image(source: Path | str | bytes) -> LoadedImage:
    """Decode `source` (a path or the file's bytes) fully into RGBA, or raise ImageLoadError."""
    fp, name = open_source(source)
    try:
        try:
            return _load(fp, name)
        except ImageLoadError:
            fp.seek(0)
            plain = without_text_chunks(fp.read())  # a PNG whose text alone is unreadable still opens
            if plain is None:
                raise
        loaded = _load(io.BytesIO(plain), name)
        loaded.notes.append(
            "the file's embedded text (generation parameters) could not be read, or is over 1 MB, "
            "and was ignored"
        )
        return loaded
    finally:
        fp.close()


def _load(fp: BinaryIO, name: str) -> LoadedImage:
    try:
        with warnings.catch_warnings():
            # We check the size ourselves against MAX_PIXELS, which is above Pillow's warning level
            # (and a test run with -W error would otherwise refuse big images).
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(fp) as im:
                return _decode(im, name)
    except ImageLoadError:
        raise
    except Image.DecompressionBombError as exc:
        limit = MAX_PIXELS // 1_000_000
        raise ImageLoadError(
            f"{name} is too large to open safely: it claims far more than {limit} megapixels."
        ) from exc
    except UnidentifiedImageError as exc:
        raise ImageLoadError(f"{name} is not an image file, or its format is not supported.") from exc
    except MemoryError as exc:
        raise ImageLoadError(f"Not enough memory to open {name}.") from exc
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError) as exc:
        # Pillow reports damaged data with any of these (e.g. "image file is truncated").
        raise ImageLoadError(f"{name} is damaged or incomplete and cannot be read ({exc}).") from exc


def load_rgb(source: Path | str | bytes) -> np.ndarray:
    """The image's (H, W, 3) uint8 RGB pixels (alpha dropped), or ImageLoadError."""
    return np.ascontiguousarray(load_image(source).rgba[..., :3])


def open_source(source: Path | str | bytes) -> tuple[BinaryIO, str]:
    """An open binary file (or buffer) and a name for messages; refuses missing and empty files."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        if not len(source):
            raise ImageLoadError("The image data is empty (0 bytes).")
        return io.BytesIO(bytes(source)), "The image data"
    path = Path(source)
    try:
        if path.is_dir():
            raise ImageLoadError(f"'{path}' is a folder, not an image file.")
        fp = path.open("rb")
    except FileNotFoundError as exc:
        raise ImageLoadError(f"'{path}' does not exist.") from exc
    except PermissionError as exc:
        raise ImageLoadError(f"You do not have permission to read '{path}'.") from exc
    except OSError as exc:
        raise ImageLoadError(f"'{path}' could not be read ({exc.strerror or exc}).") from exc
    if os.fstat(fp.fileno()).st_size == 0:
        fp.close()
        raise ImageLoadError(f"'{path.name}' is empty (0 bytes).")
    return fp, f"'{path.name}'"


def check_size(width: int, height: int, name: str = "The image") -> None:
    """Raise ImageLoadError when a width x height image is outside the supported limits."""
    if width < MIN_SIDE or height < MIN_SIDE:
        raise ImageLoadError(f"{name} has no pixels ({width} x {height}).")
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise ImageLoadError(
            f"{name} is {width} x {height} pixels; the largest supported size is {MAX_SIDE} pixels "
            f"per side and {MAX_PIXELS // 1_000_000} megapixels in all."
        )


def _decode(im: Image.Image, name: str) -> LoadedImage:
    # The header is read; check its claimed size BEFORE decoding (decompression bombs).
    check_size(im.width, im.height, name)
    notes: list[str] = []
    fmt, mode = im.format or "unknown", im.mode
    if _is_animated(im):
        notes.append("animated image: only the first frame was loaded")
    sixteen = _is_16bit_reduced(im)
    im.load()  # full decode now: truncated data raises here (we never set LOAD_TRUNCATED_IMAGES)
    metadata, meta_notes = read_metadata_checked(im)
    notes += meta_notes
    orientation = _exif_orientation(im)
    if orientation in range(2, 9):  # 1 = upright; other values are invalid and ignored
        im = ImageOps.exif_transpose(im)
        notes.append("rotated by EXIF orientation")
    rgba, more = _to_rgba(im)
    if sixteen:
        notes.append("16-bit image reduced to 8 bits per channel")
    notes += more
    return LoadedImage(rgba, mode, fmt, (rgba.shape[1], rgba.shape[0]), metadata or {}, notes)


def _is_animated(im: Image.Image) -> bool:
    try:
        return bool(getattr(im, "is_animated", False))
    except (OSError, EOFError, ValueError, SyntaxError):
        return False  # a damaged later frame: the first one may still be fine


def _is_16bit_reduced(im: Image.Image) -> bool:
    """Pillow opens 16-bit RGB(A)/LA PNGs straight into 8-bit modes; the raw mode tells."""
    tiles = getattr(im, "tile", None) or []
    args = tiles[0].args if tiles else None
    rawmode = args[0] if isinstance(args, tuple) and args else args
    return isinstance(rawmode, str) and ";16" in rawmode and not im.mode.startswith("I")


def _exif_orientation(im: Image.Image) -> int | None:
    try:
        return int(im.getexif().get(_EXIF_ORIENTATION, 1))
    except (ValueError, TypeError, OSError, SyntaxError):
        return None  # damaged EXIF: ignore it rather than refuse the picture


def _to_rgba(im: Image.Image) -> tuple[np.ndarray, list[str]]:
    """Convert any Pillow mode to RGBA uint8, with notes about lossy steps."""
    mode = im.mode
    if mode.startswith("I") or mode == "F":
        gray, note = _wide_gray_to_8bit(np.asarray(im), mode)
        rgba = np.empty(gray.shape + (4,), np.uint8)
        rgba[..., :3] = gray[..., None]
        rgba[..., 3] = 255
        return rgba, [note]
    notes = []
    if mode == "CMYK":
        notes.append("CMYK converted to RGB (colours may differ slightly)")
    elif mode not in ("1", "L", "LA", "La", "P", "PA", "RGB", "RGBA", "RGBa", "RGBX"):
        notes.append(f"{mode} colours converted to RGB")
    try:
        converted = im.convert("RGBA")
    except ValueError as exc:
        raise ImageLoadError(f"Images in the colour mode {mode} are not supported.") from exc
    return np.array(converted, dtype=np.uint8), notes


def _wide_gray_to_8bit(values: np.ndarray, mode: str) -> tuple[np.ndarray, str]:
    """16/32-bit integer or float greyscale to uint8 by scaling, never by clipping."""
    values = np.nan_to_num(values.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    if mode.startswith("I;16") or (mode == "I" and lo >= 0 and hi <= 65535):
        return np.rint(values / 257.0).astype(np.uint8), "16-bit image reduced to 8 bits per channel"
    if mode == "F" and lo >= 0 and hi <= 1.0:
        return np.rint(values * 255.0).astype(np.uint8), "32-bit float image reduced to 8 bits"
    scale = 255.0 / (hi - lo) if hi > lo else 0.0
    return np.rint((values - lo) * scale).astype(np.uint8), f"{mode} image rescaled from {lo:g}..{hi:g}"


# ---------------------------------------------------------------- saving


def save_image(
    path: Path | str, image: np.ndarray, metadata: dict[str, Any] | None = None, quality: int = 95
) -> Path:
    """Write `image` ((H, W) grey, (H, W, 3) RGB or (H, W, 4) RGBA uint8), format by extension.

    PNG keeps alpha and embeds `metadata`; JPEG has no alpha, so it is composited on white; WebP keeps
    alpha (lossless when quality >= 100). Atomic: the old file survives any failure.
    """
    path = Path(path)
    fmt = SAVE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(SAVE_FORMATS))
        raise ImageSaveError(f"Cannot save as '{path.suffix or path.name}': use one of {known}.")
    pil = _to_pil(image, fmt)
    options: dict[str, Any] = {}
    if fmt == "PNG":
        options["compress_level"] = 6
        if metadata:
            options["pnginfo"] = png_info(metadata)
    elif fmt == "JPEG":
        options.update(quality=int(quality), subsampling=0 if quality >= 90 else 2)
    else:
        options.update(quality=int(min(quality, 100)), lossless=quality >= 100)
    write_file(path, lambda f: pil.save(f, format=fmt, **options))
    return path


def _to_pil(image: np.ndarray, fmt: str) -> Image.Image:
    channels = image.shape[2] if image.ndim == 3 else 1
    if image.dtype != np.uint8 or image.ndim not in (2, 3) or channels not in (1, 3, 4):
        raise ImageSaveError(f"Cannot save an array of {image.dtype} {image.shape} as an image.")
    if image.ndim == 3 and channels == 1:
        image = image[:, :, 0]
    if channels == 4 and fmt == "JPEG":
        return Image.fromarray(flatten_on_white(image))
    return Image.fromarray(np.ascontiguousarray(image))


def flatten_on_white(rgba: np.ndarray) -> np.ndarray:
    """RGB of `rgba` composited over white (for formats without alpha)."""
    alpha = rgba[..., 3:4].astype(np.uint16)
    rgb = rgba[..., :3].astype(np.uint16)
    return ((rgb * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)


def write_file(path: Path, write: Callable[[BinaryIO], None]) -> Path:
    """Atomic write through `write(file)` (see core.atomic); any failure becomes ImageSaveError."""
    try:
        return write_atomic(path, write)
    except OSError as exc:
        raise ImageSaveError(f"Could not save '{path.name}': {exc.strerror or exc}.") from exc
    except (ValueError, TypeError, KeyError) as exc:
        raise ImageSaveError(f"Could not save '{path.name}': {exc}.") from exc
