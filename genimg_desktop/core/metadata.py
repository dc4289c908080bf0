"""Generation parameters embedded in saved PNGs, readable by us and by other tools.

Two text chunks are written:
- `parameters`: human-readable text in the AUTOMATIC1111 style that many image viewers and
  generators understand, e.g.::

      a red door                      <- prompt line(s), only if the task has a prompt
      Negative prompt: blurry         <- only if there is one
      Steps: 20, Seed: 42, Model: opencv-telea, Task: inpaint, radius: 5

- `genimg`: the full metadata dict as JSON (the `GenerationResult.metadata()` format:
  {"model", "task", "seed", "params": {...}, ...}); this one is authoritative when reading back.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from PIL import Image, PngImagePlugin

GENIMG_KEY = "genimg"
PARAMETERS_KEY = "parameters"
MAX_JSON_CHARS = 1_000_000  # also the limit for the `parameters` text; Pillow's own for compressed text
MAX_SEED = 2**63 - 1
MAX_TEXT_VALUE = 100_000  # a prompt or a file path; longer text is not a parameter
MAX_PAIRS_LINE = 65_536  # the "Steps: 20, Seed: 42, ..." line; a longer last line is prompt text
MAX_DEPTH = 16  # lists and objects inside extra keys (e.g. image_size); deeper is not ours

# Top-level keys and params shown under the labels other generators use.
_TOP_LABELS = {"seed": "Seed", "model": "Model", "task": "Task"}
_PARAM_LABELS = {"steps": "Steps", "sampler": "Sampler", "cfg_scale": "CFG scale"}
_TEXT_PARAMS = ("prompt", "negative_prompt")
_NEGATIVE = "Negative prompt:"
# "key: value" pairs; a value is a JSON string in quotes or runs up to the next comma. A label is at
# most 65 characters: unbounded, the pattern took quadratic time (a 1 MB line of letters: hours).
_PAIR = re.compile(r'\s*(\w[\w \-/]{0,64}):\s*("(?:\\.|[^\\"])*"|[^,]*)(?:,|$)')


# ---------------------------------------------------------------- writing


def format_parameters(meta: Mapping[str, Any]) -> str:
    """The A1111-style `parameters` text for a metadata dict (see module docstring)."""
    params = meta.get("params") or {}
    if not isinstance(params, Mapping):
        params = {}
    lines = []
    if params.get("prompt"):
        lines.append(str(params["prompt"]))
    if params.get("negative_prompt"):
        lines.append(f"{_NEGATIVE} {params['negative_prompt']}")
    pairs: list[tuple[str, Any]] = []
    if "steps" in params:
        pairs.append(("Steps", params["steps"]))
    pairs += [(label, meta[key]) for key, label in _TOP_LABELS.items() if key in meta]
    size = meta.get("image_size")
    if isinstance(size, (list, tuple)) and len(size) == 2:
        pairs.append(("Size", f"{size[0]}x{size[1]}"))
    for name, value in params.items():
        if name not in _TEXT_PARAMS and name != "steps":
            pairs.append((_PARAM_LABELS.get(name, name), value))
    lines.append(", ".join(f"{label}: {_format_value(value)}" for label, value in pairs))
    return "\n".join(lines)


def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    if any(c in text for c in ',:"\n') or text != text.strip():
        return json.dumps(text)
    return text


def png_info(meta: Mapping[str, Any]) -> PngImagePlugin.PngInfo:
    """PngInfo with both chunks, for `Image.save(..., pnginfo=...)`.

    Non-Latin-1 text (e.g. a prompt in Japanese) goes into an iTXt chunk automatically.
    """
    info = PngImagePlugin.PngInfo()
    info.add_text(PARAMETERS_KEY, format_parameters(meta))
    info.add_text(GENIMG_KEY, json.dumps(dict(meta), ensure_ascii=True, default=str))
    return info


# ---------------------------------------------------------------- reading


def read_metadata(source: Image.Image | Mapping[str, Any]) -> dict[str, Any] | None:
    """Metadata of an opened image (or of its text chunks as a dict); None if it has none.

    The `genimg` JSON wins when present and valid; otherwise the `parameters` text is parsed; damaged
    or foreign content never raises. Values the app cannot use are left out (see read_metadata_checked).
    """
    return read_metadata_checked(source)[0]


def read_metadata_checked(source: Image.Image | Mapping[str, Any]) -> tuple[dict[str, Any] | None, list[str]]:
    """read_metadata's result and notes for the status bar on what was left out and why."""
    chunks = _text_chunks(source)
    notes: list[str] = []
    if any(isinstance(chunks.get(key), (str, bytes)) and len(chunks[key]) > MAX_JSON_CHARS
           for key in (GENIMG_KEY, PARAMETERS_KEY)):  # fmt: skip
        notes.append(f"embedded generation parameters over {MAX_JSON_CHARS // 1_000_000} MB were ignored")
    parsed = parse_json_object(chunks.get(GENIMG_KEY))
    if parsed is None:
        text = chunks.get(PARAMETERS_KEY)
        usable = isinstance(text, str) and text.strip() and len(text) <= MAX_JSON_CHARS
        parsed = parse_parameters(text) if usable else None
    if parsed is None:
        return None, notes
    meta, problems = clean_metadata(parsed)
    return meta, notes + problems


def _text_chunks(source: Image.Image | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(source, Image.Image):
        chunks = dict(source.info)
        with contextlib.suppress(OSError, ValueError, SyntaxError):
            chunks.update(getattr(source, "text", None) or {})  # PNG: also chunks after the pixels
        return chunks
    return dict(source)


def parse_json_object(text: Any) -> dict[str, Any] | None:
    """The JSON object in `text` (str or UTF-8 bytes), or None for anything else: too long, not JSON,
    nested too deep for the parser, or not an object."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not isinstance(text, str) or len(text) > MAX_JSON_CHARS:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


# ---------------------------------------------------------------- checking


def clean_metadata(meta: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Metadata read from outside (a PNG, a project, an autosave) with only values the app can use:
    model and task as text, a whole seed in 0..MAX_SEED, params an object of finite numbers, booleans
    and text; other keys kept when they are plain JSON. Returns it and one note listing what was left
    out, so a restore never meets inf, NaN, a 400-digit number or a list where an object belongs."""
    clean: dict[str, Any] = {}
    dropped: list[str] = []
    for key, value in meta.items():
        if not isinstance(key, str):
            continue
        if key in ("model", "task"):
            ok = isinstance(value, str) and 0 < len(value) <= 200
        elif key == "seed":
            value = _whole(value)
            ok = value is not None and 0 <= value <= MAX_SEED
        elif key == "params":
            ok = isinstance(value, Mapping)
            if ok:
                value, bad = _clean_params(value)
                dropped += bad
        else:
            ok = _plain(value, 0)
        if ok:
            clean[key] = value
        else:
            dropped.append(f"{key} = {_show(meta[key])}")
    if not dropped:
        return clean, []
    return clean, [f"unusable generation parameters were ignored: {'; '.join(dropped[:5])}"]


def _clean_params(params: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    clean: dict[str, Any] = {}
    dropped: list[str] = []
    for name, value in params.items():
        if isinstance(name, str) and _scalar(value):
            clean[name] = value
        else:
            dropped.append(f"{str(name)[:40]} = {_show(value)}")
    return clean, dropped


def _scalar(value: Any) -> bool:
    """A parameter value: text, a boolean, or a finite number a float can hold."""
    if isinstance(value, str):
        return len(value) <= MAX_TEXT_VALUE
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return abs(value) <= MAX_SEED
    return isinstance(value, float) and math.isfinite(value)


def _plain(value: Any, depth: int) -> bool:
    """JSON that writes back as it was read: scalars, None, and short, shallow lists and objects."""
    if value is None or _scalar(value):
        return True
    if depth >= MAX_DEPTH:
        return False
    if isinstance(value, (list, tuple)):
        return len(value) <= 1000 and all(_plain(item, depth + 1) for item in value)
    if isinstance(value, Mapping):
        return len(value) <= 1000 and all(
            isinstance(k, str) and _plain(v, depth + 1) for k, v in value.items()
        )
    return False


def _whole(value: Any) -> int | None:
    """An integer seed from an int or an integral finite float (JSON writers differ), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def _show(value: Any) -> str:
    """A value as a message shows it: short, whatever its type."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SEED:
        return "a number too large"  # never its digits: str() of a 5000-digit int raises
    text = repr(value) if isinstance(value, (int, float, str)) else type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def parse_parameters(text: str) -> dict[str, Any]:
    """Best-effort parse of A1111-style text into the metadata dict format."""
    lines = text.strip().split("\n")
    last = lines[-1]
    pairs = _PAIR.findall(last) if len(last) <= MAX_PAIRS_LINE else []
    if len(pairs) >= 3 or (pairs and last.split(":", 1)[0] in ("Steps", "Seed", "Model")):
        lines = lines[:-1]
    else:
        pairs = []
    meta: dict[str, Any] = {}
    params: dict[str, Any] = {}
    prompt, negative = _split_prompt(lines)
    if prompt:
        params["prompt"] = prompt
    if negative:
        params["negative_prompt"] = negative
    top = {label: key for key, label in _TOP_LABELS.items()}
    named = {label: key for key, label in _PARAM_LABELS.items()}
    for label, raw in pairs:
        label, value = label.strip(), _parse_value(raw)
        if label in top:
            meta[top[label]] = value
        elif label == "Size" and re.fullmatch(r"\d+x\d+", str(value)):
            meta["image_size"] = [int(v) for v in str(value).split("x")]
        else:
            params[named.get(label) or _param_name(label)] = value
    if "seed" in meta and not isinstance(meta["seed"], int):
        meta.pop("seed")
    meta["params"] = params
    return meta


def _param_name(label: str) -> str:
    """Our names are kept ("radius"); human labels of other tools become snake_case ("Clip skip")."""
    if " " in label or label[:1].isupper():
        return re.sub(r"[\s\-/]+", "_", label).lower()
    return label


def _split_prompt(lines: list[str]) -> tuple[str, str]:
    prompt: list[str] = []
    negative: list[str] = []
    for line in lines:
        if negative or line.startswith(_NEGATIVE):
            negative.append(line[len(_NEGATIVE) :].strip() if not negative else line)
        else:
            prompt.append(line)
    return "\n".join(prompt).strip(), "\n".join(negative).strip()


def _parse_value(raw: str) -> Any:
    raw = raw.strip()
    if raw.startswith('"'):
        try:
            return json.loads(raw)
        except ValueError:
            return raw.strip('"')
    if raw in ("true", "false"):
        return raw == "true"
    for kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            pass
    return raw
