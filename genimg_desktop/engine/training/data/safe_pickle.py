"""Unpickling numpy arrays without letting the file run code.

A pickle can name any importable callable and call it (os.system, open, exec...). This unpickler
resolves only the three names numpy needs to rebuild plain arrays and refuses everything else, and
the caller still checks that it got numeric arrays (object arrays could hide other objects).
"""

from __future__ import annotations

import pickle
from typing import IO, Any

import numpy as np

# ndarray.__reduce__ names numpy's reconstruct function; asking numpy for it works on numpy 1 and 2
# (the module moved from numpy.core to numpy._core).
_RECONSTRUCT = np.empty(0).__reduce__()[0]
_ALLOWED: dict[tuple[str, str], Any] = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class _ArraysOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            msg = f"refusing to load {module}.{name}: only numpy arrays are allowed"
            raise pickle.UnpicklingError(msg) from None

    def persistent_load(self, pid: Any) -> Any:
        raise pickle.UnpicklingError("refusing a persistent reference")


def load_arrays(fp: IO[bytes], encoding: str = "latin1") -> Any:
    """Unpickle numpy arrays (in tuples/lists) from `fp`; pickle.UnpicklingError for anything else.

    latin1 decodes the byte strings of Python 2 pickles the way numpy expects."""
    result = _ArraysOnly(fp, encoding=encoding).load()
    _check_numeric(result)
    return result


def _check_numeric(value: Any) -> None:
    if isinstance(value, (tuple, list)):
        for item in value:
            _check_numeric(item)
    elif isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise pickle.UnpicklingError("refusing an array of Python objects")
    elif not isinstance(value, (int, float, str, bytes, type(None))):
        raise pickle.UnpicklingError(f"unexpected {type(value).__name__} in the pickle")
