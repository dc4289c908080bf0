"""GIMP pattern files (.pat, the seamless textures in gimp-data): a big-endian header, then raw pixels.

Header (all 32-bit big-endian): header size, version (1), width, height, bytes per pixel (1 gray,
2 gray + alpha, 3 RGB, 4 RGBA), the magic "GPAT", then the pattern's name (UTF-8, NUL-terminated)
up to the header size. The pixels follow, row by row.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

MAGIC = b"GPAT"
_FIXED = struct.Struct(">5I4s")
MAX_SIDE = 16384


class PatternError(ValueError):
    """The file is not a GIMP pattern this reader understands."""


def read_pattern(path: str | Path) -> tuple[str, np.ndarray]:
    """(name, (H, W, 3) uint8 RGB) of a .pat file; gray is repeated to RGB, alpha dropped."""
    data = Path(path).read_bytes()
    if len(data) < _FIXED.size:
        raise PatternError(f"{path}: too short for a GIMP pattern")
    header_size, version, width, height, depth, magic = _FIXED.unpack_from(data)
    if magic != MAGIC or version != 1:
        raise PatternError(f"{path}: not a GIMP pattern (magic {magic!r}, version {version})")
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE and 1 <= depth <= 4):
        raise PatternError(f"{path}: unusable size {width}x{height}x{depth}")
    end = header_size + width * height * depth
    if header_size < _FIXED.size or len(data) < end:
        raise PatternError(f"{path}: truncated ({len(data)} bytes, {end} needed)")
    name = data[_FIXED.size : header_size].split(b"\0", 1)[0].decode("utf-8", "replace")
    pixels = np.frombuffer(data, np.uint8, width * height * depth, header_size).reshape(height, width, depth)
    colour = pixels[..., :1] if depth <= 2 else pixels[..., :3]
    return name, np.ascontiguousarray(np.broadcast_to(colour, (height, width, 3)))
