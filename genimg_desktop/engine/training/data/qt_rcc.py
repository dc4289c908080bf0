"""Reading the files inside a Qt binary resource file (`.rcc`) without Qt.

GCompris ships its photos this way. The format (Qt's rcc.cpp) is big-endian: a header
("qres", version, offsets of the tree, the data and the names), a tree of fixed-size nodes (name
offset, flags, then a directory's child count and first child, or a file's locale and data offset;
version 2 and later add an 8-byte modification time), names as length + hash + UTF-16 text, and
each file's bytes as length + bytes, zlib-compressed (with Qt's 4-byte size prefix) when flagged.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

MAGIC = b"qres"
COMPRESSED, DIRECTORY, COMPRESSED_ZSTD = 1, 2, 4


class RccError(ValueError):
    """Not a Qt resource file, or a damaged one."""


class RccFile:
    """The files of one `.rcc`, by their resource path ("/gcompris/src/.../gorilla.webp")."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = path.read_bytes()
        if self.data[:4] != MAGIC or len(self.data) < 20:
            raise RccError(f"{path} is not a Qt resource file")
        version, self.tree, self.blobs, self.names = struct.unpack(">IIII", self.data[4:20])
        self.node_size = 22 if version >= 2 else 14

    def files(self) -> Iterator[tuple[str, int]]:
        """(resource path, node index) of every file, depth first."""
        try:
            yield from self._walk(0, "")
        except (struct.error, UnicodeDecodeError, IndexError) as exc:
            raise RccError(f"{self.path} is damaged: {exc}") from exc

    def read(self, node: int) -> bytes:
        """The bytes of the file at `node` (as `files` gives it), decompressed."""
        _, flags, offset = self._node(node)
        start = self.blobs + offset
        (size,) = struct.unpack(">I", self.data[start : start + 4])
        blob = self.data[start + 4 : start + 4 + size]
        if flags & COMPRESSED:
            return zlib.decompress(blob[4:])  # qCompress: 4-byte size, then a zlib stream
        if flags & COMPRESSED_ZSTD:
            raise RccError(f"{self.path}: zstd-compressed entries are not supported")
        return blob

    def _node(self, index: int) -> tuple[int, int, int]:
        """(name offset, flags, data offset or first child) of node `index`."""
        at = self.tree + index * self.node_size
        name, flags = struct.unpack(">IH", self.data[at : at + 6])
        if flags & DIRECTORY:
            (first,) = struct.unpack(">I", self.data[at + 10 : at + 14])
            return name, flags, first
        (offset,) = struct.unpack(">I", self.data[at + 10 : at + 14])
        return name, flags, offset

    def _children(self, index: int) -> range:
        at = self.tree + index * self.node_size
        count, first = struct.unpack(">II", self.data[at + 6 : at + 14])
        return range(first, first + count)

    def _name(self, offset: int) -> str:
        at = self.names + offset
        (length,) = struct.unpack(">H", self.data[at : at + 2])
        return self.data[at + 6 : at + 6 + 2 * length].decode("utf-16-be")

    def _walk(self, index: int, prefix: str) -> Iterator[tuple[str, int]]:
        name_offset, flags, _ = self._node(index)
        name = self._name(name_offset) if index else ""  # the root has no name
        if not flags & DIRECTORY:
            yield prefix + name, index
            return
        for child in self._children(index):
            yield from self._walk(child, f"{prefix}{name}/")
