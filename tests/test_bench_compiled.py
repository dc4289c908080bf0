"""The bench's torch.compile comparison (issue 6) on a tiny GAN: the compiled network gives the eager
one's images, every field is filled, and the break-even arithmetic. No timed assertions."""

from __future__ import annotations

import shutil

import pytest
import torch

from genimg_desktop.bench import report
from genimg_desktop.bench.compiled import break_even, compare_compiled
from genimg_desktop.core import paths
from genimg_desktop.engine.registry import ModelRegistry
from tests.support.tiny_models import install_untrained


def test_break_even_counts_images_until_the_warm_up_is_paid():
    assert break_even(10.0, 0.001) == 10001
    assert break_even(10.0, 0.0) is None and break_even(10.0, -1e-4) is None  # never pays off


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("g++") or shutil.which("clang++")), reason="no C++ compiler")
def test_compiled_gan_matches_the_eager_one():
    install_untrained("gan", paths.user_models_dir(), "tiny-gan")
    model = ModelRegistry().load("tiny-gan", "cpu")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        result = compare_compiled(model, quick=False)
    finally:
        torch.set_num_threads(threads)
    assert set(result["batches"]) == {"1", "16"}
    for batch in result["batches"].values():
        assert batch["eager_s"] > 0 and batch["compiled_s"] > 0 and batch["warmup_s"] > 0
        assert batch["max_diff_levels"] < 0.05  # the same images, up to float rounding
        images = batch["break_even_images"]
        assert images is None or images >= 1
    rows = report._compiled({"models": [{"id": "tiny-gan", "compiled": result}]})
    assert [row[1] for row in rows[1:]] == ["1", "16"]
