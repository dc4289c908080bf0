"""Importing an upscaler published in another format: an ncnn pair (.param + .bin, or a folder holding
one pair) or an ESRGAN/SRVGGNetCompact `.pth`, converted once into our safetensors + a model card
(family "upscale") that records where it came from: the original files' names and sha256, licence.

`convert_to_card` writes into a folder of the caller's choice (a temporary one when importing into the
user's models folder: core.model_files.import_model then copies it in, asking about clashes).
`install_any` is what `genimg import-model` and Model > Import do (the window on a pool thread, with
`progress(fraction, message)` for its dialog; a progress that raises stops before anything is installed).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from safetensors.numpy import save as safetensors_bytes

from genimg_desktop.core.atomic import write_atomic
from genimg_desktop.core.hash_cache import hash_file
from genimg_desktop.core.model_files import import_model
from genimg_desktop.engine.restore.imported.from_ncnn import Converted, convert_ncnn
from genimg_desktop.engine.restore.imported.from_pth import convert_pth
from genimg_desktop.engine.restore.imported.known import KNOWN, Known
from genimg_desktop.engine.restore.imported.ncnn_file import NcnnFormatError, read_ncnn

Progress = Callable[[float, str], None]
PTH_SUFFIXES = (".pth", ".pt")
SUFFIXES = (".param", ".bin", *PTH_SUFFIXES)


class ImportFormatError(ValueError):
    """The chosen files are not something this importer converts; nothing was written."""


@dataclass(frozen=True)
class Source:
    kind: str  # "ncnn" or "pytorch"
    files: tuple[Path, ...]  # ncnn: (param, bin); pytorch: (pth,)

    @property
    def weights(self) -> Path:
        return self.files[-1]


def find_source(paths: Sequence[Path]) -> Source:
    """The model among `paths`: one .pth/.pt, an ncnn .param and/or .bin (the other is looked for
    beside it under the same name), or a folder with exactly one ncnn pair or one .pth."""
    paths = [Path(p) for p in paths]
    if len(paths) == 1 and paths[0].is_dir():
        paths = sorted(p for p in paths[0].iterdir() if p.suffix.lower() in SUFFIXES)
    pth = [p for p in paths if p.suffix.lower() in PTH_SUFFIXES]
    # names like "scale2.0x_model.param": only the last suffix goes (Path.with_suffix would cut ".0x_model")
    stems = sorted({str(p)[: -len(p.suffix)] for p in paths if p.suffix.lower() in (".param", ".bin")})
    if len(pth) == 1 and not stems:
        return Source("pytorch", (pth[0],))
    if len(stems) == 1 and not pth:
        param, weights = Path(stems[0] + ".param"), Path(stems[0] + ".bin")
        missing = [p.name for p in (param, weights) if not p.is_file()]
        if missing:
            raise ImportFormatError(
                f"an ncnn model needs its .param and .bin together: {', '.join(missing)} not found"
            )
        return Source("ncnn", (param, weights))
    names = ", ".join(p.name for p in paths) or "no .param, .bin, .pth or .pt files"
    raise ImportFormatError(
        f"choose one model: an ncnn .param + .bin pair, or one .pth/.pt file (got {names})"
    )


def _no_progress(_fraction: float, _message: str) -> None:
    pass


def convert_to_card(
    paths: Sequence[Path],
    out_dir: Path,
    model_id: str | None = None,
    check: bool = False,
    progress: Progress = _no_progress,
) -> Path:
    """Convert the model in `paths` into `out_dir`/<id>.safetensors + <id>.json; the card's path.
    `check` also runs the ncnn original (needs the ncnn package) and records the largest difference."""
    source = find_source(paths)
    progress(0.0, f"Reading and converting {source.weights.name}…")
    converted = _convert(source)
    progress(0.6, f"Checking {source.weights.name}'s sha256…")
    known = KNOWN.get(hash_file(source.weights))
    scale = converted.config["scale"]
    model_id = model_id or (known.id.format(scale=scale) if known else _id_from(source.weights, scale))
    card = _card(model_id, source, converted, known)
    if check and source.kind == "ncnn":
        from genimg_desktop.engine.restore.imported.check import max_difference

        card["metrics"] = {"max_abs_difference_vs_ncnn": max_difference(*source.files, converted)}
    progress(0.7, f"Writing {card['weights']}…")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    blob = safetensors_bytes(converted.tensors, metadata={"converted_from": source.weights.name})
    weights = write_atomic(out_dir / card["weights"], lambda f: f.write(blob))
    card["sha256"] = hash_file(weights)
    text = json.dumps(card, indent=2, ensure_ascii=False) + "\n"
    return write_atomic(out_dir / f"{model_id}.json", lambda f: f.write(text.encode()))


def install(
    paths: Sequence[Path],
    model_id: str | None = None,
    replace: bool = False,
    progress: Progress = _no_progress,
) -> Path:
    """Convert the model in `paths` and install it in the user's models folder; the installed card.
    A clash with an installed model is core.model_files' ImportQuestion (call again with replace=True);
    nothing is installed unless the whole conversion worked."""
    with tempfile.TemporaryDirectory(prefix="genimg-import-") as folder:
        card = convert_to_card(paths, Path(folder), model_id, progress=progress)
        progress(0.9, "Installing into your models folder…")
        return import_model(card, replace=replace)


def install_any(
    paths: Sequence[Path],
    model_id: str | None = None,
    replace: bool = False,
    unchecked: bool = False,
    progress: Progress = _no_progress,
) -> Path:
    """Install a model card (.json, with the files it names) as it is, or convert and install the
    upscaler in `paths`; the installed card. The questions are core.model_files' ImportQuestions."""
    if len(paths) == 1 and Path(paths[0]).suffix.lower() == ".json":
        progress(0.0, f"Copying {Path(paths[0]).name} and its files…")
        return import_model(Path(paths[0]), replace=replace, unchecked=unchecked)
    return install(paths, model_id, replace, progress)


def _convert(source: Source) -> Converted:
    if source.kind == "pytorch":
        return convert_pth(source.weights)
    try:
        return convert_ncnn(read_ncnn(*source.files))
    except NcnnFormatError as exc:
        raise ImportFormatError(f"{source.files[0].name}: {exc}") from None


def _card(model_id: str, source: Source, converted: Converted, known: Known | None) -> dict[str, Any]:
    scale = converted.config["scale"]
    dtypes = sorted({str(a.dtype) for a in converted.tensors.values() if a.ndim > 1})
    return {
        "id": model_id,
        "name": known.name.format(scale=scale) if known else f"{source.weights.stem} (imported x{scale})",
        "family": "upscale",
        "description": known.description if known else f"Imported from {source.weights.name}.",
        "config": converted.config,
        "weights": f"{model_id}.safetensors",
        "licence": known.licence if known else "unknown: see the terms of where the file came from",
        "data_source": known.origin if known else "imported by you",
        "converted_from": {
            "format": source.kind,
            "files": [{"name": p.name, "sha256": hash_file(p)} for p in source.files],
            "weights_stored_as": "/".join(dtypes),
        },
    }


def _id_from(weights: Path, scale: int) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", weights.stem.lower()).strip("-") or "upscaler"
    named = re.search(rf"(^|-)(x{scale}|{scale}x)(-|$)", stem)  # "x4" or the community's "4x_name"
    return stem if named else f"{stem}-x{scale}"
