"""Generation parameters in PNG text chunks: A1111-style text plus full JSON."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from genimg_desktop.core.metadata import (
    GENIMG_KEY,
    PARAMETERS_KEY,
    format_parameters,
    parse_parameters,
    png_info,
    read_metadata,
)
from genimg_desktop.core.request import GenerationRequest, GenerationResult

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"

META = {
    "model": "opencv-telea",
    "task": "inpaint",
    "seed": 42,
    "params": {"steps": 20, "radius": 5},
    "image_size": [640, 480],
    "device": "cpu",
    "elapsed_s": 0.25,
}


def _png_roundtrip(meta) -> Image.Image:
    buf = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buf, "PNG", pnginfo=png_info(meta))
    buf.seek(0)
    im = Image.open(buf)
    im.load()
    return im


def test_parameters_text_looks_like_other_generators():
    text = format_parameters(META)
    assert text == "Steps: 20, Seed: 42, Model: opencv-telea, Task: inpaint, Size: 640x480, radius: 5"


def test_prompt_lines_and_quoting():
    meta = {
        "model": "m",
        "task": "sample",
        "seed": 1,
        "params": {
            "prompt": "a red door",
            "negative_prompt": "blurry, dark",
            "style": "a, b: c",
            "cfg_scale": 7.5,
        },
    }
    text = format_parameters(meta)
    lines = text.split("\n")
    assert lines[0] == "a red door"
    assert lines[1] == "Negative prompt: blurry, dark"
    assert 'style: "a, b: c"' in lines[2] and "CFG scale: 7.5" in lines[2]
    back = parse_parameters(text)
    assert back["params"] == meta["params"] and back["model"] == "m" and back["seed"] == 1


def test_png_roundtrip_prefers_json():
    result = GenerationResult(
        GenerationRequest(
            "opencv-telea", "inpaint", {"radius": 5}, seed=7, image=np.zeros((3, 4, 3), np.uint8)
        ),
        images=[],
        info={"device": "cpu"},
        elapsed_s=0.5,
    )
    meta = result.metadata()
    im = _png_roundtrip(meta)
    assert set(im.text) == {GENIMG_KEY, PARAMETERS_KEY}
    assert read_metadata(im) == meta
    assert read_metadata(dict(im.text)) == meta


def test_non_latin_prompt_survives():
    meta = {"model": "m", "task": "t", "seed": 0, "params": {"prompt": "赤い扉 — ドア"}}
    im = _png_roundtrip(meta)
    assert read_metadata(im) == meta
    assert im.text[PARAMETERS_KEY].startswith("赤い扉")
    assert read_metadata({PARAMETERS_KEY: im.text[PARAMETERS_KEY]})["params"]["prompt"] == "赤い扉 — ドア"


def test_garbage_json_falls_back_to_parameters_file():
    with Image.open(BAD / "garbage_json.png") as im:
        im.load()
        meta = read_metadata(im)
    assert meta == {
        "seed": 42,
        "model": "opencv-telea",
        "task": "inpaint",
        "params": {"steps": 20, "radius": 5},
    }


def test_garbage_never_raises():
    for junk in ("{", "[1, 2]", '"text"', "null", "{" * 5000 + "}" * 5000, "\x00\xff", "NaN"):
        assert read_metadata({GENIMG_KEY: junk}) is None
        assert read_metadata({GENIMG_KEY: junk, PARAMETERS_KEY: "Seed: 3, Model: x, Task: y"})["seed"] == 3
    assert read_metadata({}) is None
    assert read_metadata({PARAMETERS_KEY: "   "}) is None
    assert read_metadata({GENIMG_KEY: b'{"a": 1}'}) == {"a": 1}
    assert read_metadata({GENIMG_KEY: 12}) is None
    assert read_metadata({GENIMG_KEY: "x" * 2_000_000}) is None


def test_parses_real_a1111_text():
    text = (
        "masterpiece, a castle on a hill\n"
        "at dusk\n"
        "Negative prompt: lowres, bad anatomy\n"
        "Steps: 28, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234567890, Size: 512x768, "
        "Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Denoising strength: 0.75, "
        'Lora hashes: "a: 1, b: 2"'
    )
    meta = parse_parameters(text)
    assert meta["seed"] == 1234567890 and meta["model"] == "v1-5-pruned-emaonly"
    assert meta["image_size"] == [512, 768]
    p = meta["params"]
    assert p["prompt"] == "masterpiece, a castle on a hill\nat dusk"
    assert p["negative_prompt"] == "lowres, bad anatomy"
    assert p["steps"] == 28 and p["sampler"] == "DPM++ 2M Karras" and p["cfg_scale"] == 7
    assert p["denoising_strength"] == 0.75 and p["model_hash"] == "6ce0161689"
    assert p["lora_hashes"] == "a: 1, b: 2"


def test_prompt_only_text_is_a_prompt():
    assert parse_parameters("a cat: very cute") == {"params": {"prompt": "a cat: very cute"}}


param_names = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True).filter(
    lambda n: n not in ("steps", "prompt", "negative_prompt", "sampler", "cfg_scale", "model_hash")
)
safe_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20).filter(
    lambda s: s == s.strip() and s and s not in ("true", "false") and not _is_number(s)
)


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


@settings(max_examples=100, deadline=None)
@given(
    params=st.dictionaries(
        param_names,
        st.one_of(
            st.integers(-(10**12), 10**12),
            st.floats(allow_nan=False, allow_infinity=False, width=32),
            st.booleans(),
            safe_text,
        ),
        max_size=6,
    ),
    seed=st.integers(0, 2**63),
)
def test_text_roundtrip_of_simple_values(params, seed):
    meta = {"model": "my-model", "task": "inpaint", "seed": seed, "params": params}
    back = parse_parameters(format_parameters(meta))
    assert back["model"] == "my-model" and back["task"] == "inpaint" and back["seed"] == seed
    assert set(back["params"]) == set(params)
    for key, value in params.items():
        got = back["params"][key]
        if isinstance(value, float):
            assert math.isclose(got, value) or got == value
        else:
            assert got == value and type(got) is type(value)
