"""Loading any picture a user may drop on the window into (H, W, 4) uint8 RGBA, and saving safely.

Loading never crashes on a bad file: it raises ImageLoadError with a message fit for a dialog.
Saving writes a temporary file beside the target and renames it, so a failed save (disk full,
crash) leaves the previous file intact.
"""

from __future__ import annotations

import io
import math
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from PIL import Image, ImageOps, JpegImagePlugin, UnidentifiedImageError

from genimg_desktop.core.atomic import write_atomic
from genimg_desktop.core.metadata import png_info, read_metadata_checked
from genimg_desktop.core.png_text import without_text_chunks

# 8192 x 8192 must work with room to spare (e.g. 16384 x 8192 panoramas), but an RGBA copy of the
# largest allowed image is already 512 MiB, the mask 128 MiB and the engine works on float copies;
# anything bigger would exhaust a typical 16 GB machine. Real photos (even 100 MP cameras) fit.
MAX_PIXELS = 8192 * 8192 * 2
MAX_SIDE = 16384  # also the usual maximum texture / QImage paint size
MIN_SIDE = 1
STRIP_PIXELS = 4_000_000  # converted to RGBA a strip at a time: progress, cancel points, one full copy
READ_SHARE = 0.5  # of a load's progress: reading and decoding the file; the rest is converting

SAVE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}
_EXIF_ORIENTATION = 0x0112


class ImageLoadError(Exception):
    """The file cannot be opened as an image; str(exc) is a message for the user."""


class ImageTooLarge(ImageLoadError):
    """The picture is over the size limits; `fit` is the largest size within them (same shape)."""

    def __init__(self, message: str, width: int, height: int) -> None:
        super().__init__(message)
        self.width, self.height = width, height
        self.fit = fit_size(width, height)


class LoadCancelled(Exception):
    """Raised by a load's progress callback to stop it; nothing was loaded. Not an ImageLoadError."""


Progress = Callable[[float], None]  # the fraction of a load done (0..1); it may raise LoadCancelled


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
    scaled_from: tuple[int, int] | None = None  # (width, height) of a picture opened scaled down to fit


# ---------------------------------------------------------------- loading


def _no_progress(_fraction: float) -> None:
    pass


def load_image(
    source: Path | str | bytes, progress: Progress = _no_progress, fit: bool = False
) -> LoadedImage:
    """Decode `source` (a path or the file's bytes) fully into RGBA, or raise ImageLoadError.

    `progress` hears how far the load is and may raise LoadCancelled to stop it. A picture over the
    size limits raises ImageTooLarge, unless `fit`: then it is opened scaled down to fit them.
    """
    fp, name = open_source(source)
    try:
        try:
            return _load(_Watched(fp, progress), name, progress, fit)
        except ImageTooLarge:
            raise
        except ImageLoadError:
            fp.seek(0)
            plain = without_text_chunks(fp.read())  # a PNG whose text alone is unreadable still opens
            if plain is None:
                raise
        loaded = _load(_Watched(io.BytesIO(plain), progress), name, progress, fit)
        loaded.notes.append(
            "the file's embedded text (generation parameters) could not be read, or is over 1 MB, "
            "and was ignored"
        )
        return loaded
    finally:
        fp.close()


class _Watched:
    """A file whose reads report how much of it was read: Pillow reads as it decodes, so this is the
    decode's progress, and a cancel raised from `progress` stops the decoder between two reads."""

    def __init__(self, fp: BinaryIO, progress: Progress) -> None:
        self._fp, self._progress = fp, progress
        self._total = max(1, fp.seek(0, io.SEEK_END))
        self._furthest = 0  # Pillow seeks back over the header: the progress never goes back
        fp.seek(0)

    def read(self, size: int = -1) -> bytes:
        data = self._fp.read(size)
        self._furthest = max(self._furthest, self._fp.tell())
        self._progress(READ_SHARE * min(1.0, self._furthest / self._total))
        return data

    def __getattr__(self, name: str) -> Any:  # seek, tell, fileno ... as the file has them
        return getattr(self._fp, name)


def _load(fp: Any, name: str, progress: Progress, fit: bool) -> LoadedImage:
    try:
        with warnings.catch_warnings():
            # We check the size ourselves against MAX_PIXELS, which is above Pillow's warning level
            # (and a test run with -W error would otherwise refuse big images).
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with _open(fp) as im:
                return _decode(im, name, progress, fit)
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


def _open(fp: Any) -> Image.Image:
    """Image.open, except that a JPEG whose header claims more than Pillow's bomb limit still opens
    (header only): our own limits are checked next, so the message gives its size, and a JPEG can be
    decoded at 1/8 of its size when opened scaled down to fit."""
    try:
        return Image.open(fp)
    except Image.DecompressionBombError:
        fp.seek(0)
        if fp.read(3) != b"\xff\xd8\xff":
            raise
        fp.seek(0)
        return JpegImagePlugin.JpegImageFile(fp)


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
    """Raise ImageLoadError when a width x height image has no pixels, ImageTooLarge when it is over
    the supported limits (the message says which: pixels per side, megapixels, or both)."""
    if width < MIN_SIDE or height < MIN_SIDE:
        raise ImageLoadError(f"{name} has no pixels ({width} x {height}).")
    passed = []
    if max(width, height) > MAX_SIDE:
        passed.append(f"more than {MAX_SIDE} pixels per side")
    if width * height > MAX_PIXELS:
        passed.append(f"more than {MAX_PIXELS // 1_000_000} megapixels in all")
    if passed:
        raise ImageTooLarge(
            f"{name} is {width} x {height} pixels ({width * height / 1e6:.0f} megapixels): "
            f"{' and '.join(passed)}. The largest supported size is {MAX_SIDE} pixels per side and "
            f"{MAX_PIXELS // 1_000_000} megapixels in all.",
            width,
            height,
        )


def fit_size(width: int, height: int) -> tuple[int, int]:
    """The largest size of the same shape within MAX_SIDE and MAX_PIXELS (the size itself if it fits)."""
    scale = min(1.0, MAX_SIDE / max(width, height), math.sqrt(MAX_PIXELS / (width * height)))
    w, h = max(MIN_SIDE, math.floor(width * scale)), max(MIN_SIDE, math.floor(height * scale))
    while w * h > MAX_PIXELS:  # float rounding can leave one row too many
        w, h = (w - 1, h) if w >= h else (w, h - 1)
    return w, h


def _decode(im: Image.Image, name: str, progress: Progress, fit: bool) -> LoadedImage:
    # The header is read; check its claimed size BEFORE decoding (decompression bombs).
    full = im.size
    try:
        check_size(*full, name)
        fit = False
    except ImageTooLarge:
        if not fit:
            raise
        im.draft(None, fit_size(*full))  # a JPEG decodes at 1/2, 1/4 or 1/8 of its size: fast, small
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
        full = full if orientation < 5 else (full[1], full[0])  # 5 to 8 turn it a quarter
    if fit:
        im = _scale_down(im, fit_size(*full))
        notes.append(f"scaled down from {full[0]} x {full[1]} to {im.width} x {im.height} pixels to fit")
    rgba, more = _to_rgba(im, progress)
    if sixteen:
        notes.append("16-bit image reduced to 8 bits per channel")
    notes += more
    size = (rgba.shape[1], rgba.shape[0])
    return LoadedImage(rgba, mode, fmt, size, metadata or {}, notes, full if fit else None)


def _scale_down(im: Image.Image, size: tuple[int, int]) -> Image.Image:
    if im.size == size:
        return im
    if im.mode.startswith("I;16"):
        im = im.convert("I")  # resized as 32-bit integers, reduced to 8 bits after (_to_rgba)
    elif im.mode not in ("L", "LA", "RGB", "RGBA", "I", "F"):
        im = im.convert("RGBA")  # palette, 1-bit, CMYK ...: resampled in colour, not by nearest pixel
    return im.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)


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


def _to_rgba(im: Image.Image, progress: Progress) -> tuple[np.ndarray, list[str]]:
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
    rgba = np.empty((im.height, im.width, 4), np.uint8)
    rows = max(1, STRIP_PIXELS // im.width)
    for top in range(0, im.height, rows):
        bottom = min(im.height, top + rows)
        try:
            rgba[top:bottom] = np.asarray(im.crop((0, top, im.width, bottom)).convert("RGBA"))
        except ValueError as exc:
            raise ImageLoadError(f"Images in the colour mode {mode} are not supported.") from exc
        progress(READ_SHARE + (1 - READ_SHARE) * bottom / im.height)
    return rgba, notes


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
