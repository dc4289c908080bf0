"""A PNG's bytes without its text chunks: a picture whose text cannot be read still opens.

Pillow reads text chunks (tEXt, zTXt, iTXt) while it opens a PNG, and refuses the whole picture when
one is broken or would decompress to over 1 MB (its MAX_TEXT_CHUNK). The text only ever holds
generation parameters, so the image loader retries without it and says so.
"""

from __future__ import annotations

import struct

SIGNATURE = b"\x89PNG\r\n\x1a\n"
TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")


def without_text_chunks(data: bytes) -> bytes | None:
    """`data` with every text chunk left out; None when it is not a PNG or holds no text chunk.

    Chunks are copied as they are (CRCs included); a chunk structure that runs past the end is copied
    up to there, for the decoder to judge."""
    if not data.startswith(SIGNATURE):
        return None
    kept = [SIGNATURE]
    at, dropped = len(SIGNATURE), False
    while at + 8 <= len(data):
        (length,) = struct.unpack_from(">I", data, at)
        end = at + 12 + length  # length, type, data, CRC
        if data[at + 4 : at + 8] in TEXT_CHUNKS:
            dropped = True
        else:
            kept.append(data[at:end])
        at = end
    kept.append(data[at:])
    return b"".join(kept) if dropped else None
