"""The training view as a newcomer met it (issue 23): settings in words, not raw KEY=VALUE text; a
window of its own that minimises alone; sample grids sized by time, not by steps."""

from __future__ import annotations

import pytest

from genimg_desktop.ui.main_window import MainWindow
from genimg_desktop.ui.training.train_view import (
    FOLDER_CHOICE,
    SAMPLE_MINUTES,
    SMALL_DATA_SETTINGS,
    TrainView,
)
from tests.support.shape_folder import make_shape_folder


@pytest.fixture
def view(qtbot) -> TrainView:
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.acts["train"].trigger()
    assert win.train_view is not None
    qtbot.waitExposed(win.train_view)
    return win.train_view


def test_the_small_data_recipe_is_a_ticked_box_in_words_not_raw_settings(view, tmp_path):
    form = view.form
    form.data.setCurrentText(FOLDER_CHOICE)
    form.folder.setText(str(make_shape_folder(tmp_path / "pictures")))
    form.family.setCurrentText("gan")
    assert form.settings.text() == ""  # nothing raw to read
    assert form.small_data.isVisibleTo(form) and form.small_data.isChecked()
    assert "=" not in form.small_data.text() and "few pictures" in form.small_data.text()
    assert set(SMALL_DATA_SETTINGS["gan"].split()) <= set(form.spec().settings)

    form.settings.setText("style_from_w=false")  # an expert's own setting comes after, and wins
    assert form.spec().settings[-1] == "style_from_w=false"
    form.small_data.setChecked(False)
    assert form.spec().settings == ("style_from_w=false",)
    form.family.setCurrentText("vae")  # no recipe for this family: no box
    assert not form.small_data.isVisibleTo(form)


def test_the_view_is_a_window_of_its_own_so_minimising_it_leaves_the_editor(qtbot, view):
    editor = view.owner
    assert view.parent() is None and view.windowHandle().transientParent() is None
    view.showMinimized()
    qtbot.waitUntil(view.isMinimized)
    assert not editor.isMinimized() and editor.isVisible()


def test_sample_grids_come_by_time_by_default(view, tmp_path):
    form = view.form
    form.data.setCurrentText(FOLDER_CHOICE)
    form.folder.setText(str(tmp_path))
    assert form.sample_minutes.value() == SAMPLE_MINUTES and form.sample_every.value() == 0
    args = form.spec().arguments()
    assert args[args.index("--sample-minutes") + 1] == repr(SAMPLE_MINUTES)
    assert args[args.index("--sample-every") + 1] == "0"


def test_the_small_data_recipe_is_read_whole_in_the_form(view, tmp_path):
    """Its words fit the form's column (they were cut at 'cut-ou' in a 1200 px wide view); the
    details are in the tooltip."""
    form = view.form
    form.data.setCurrentText(FOLDER_CHOICE)
    form.family.setCurrentText("gan")
    view.resize(1200, 720)
    box = form.small_data
    assert box.isVisibleTo(form) and box.width() >= box.sizeHint().width()
    assert "shifted, cut-out and recoloured" in box.toolTip()
