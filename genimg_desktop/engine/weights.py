"""The one place model weights are read from disk. Model files are untrusted input.

- `.safetensors` is plain tensor data: reading it cannot run code.
- `.pt/.pth/.ckpt` are pickles, which can run arbitrary code when unpickled. They are read only with
  `torch.load(weights_only=True)`, whose restricted unpickler refuses any object that is not a tensor
  or a plain container, before it is built, so a planted payload never runs.
- A card's sha256 is checked (hash cached by core.hash_cache), truncated files and weights that do
  not fit the architecture give one readable `ModelLoadError` instead of a deep library traceback.
"""

from __future__ import annotations

import json
import os
import pickle
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from genimg_desktop.core.errors import one_line
from genimg_desktop.core.hash_cache import file_sha256

SAFE_SUFFIXES = (".safetensors",)
PICKLE_SUFFIXES = (".pt", ".pth", ".ckpt")
WEIGHT_SUFFIXES = SAFE_SUFFIXES + PICKLE_SUFFIXES
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SHOW = 3  # how many key names a mismatch message lists before "and N more"
MAX_HEADER_BYTES = 100_000_000  # the safetensors format's own limit on its JSON header


class ModelLoadError(RuntimeError):
    """A model's weights cannot be used; the message names the file and says why, for the user."""


def load_weights(
    path: str | Path, expected_sha256: str | None = None, device: torch.device | str = "cpu"
) -> dict[str, torch.Tensor]:
    """The tensors in `path` (name -> tensor) on `device`, after checking the card's checksum."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WEIGHT_SUFFIXES:
        raise ModelLoadError(f"{path.name}: weights must be {_suffix_list()} (other formats can run code)")
    if not path.is_file():
        raise ModelLoadError(f"{path.name}: weights file is missing")
    if expected_sha256:
        check_sha256(path, expected_sha256)
    if suffix in SAFE_SUFFIXES:
        return _load_safetensors(path, device)
    return _load_pickle(path, device)


def weight_shapes(path: str | Path) -> Shapes:
    """The name and shape of every tensor in the weights file `path`, without reading the tensors: a
    .safetensors file's JSON header (bounded by the file's size); a pickle is unpickled on the CPU
    (as large as the file, it holds no header)."""
    path = Path(path)
    if path.suffix.lower() not in SAFE_SUFFIXES:
        return shapes_of(_tensor_dict(load_pickle(path), path.name))
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            length = int.from_bytes(f.read(8), "little")
            if not 2 <= length <= min(size - 8, MAX_HEADER_BYTES):
                raise ValueError(f"a header of {length} bytes in a file of {size}")
            header = json.loads(f.read(length))
        return {
            name: tuple(_dimension(d) for d in entry["shape"])
            for name, entry in header.items()
            if name != "__metadata__"
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        raise ModelLoadError(f"{path.name}: not a readable safetensors file ({one_line(exc)})") from None


def _dimension(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"a tensor dimension of {value!r}")
    return value


def check_sha256(path: Path, expected: str) -> None:
    expected = normalise_sha256(expected, path.name)
    actual = file_sha256(path)
    if actual != expected:
        raise ModelLoadError(
            f"{path.name}: checksum does not match the model card (corrupt or incomplete download?): "
            f"card says {expected[:12]}..., file is {actual[:12]}..."
        )


def normalise_sha256(value: str, where: str) -> str:
    """The card's sha256 in lower case, or ModelLoadError when it is not 64 hex digits."""
    text = str(value).strip().lower()
    if not _SHA256.fullmatch(text):
        raise ModelLoadError(f"{where}: the card's sha256 is not 64 hex digits")
    return text


def _load_safetensors(path: Path, device: torch.device | str) -> dict[str, torch.Tensor]:
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        return load_file(str(path), device=str(device))
    except torch.OutOfMemoryError:
        raise  # out of memory is not a broken file; the caller reports it as such
    except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
        raise ModelLoadError(
            f"{path.name}: not a readable safetensors file (truncated or corrupt download?): {one_line(exc)}"
        ) from exc


def _load_pickle(path: Path, device: torch.device | str) -> dict[str, torch.Tensor]:
    state = _tensor_dict(load_pickle(path), path.name)
    return {name: tensor.to(device) for name, tensor in state.items()}


def load_pickle(path: Path) -> Any:
    """Unpickle a torch file with the weights-only unpickler (tensors and plain containers only), on
    the CPU. ModelLoadError when it is refused (it holds code or other objects) or unreadable."""
    try:
        # weights_only=True is explicit, so not even TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD can turn it off.
        return torch.load(path, weights_only=True, map_location="cpu")
    except torch.OutOfMemoryError:
        raise
    except pickle.UnpicklingError as exc:
        if "weights only" in str(exc).lower():
            raise ModelLoadError(
                f"{path.name}: refused: the file holds code or objects other than tensors, which could "
                "run on load. Convert it to .safetensors from a source you trust."
            ) from exc
        raise ModelLoadError(f"{path.name}: not a readable weights file (truncated or corrupt?)") from exc
    except (EOFError, OSError, RuntimeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        # torch's own wording ("internal miniz error", "[Errno 22]") would only confuse; it stays in
        # the traceback the details view shows.
        raise ModelLoadError(f"{path.name}: not a readable weights file (truncated or corrupt?)") from exc


def _tensor_dict(loaded: Any, name: str) -> dict[str, torch.Tensor]:
    """A flat name -> tensor dict; training checkpoints keep it under "state_dict"."""
    if isinstance(loaded, Mapping) and isinstance(loaded.get("state_dict"), Mapping):
        loaded = loaded["state_dict"]
    if not isinstance(loaded, Mapping):
        raise ModelLoadError(f"{name}: expected a mapping of names to tensors, found {type(loaded).__name__}")
    bad = [str(key) for key, value in loaded.items() if not (isinstance(key, str) and torch.is_tensor(value))]
    if bad:
        raise ModelLoadError(f"{name}: entries that are not named tensors: {_few(bad)}")
    return dict(loaded)


def load_into(module: nn.Module, state: Mapping[str, torch.Tensor], name: str) -> None:
    """`module.load_state_dict(state, strict=True)`, with missing, unexpected and wrongly shaped
    entries explained in one message (torch's own is a multi-line dump of every key)."""
    problems = shape_problems(shapes_of(module.state_dict()), shapes_of(state))
    if problems:
        raise ModelLoadError(
            f"{name}: the weights do not fit this model's architecture (wrong file, or a card 'config' "
            f"that does not match it): {problems}"
        )
    try:
        module.load_state_dict(state, strict=True)
    except RuntimeError as exc:  # e.g. a dtype that cannot be copied
        raise ModelLoadError(f"{name}: the weights do not fit this model: {one_line(exc)}") from exc


Shapes = dict[str, tuple[int, ...]]


def shapes_of(state: Mapping[str, torch.Tensor]) -> Shapes:
    return {key: tuple(value.shape) for key, value in state.items()}


def shape_problems(expected: Shapes, given: Shapes, extra_ok: bool = False) -> str:
    """What keeps tensors of the `given` shapes from filling a module with the `expected` ones
    (missing, unexpected unless `extra_ok`, wrongly shaped), in one line; "" when they fit."""
    problems = []
    missing = [key for key in expected if key not in given]
    unexpected = [] if extra_ok else [key for key in given if key not in expected]
    wrong = [
        f"{key} is {given[key]}, expected {shape}"
        for key, shape in expected.items()
        if key in given and given[key] != shape
    ]
    if missing:
        problems.append(f"missing {_few(missing)}")
    if unexpected:
        problems.append(f"unexpected {_few(unexpected)}")
    if wrong:
        problems.append(f"wrong shape: {_few(wrong)}")
    return "; ".join(problems)


def _few(items: list[str]) -> str:
    shown = ", ".join(items[:_SHOW])
    return shown if len(items) <= _SHOW else f"{shown} and {len(items) - _SHOW} more"


def _suffix_list() -> str:
    return ", ".join(WEIGHT_SUFFIXES[:-1]) + f" or {WEIGHT_SUFFIXES[-1]}"
