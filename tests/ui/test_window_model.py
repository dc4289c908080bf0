"""The window model follows the window's widgets: what the artist sets there is what a run uses."""

from __future__ import annotations

from genimg_desktop.ui.main_window import MainWindow


def test_seed_random_and_fixed(qtbot):
    """A random seed is drawn per run and shown in the seed field; a fixed one is used as it is."""
    window = MainWindow()
    qtbot.addWidget(window)
    seed, model = window.params.seed, window.model
    assert seed.random.isChecked() and not seed.spin.isEnabled() and model.seed is None
    drawn = {model.next_seed() for _ in range(5)}
    assert len(drawn) > 1 and seed.spin.value() in drawn  # the seed used is on show
    seed.set_fixed(1234)
    assert not seed.random.isChecked() and seed.spin.isEnabled()
    assert model.next_seed() == model.next_seed() == 1234
    seed.random.setChecked(True)
    assert model.seed is None
