"""Reading OpenRaster projects (ours, or Krita's / GIMP's / MyPaint's) without trusting them.

Every failure is an ImageLoadError with a message for a dialog. Sizes are checked from the zip's
directory and the PNG headers BEFORE anything is decompressed (zip bombs, decompression bombs), layer
paths must name entries inside the archive, and the XML may not declare entities.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
from PIL import Image

from genimg_desktop.core.imageio import ImageLoadError, check_size, load_image, open_source
from genimg_desktop.core.ora import MERGED, MIMETYPE, PROJECT, STACK, OraProject

MAX_ENTRIES = 10_000  # Krita writes a few per layer; more is not a picture
MAX_LAYERS = 1_000
MAX_TEXT_BYTES = 4 * 1024 * 1024  # stack.xml, project.json
PNG_SLACK = 16 * 1024 * 1024  # PNG headers, chunks and incompressible data beyond the raw pixels


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
    metadata = project.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
    return OraProject(image, mask, metadata, source if isinstance(source, str) else None, notes)


def _check_mimetype(z: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo], name: str) -> None:
    info = entries.get("mimetype")
    if info is None:
        return  # optional in practice: some writers omit it; stack.xml decides
    if _read_bounded(z, info, 256, name).strip() != MIMETYPE:
        raise ImageLoadError(f"{name} is a zip archive but not an OpenRaster project (wrong mimetype).")


def _read_bounded(z: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, name: str) -> bytes:
    """The entry's bytes, refused from its declared size alone when too big (zipfile stops reading
    at the declared size and checks the CRC, so a lying header cannot smuggle more data in)."""
    if info.file_size > limit:
        raise ImageLoadError(
            f"{name} is refused: its entry '{info.filename}' would unpack to {info.file_size:,} bytes "
            f"(the limit is {limit:,}); it may be a zip bomb."
        )
    return z.read(info)


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
    data = _read_bounded(z, info, w * h * 8 + h * 2 + PNG_SLACK, name)  # 16-bit RGBA is 8 bytes/px
    size = _png_size(data)
    if size is not None and (size != canvas if exact else (size[0] > w or size[1] > h)):
        rule = "the canvas size" if exact else "no larger than the canvas"
        raise ImageLoadError(
            f"{name} cannot be opened: {what} is {size[0]} x {size[1]} pixels but the canvas is "
            f"{w} x {h}; it must be {rule}."
        )
    try:
        return load_image(data).rgba
    except ImageLoadError as exc:
        raise ImageLoadError(f"{name}: {what} cannot be read. {exc}") from exc


def _png_size(data: bytes) -> tuple[int, int] | None:
    try:
        with Image.open(io.BytesIO(data)) as im:
            return im.size
    except Exception:  # noqa: BLE001 - load_image gives the real message for any unreadable data
        return None


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
    """Our own entry; absent in other apps' files, and never a reason to refuse the picture."""
    info = entries.get(PROJECT)
    if info is None:
        return {}, []
    try:
        project = json.loads(_read_bounded(z, info, MAX_TEXT_BYTES, name).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, ImageLoadError):
        project = None
    if not isinstance(project, dict):
        return {}, ["the project's generation parameters were unreadable and are ignored"]
    return project, []
