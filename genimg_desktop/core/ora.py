"""OpenRaster (.ora) projects: the image, its mask and our metadata in one file Krita, GIMP and
MyPaint open (https://www.openraster.org/).

Layout: `mimetype` (first, stored), `stack.xml`, `data/image.png` (bottom layer), `data/mask.png`
(hidden layer "mask": white, alpha = mask), `mergedimage.png` (what other apps show: the image, as the
mask is hidden), `Thumbnails/thumbnail.png` (at most 256 px) and `genimg/project.json` (generation
parameters and where the work came from; other apps ignore unknown entries). Reading is in ora_read.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree import ElementTree

import numpy as np
from PIL import Image

from genimg_desktop.core.imageio import LoadedImage, write_file

MIMETYPE = b"image/openraster"
STACK = "stack.xml"
MERGED = "mergedimage.png"
THUMBNAIL = "Thumbnails/thumbnail.png"
PROJECT = "genimg/project.json"
IMAGE_LAYER, MASK_LAYER = "data/image.png", "data/mask.png"
THUMB_MAX = 256
FORMAT_VERSION = 1


@dataclass
class OraProject:
    """What a project file holds, as the document needs it."""

    image: np.ndarray  # (H, W, 4) uint8 RGBA
    mask: np.ndarray  # (H, W) uint8, 255 = regenerate
    metadata: dict[str, Any] = field(default_factory=dict)  # generation parameters
    source: str | None = None  # the file the work started from (autosave records it), if known
    notes: list[str] = field(default_factory=list)  # for the status bar, e.g. ignored metadata

    def loaded(self) -> LoadedImage:
        size = (int(self.image.shape[1]), int(self.image.shape[0]))
        return LoadedImage(self.image, "RGBA", "OpenRaster", size, dict(self.metadata), list(self.notes))


def save_ora(
    path: Path | str,
    image: np.ndarray,
    mask: np.ndarray,
    metadata: dict[str, Any] | None = None,
    source: str | None = None,
    compress_level: int = 6,
) -> Path:
    """Write a project atomically (the old file survives any failure: ImageSaveError says why).

    `compress_level` is zlib's: autosave uses 1, which is several times faster on big images.
    Safe to call on a worker thread with arrays nobody else writes to.
    """
    path = Path(path)
    _check_arrays(image, mask)
    project = {"format": "genimg-ora", "version": FORMAT_VERSION, "metadata": metadata or {}}
    if source:
        project["source"] = source
    blob = json.dumps(project, ensure_ascii=False, default=str).encode("utf-8")
    return write_file(path, lambda f: _write_zip(f, image, mask, blob, compress_level))


def _check_arrays(image: np.ndarray, mask: np.ndarray) -> None:
    # A programming error, not a user error: fail before touching the file.
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 4:
        raise ValueError(f"project image must be (H, W, 4) uint8, got {image.dtype} {image.shape}")
    if mask.dtype != np.uint8 or mask.shape != image.shape[:2]:
        raise ValueError(f"project mask must be {image.shape[:2]} uint8, got {mask.dtype} {mask.shape}")


def _write_zip(f: BinaryIO, image: np.ndarray, mask: np.ndarray, project: bytes, level: int) -> None:
    h, w = image.shape[:2]
    image_png = _png(image, level)
    with zipfile.ZipFile(f, "w") as z:
        # The spec: `mimetype` first, uncompressed and without extra fields, so `file` can sniff it.
        _put(z, "mimetype", MIMETYPE, zipfile.ZIP_STORED)
        _put(z, STACK, _stack_xml(w, h), zipfile.ZIP_DEFLATED)
        # PNGs are already compressed: storing them saves time and loses nothing.
        _put(z, IMAGE_LAYER, image_png, zipfile.ZIP_STORED)
        _put(z, MASK_LAYER, _png(mask_layer(mask), level), zipfile.ZIP_STORED)
        _put(z, MERGED, image_png, zipfile.ZIP_STORED)  # the mask is hidden: the composite is the image
        _put(z, THUMBNAIL, _png(_thumbnail(image), level), zipfile.ZIP_STORED)
        _put(z, PROJECT, project, zipfile.ZIP_DEFLATED)


def _put(z: zipfile.ZipFile, name: str, data: bytes, compression: int) -> None:
    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    info.compress_type = compression
    info.external_attr = 0o644 << 16  # sensible permissions when someone unzips it
    z.writestr(info, data)


def _stack_xml(w: int, h: int) -> bytes:
    """The layer stack, top layer first (OpenRaster order): the hidden mask above the image."""
    root = ElementTree.Element("image", version="0.0.5", w=str(w), h=str(h), xres="72", yres="72")
    stack = ElementTree.SubElement(root, "stack")
    for name, src, visibility in (("mask", MASK_LAYER, "hidden"), ("image", IMAGE_LAYER, "visible")):
        ElementTree.SubElement(
            stack,
            "layer",
            {
                "name": name,
                "src": src,
                "x": "0",
                "y": "0",
                "opacity": "1.0",
                "visibility": visibility,
                "composite-op": "svg:src-over",
            },
        )
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def mask_layer(mask: np.ndarray) -> np.ndarray:
    """The mask as an RGBA layer: white, alpha = mask, so it reads as a selection in other apps."""
    layer = np.full(mask.shape + (4,), 255, np.uint8)
    layer[..., 3] = mask
    return layer


def _thumbnail(image: np.ndarray) -> np.ndarray:
    pil = Image.fromarray(image)
    pil.thumbnail((THUMB_MAX, THUMB_MAX), Image.Resampling.LANCZOS)
    return np.asarray(pil)


def _png(rgba: np.ndarray, level: int) -> bytes:
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba)).save(out, format="PNG", compress_level=level)
    return out.getvalue()
