"""Reading OpenRaster projects (ours, or Krita's / GIMP's / MyPaint's) without trusting them.

Every failure is an ImageLoadError with a message for a dialog. Sizes are checked from the zip's
directory and the PNG headers BEFORE anything is decompressed (zip bombs, decompression bombs), layer
paths must name entries inside the archive, and the XML may not declare entities.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np

from genimg_desktop.core.imageio import ImageLoadError, check_size, load_image, open_source
from genimg_desktop.core.metadata import clean_metadata, parse_json_object
from genimg_desktop.core.ora import MERGED, MIMETYPE, PROJECT, STACK, OraProject

MAX_ENTRIES = 10_000  # Krita writes a few per layer; more is not a picture
MAX_LAYERS = 1_000
MAX_TEXT_BYTES = 4 * 1024 * 1024  # stack.xml, project.json
MAX_SOURCE = 4096  # the path an autosave's work started from
PNG_SLACK = 16 * 1024 * 1024  # PNG headers, chunks and incompressible data beyond the raw pixels
CHUNK = 1024 * 1024  # entries are read this much at a time, never all at once
HEAD = 64 * 1024  # read first: a layer that does not start as a PNG of the right size stops here
# The size policy. zlib packs at most 1032:1, so a PNG stored in the archive is never 1100 times smaller
# than its pixels; only a PNG compressed again by the zip is (a 5 KB file declaring 16384 x 8192 took
# 2.6 GB and 17 s). Layers decoding to over 64 MB (16 megapixels) must not be packed tighter than that.
MAX_PACKING = 1100
PACKING_CHECKED_FROM = 64 * 1024 * 1024
METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}  # what OpenRaster writers use


def load_ora(source: Path | str) -> OraProject:
    """Read image (the merged image other apps drew), mask (layer "mask", its alpha) and metadata."""
    fp, name = open_source(Path(source))
    try:
        with zipfile.ZipFile(fp) as z:
            return _read(z, name)
    except ImageLoadError:
        raise
    except zipfile.BadZipFile as exc:
        raise ImageLoadError(f"{name} is not an OpenRaster project, or it is damaged ({exc}).") from exc
    except MemoryError as exc:
        raise ImageLoadError(f"Not enough memory to open {name}.") from exc
    except (OSError, EOFError, ValueError, NotImplementedError, zlib.error, zipfile.LargeZipFile) as exc:
        # CRC mismatches, truncation and unsupported compression methods all land here.
        raise ImageLoadError(f"{name} is damaged or incomplete and cannot be read ({exc}).") from exc
    finally:
        fp.close()


def _read(z: zipfile.ZipFile, name: str) -> OraProject:
    entries = {info.filename: info for info in z.infolist()}
    if len(entries) > MAX_ENTRIES:
        raise ImageLoadError(f"{name} holds {len(entries)} files; that is not a picture.")
    _check_mimetype(z, entries, name)
    if STACK not in entries:
        raise ImageLoadError(f"{name} is not an OpenRaster project: it has no {STACK}.")
    root = _parse_stack(_read_bounded(z, entries[STACK], MAX_TEXT_BYTES, name), name)
    w, h = _canvas_size(root, name)
    layers = _layers(root, entries, name)
    if MERGED not in entries:
        raise ImageLoadError(f"{name} has no merged image ({MERGED}); save it again with a recent app.")
    image = _read_layer(z, entries[MERGED], (w, h), name, "the merged image", True)
    mask = _read_mask(z, entries, layers, (w, h), name)
    project, notes = _read_project(z, entries, name)
    source = project.get("source")
    source = source if isinstance(source, str) and len(source) <= MAX_SOURCE else None
    return OraProject(image, mask, project.get("metadata") or {}, source, notes)


def _check_mimetype(z: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo], name: str) -> None:
    info = entries.get("mimetype")
    if info is None:
        return  # optional in practice: some writers omit it; stack.xml decides
    if _read_bounded(z, info, 256, name).strip() != MIMETYPE:
        raise ImageLoadError(f"{name} is a zip archive but not an OpenRaster project (wrong mimetype).")


def _read_bounded(
    z: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    limit: int,
    name: str,
    check_head: Callable[[bytes], None] | None = None,
) -> bytes:
    """The entry's bytes, refused from its declared size alone when too big, then read a chunk at a
    time: never more than `limit`, never held twice, and `check_head` sees the first HEAD bytes before
    the rest is inflated (a lying header or a bomb costs what was read so far, not its claim)."""
    if info.file_size > limit:
        raise ImageLoadError(
            f"{name} is refused: its entry '{info.filename}' would unpack to {info.file_size:,} bytes "
            f"(the limit is {limit:,}); it may be a zip bomb."
        )
    if info.compress_type not in METHODS:  # bzip2 and LZMA inflate a whole block at once, unbounded
        raise ImageLoadError(
            f"{name} is refused: its entry '{info.filename}' uses a compression method OpenRaster files "
            f"do not use (zip method {info.compress_type}; only stored and deflated are read)."
        )
    data = bytearray()
    with z.open(info) as entry:
        while chunk := entry.read(HEAD if check_head and not data else CHUNK):
            data += chunk
            if len(data) > limit:
                raise ImageLoadError(
                    f"{name} is refused: its entry '{info.filename}' is larger than it says."
                )
            if check_head is not None and len(data) == len(chunk):
                check_head(bytes(data))
    return bytes(data)


def _parse_stack(data: bytes, name: str) -> ElementTree.Element:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:  # entity expansion bombs; OpenRaster needs none
        raise ImageLoadError(f"{name} is refused: its {STACK} declares XML entities.")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise ImageLoadError(f"{name} is damaged: its {STACK} is not valid XML ({exc}).") from exc
    if root.tag != "image":
        raise ImageLoadError(f"{name} is damaged: its {STACK} does not describe an image.")
    return root


def _canvas_size(root: ElementTree.Element, name: str) -> tuple[int, int]:
    try:
        w, h = int(root.get("w", "")), int(root.get("h", ""))
    except ValueError as exc:
        raise ImageLoadError(f"{name} is damaged: its {STACK} gives no valid canvas size.") from exc
    check_size(w, h, name)
    return w, h


def _layers(
    root: ElementTree.Element, entries: dict[str, zipfile.ZipInfo], name: str
) -> list[ElementTree.Element]:
    layers = list(root.iter("layer"))
    if len(layers) > MAX_LAYERS:
        raise ImageLoadError(f"{name} has {len(layers)} layers; at most {MAX_LAYERS} are supported.")
    for layer in layers:
        _member(layer.get("src"), entries, name)  # every path checked, even of layers we don't read
    return layers


def _member(src: str | None, entries: dict[str, zipfile.ZipInfo], name: str) -> zipfile.ZipInfo:
    """The zip entry a layer's `src` names; refuses paths that could point outside the archive."""
    if not src:
        raise ImageLoadError(f"{name} is damaged: a layer names no file.")
    parts = src.split("/")
    if src.startswith("/") or "\\" in src or ":" in src or any(p in ("", ".", "..") for p in parts):
        raise ImageLoadError(f"{name} is refused: a layer points outside the archive ('{src[:200]}').")
    if src not in entries:
        raise ImageLoadError(f"{name} is damaged: the layer file '{src[:200]}' is missing.")
    return entries[src]


def _read_layer(
    z: zipfile.ZipFile, info: zipfile.ZipInfo, canvas: tuple[int, int], name: str, what: str, exact: bool
) -> np.ndarray:
    """A PNG entry as RGBA, its size checked from the header before decoding: the canvas size when
    `exact`, else at most the canvas (Krita, GIMP and MyPaint crop layers to their content)."""
    w, h = canvas

    def check_head(head: bytes) -> None:
        size = _png_size(head)
        if size is None:
            raise ImageLoadError(f"{name} is damaged: {what} is not a PNG image.")
        if size != canvas if exact else (size[0] > w or size[1] > h):
            rule = "the canvas size" if exact else "no larger than the canvas"
            raise ImageLoadError(
                f"{name} cannot be opened: {what} is {size[0]} x {size[1]} pixels but the canvas is "
                f"{w} x {h}; it must be {rule}."
            )
        _check_packing(info, size, name, what)

    data = _read_bounded(z, info, w * h * 8 + h * 2 + PNG_SLACK, name, check_head)  # 16-bit RGBA: 8 B/px
    try:
        return load_image(data).rgba
    except ImageLoadError as exc:
        raise ImageLoadError(f"{name}: {what} cannot be read. {exc}") from exc


def _png_size(head: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's IHDR chunk, which the format puts first; None if not a PNG."""
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def _check_packing(info: zipfile.ZipInfo, size: tuple[int, int], name: str, what: str) -> None:
    """The size policy (see MAX_PACKING): a big layer, or a big entry, must take room in the file."""
    unpacked = max(size[0] * size[1] * 4, info.file_size)
    if unpacked > PACKING_CHECKED_FROM and unpacked > info.compress_size * MAX_PACKING:
        raise ImageLoadError(
            f"{name} is refused: {what} declares {size[0]} x {size[1]} pixels ({unpacked >> 20} MB "
            f"unpacked) but takes only {info.compress_size:,} bytes in the file; no PNG packs that "
            "tightly, so it may be a decompression bomb. Open it in the app that made it and export "
            "it again without compressing its layers twice."
        )


def _read_mask(
    z: zipfile.ZipFile,
    entries: dict[str, zipfile.ZipInfo],
    layers: list[ElementTree.Element],
    size: tuple[int, int],
    name: str,
) -> np.ndarray:
    """The alpha of the layer named "mask" (ours, or one an artist added in another app), else empty."""
    layer = next((el for el in layers if el.get("name") == "mask"), None)
    mask = np.zeros((size[1], size[0]), np.uint8)
    if layer is None:
        return mask
    x, y = _offset(layer, name)
    rgba = _read_layer(z, _member(layer.get("src"), entries, name), size, name, "the mask layer", False)
    _paste(mask, rgba[..., 3], x, y)
    return mask


def _offset(layer: ElementTree.Element, name: str) -> tuple[int, int]:
    try:
        x, y = (int(float(layer.get(key) or 0)) for key in ("x", "y"))
    except (ValueError, OverflowError) as exc:
        raise ImageLoadError(f"{name} is damaged: a layer has no valid position.") from exc
    return x, y


def _paste(canvas: np.ndarray, layer: np.ndarray, x: int, y: int) -> None:
    """Copy `layer` into `canvas` with its top-left corner at (x, y); what falls outside is cut off."""
    lh, lw = layer.shape
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + lw, canvas.shape[1]), min(y + lh, canvas.shape[0])
    if x1 > x0 and y1 > y0:
        canvas[y0:y1, x0:x1] = layer[y0 - y : y1 - y, x0 - x : x1 - x]


def _read_project(
    z: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo], name: str
) -> tuple[dict[str, Any], list[str]]:
    """Our own entry; absent in other apps' files, and never a reason to refuse the picture. Its
    metadata is checked like a PNG's (core.metadata.clean_metadata): the notes say what was left out."""
    info = entries.get(PROJECT)
    if info is None:
        return {}, []
    try:
        project = parse_json_object(_read_bounded(z, info, MAX_TEXT_BYTES, name))
    except ImageLoadError:
        project = None
    if project is None:
        return {}, ["the project's generation parameters were unreadable and are ignored"]
    metadata = project.get("metadata")
    if metadata is None:
        return project, []
    if not isinstance(metadata, dict):
        return {**project, "metadata": {}}, [
            "the project's generation parameters were unreadable and are ignored"
        ]
    metadata, notes = clean_metadata(metadata)
    return {**project, "metadata": metadata}, notes
