"""Property-based fuzzing of the readers that take untrusted files: images and model cards.

Whatever bytes arrive, a reader either returns a valid result or raises its own clear error type;
it never crashes with another exception and never hangs on a huge claimed size.
"""

from __future__ import annotations

import io
import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from genimg_desktop.core.imageio import ImageLoadError, load_image
from genimg_desktop.core.model_card import ModelCardError, read_model_card


def _png_bytes(fmt: str = "PNG") -> bytes:
    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)).save(buf, fmt)
    return buf.getvalue()


VALID = {"PNG": _png_bytes("PNG"), "JPEG": _png_bytes("JPEG"), "WEBP": _png_bytes("WEBP")}


def _check_loaded(data: bytes) -> None:
    try:
        loaded = load_image(data)
    except ImageLoadError as exc:
        assert str(exc)  # a message a person can read
        return
    assert loaded.rgba.dtype == np.uint8 and loaded.rgba.ndim == 3 and loaded.rgba.shape[2] == 4


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_random_bytes_never_crash_the_image_reader(data):
    _check_loaded(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fmt=st.sampled_from(sorted(VALID)),
    edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=8),
    cut=st.one_of(st.none(), st.integers(0, 10_000)),
)
def test_mutated_real_files_never_crash_the_image_reader(fmt, edits, cut):
    data = bytearray(VALID[fmt])
    for pos, value in edits:
        data[pos % len(data)] = value  # headers, chunk sizes and CRCs get hit as often as pixels
    if cut is not None:
        data = data[: cut % len(data)]
    _check_loaded(bytes(data))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
card_fields = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values | st.text(min_size=1, max_size=12),
        "family": json_values | st.sampled_from(["classical", "gan", "vae", "pixelcnn"]),
        "weights": json_values | st.sampled_from(["w.safetensors", "../w.safetensors", "/etc/passwd"]),
        "resolution": json_values,
        "channels": json_values,
        "class_names": json_values,
        "config": json_values,
        "sha256": json_values,
    },
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(card=card_fields | json_values, raw=st.booleans())
def test_model_card_reader_accepts_or_explains(tmp_path, card, raw):
    path = tmp_path / "card.json"
    path.write_text(json.dumps(card)[:-1] if raw else json.dumps(card), encoding="utf-8")
    try:
        parsed = read_model_card(path)
    except ModelCardError as exc:
        assert "card.json" in str(exc)
        return
    assert parsed.id and parsed.family
    if parsed.weights is not None:  # weights can never point outside the card's folder
        assert parsed.weights.resolve().parent == tmp_path.resolve()
