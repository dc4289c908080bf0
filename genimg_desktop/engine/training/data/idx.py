"""Reader for the IDX format of (Fashion-)MNIST: a magic number, the dimensions, then raw data."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

_UBYTE = 0x08


def read_idx(path: Path) -> np.ndarray:
    """The uint8 array in a gzipped IDX file; ValueError if the file is not one."""
    with gzip.open(path, "rb") as fp:
        raw = fp.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != _UBYTE:
        raise ValueError(f"{path} is not an unsigned-byte IDX file")
    ndim = raw[3]
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path} holds {data.size} bytes for shape {shape}: truncated or damaged")
    return data.reshape(shape)
