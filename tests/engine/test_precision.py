"""Half precision adopted per model by a measured check (engine/precision.py). No GPU here: the
check runs on the CPU with bfloat16, as on any CPU with native bfloat16 (tests/conftest.py turns it
off for every other test)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from genimg_desktop.core.progress import JobControl
from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.engine import latent_model, precision
from genimg_desktop.engine.precision import Precision, choose_draw, half_dtype
from genimg_desktop.engine.registry import ModelRegistry
from tests.engine.latent_helpers import one_thread  # noqa: F401 (an autouse fixture)
from tests.support.tiny_models import install_untrained


def linear_draw(weight: torch.Tensor):
    """make(dtype) for a toy draw: tanh(latent @ weight + embedding), computed in dtype."""

    def make(dtype: torch.dtype):
        cast = weight.to(dtype)
        return lambda z, e: torch.tanh(z.to(dtype) @ cast + e.to(dtype)).float()

    return make


@pytest.fixture
def toy():
    generator = torch.Generator().manual_seed(0)
    weight = torch.randn(16, 64, generator=generator)
    inputs = (torch.randn(8, 16, generator=generator), torch.randn(8, 64, generator=generator) * 0.1)
    return linear_draw(weight), inputs


@pytest.mark.parametrize("native_bf16", [True, False])
def test_which_half_type_each_device_tries(native_bf16, monkeypatch):
    monkeypatch.setattr(precision, "cpu_has_bf16", lambda: native_bf16)
    monkeypatch.setenv("GENIMG_PRECISION", "auto")
    assert half_dtype(torch.device("cpu")) == (torch.bfloat16 if native_bf16 else None)
    assert half_dtype(torch.device("cuda")) == half_dtype(torch.device("mps")) == torch.float16
    monkeypatch.setenv("GENIMG_PRECISION", "float32")  # the user's way out: never half precision
    assert half_dtype(torch.device("cpu")) is half_dtype(torch.device("cuda")) is None


def test_a_cpu_with_native_bf16_checks_each_model_at_load(tmp_path, monkeypatch):
    install_untrained("gan", tmp_path, "tiny")
    monkeypatch.setenv("GENIMG_PRECISION", "auto")
    monkeypatch.setattr(precision, "cpu_has_bf16", lambda: True)
    model = ModelRegistry([(tmp_path, False)]).load("tiny", "cpu")
    levels = model.precision.checked_levels
    assert levels is not None  # measured, whichever way it went
    held = levels <= precision.TOLERANCE_LEVELS
    assert model.precision.dtype == (torch.bfloat16 if held else torch.float32)


def test_without_a_half_type_nothing_is_checked(toy):
    make, inputs = toy
    draw, chosen = choose_draw(make, inputs, None)
    assert chosen == Precision() and chosen.label == "float32"
    assert torch.equal(draw(*inputs), make(torch.float32)(*inputs))


def test_half_precision_is_kept_only_within_the_tolerance(toy):
    make, inputs = toy
    reference = make(torch.float32)(*inputs)
    draw, chosen = choose_draw(make, inputs, torch.bfloat16, tolerance=255)
    assert chosen.dtype == torch.bfloat16 and chosen.label == "bfloat16"
    out = draw(*inputs)
    assert out.dtype == torch.float32
    measured = (out - reference).abs().max().item() * 127.5
    assert 0 < measured == pytest.approx(chosen.checked_levels)  # bfloat16 does round: a real check
    draw, refused = choose_draw(make, inputs, torch.bfloat16, tolerance=measured / 2)
    assert refused == Precision(torch.float32, chosen.checked_levels)
    assert torch.equal(draw(*inputs), reference)


def test_an_overflow_or_a_missing_kernel_keeps_float32(toy):
    make, inputs = toy

    def overflowing(dtype: torch.dtype):
        full = make(dtype)
        return full if dtype == torch.float32 else (lambda z, e: full(z, e) * float("nan"))

    def missing(dtype: torch.dtype):
        if dtype != torch.float32:
            raise RuntimeError("\"addmm\" not implemented for 'Half'")
        return make(dtype)

    _, chosen = choose_draw(overflowing, inputs, torch.bfloat16, tolerance=255)
    assert chosen.dtype == torch.float32 and np.isnan(chosen.checked_levels)
    assert choose_draw(missing, inputs, torch.bfloat16)[1] == Precision()


@pytest.mark.parametrize("family", ["gan", "vae"])
def test_a_model_on_a_device_with_a_half_type_checks_it_and_says_which_it_uses(family, tmp_path, monkeypatch):
    install_untrained(family, tmp_path, "tiny")
    registry = ModelRegistry([(tmp_path, False)])
    request = GenerationRequest("tiny", "sample", {"count": 3}, 5)
    full = registry.load("tiny", "cpu")
    assert full.precision == Precision()
    expected = full.run(request, JobControl())
    assert expected.info["precision"] == "float32"

    monkeypatch.setattr(latent_model, "half_dtype", lambda device: torch.bfloat16)  # as on a GPU
    monkeypatch.setattr(precision, "TOLERANCE_LEVELS", 255.0)
    half = ModelRegistry([(tmp_path, False)]).load("tiny", "cpu")
    assert half.precision.dtype == torch.bfloat16 and half.precision.checked_levels > 0
    got = half.run(request, JobControl())
    assert got.info["precision"] == "bfloat16"
    pairs = list(zip(got.images, expected.images, strict=True))
    diff = max(np.abs(a.astype(int) - b.astype(int)).max() for a, b in pairs)
    assert 0 < diff <= 64  # rounded differently, yet the same pictures

    monkeypatch.setattr(precision, "TOLERANCE_LEVELS", 0.0)  # a model whose pixels move is refused
    strict = ModelRegistry([(tmp_path, False)]).load("tiny", "cpu")
    assert strict.precision.dtype == torch.float32 and strict.precision.checked_levels > 0
    same = strict.run(request, JobControl())
    assert all(np.array_equal(a, b) for a, b in zip(same.images, expected.images, strict=True))
