"""Defaults a newcomer met (issue 23): GAN truncation starts where its tooltip recommends; no seed is
offered for a task the seed does not change; ticking Live and unticking it leaves Random as it was."""

from __future__ import annotations

import pytest

from tests.ui.shipped_window import shipped_window


@pytest.fixture
def window(qtbot):
    yield from shipped_window(qtbot)


def test_gan_truncation_starts_in_the_range_its_tooltip_recommends(window):
    assert window.picker.select("gan-fashion-mnist-28", "sample")
    editor = window.params.editor("truncation")
    assert "0.3-0.5" in editor.spec.help and 0.3 <= editor.value() <= 0.5
    assert window.model.params["truncation"] == editor.value()  # what a run would use


def test_no_seed_for_a_task_the_seed_does_not_change(window):
    seed_shown = lambda: window.params.seed.isVisibleTo(window.params)  # noqa: E731
    assert window.picker.select("opencv-telea", "inpaint") and not seed_shown()
    assert window.picker.select("inpaint-fill", "inpaint") and not seed_shown()
    assert window.picker.select("gan-fashion-mnist-28", "sample") and seed_shown()


def test_live_on_then_off_leaves_random_as_it_was_for_the_next_model(window):
    seed = window.params.seed
    assert window.picker.select("gan-fashion-mnist-28", "directions") and seed.random.isChecked()
    window.params.live.click()
    assert not seed.random.isChecked() and window.model.seed is not None and window.model.live
    window.params.live.click()
    assert seed.random.isChecked() and window.model.seed is None and not window.model.live
    assert window.picker.select("vae-fashion-mnist-28", "sample") and seed.random.isChecked()
