"""Issue 24, point 4: untrusted parameters in a PNG or .ora opened in the real window.

They used to raise OverflowError / ValueError / AttributeError inside the restore (no message), and a
deeply nested project made Open silently do nothing. Now the picture opens, the usable parameters are
restored and the status bar says what was left out.
"""

from __future__ import annotations

import pytest

from genimg_desktop.ui.main_window import MainWindow
from genimg_desktop.ui.settings import Settings
from tests.conftest import DATA
from tests.ui.opening import open_file

TIMEOUT_MS = 20_000


@pytest.fixture
def window(qtbot, messages):
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    win.start_engine()
    qtbot.waitUntil(lambda: "opencv-telea" in {m.id for m in win.picker.models()}, timeout=TIMEOUT_MS)
    yield win
    win.document.modified = False
    win.close()


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("a1111_radius_inf.png", "radius = inf"),
        ("a1111_seed_huge.png", "seed = a number too large"),
        ("ora_seed_1e999.ora", "seed = inf"),
        ("ora_seed_nan.ora", "seed = nan"),
        ("ora_params_list.ora", "params = list"),
        ("ora_params_nested.ora", "unreadable and are ignored"),
    ],
)
def test_bad_parameters_open_the_picture_and_say_what_was_left_out(qtbot, window, messages, name, said):
    shown: list[str] = []
    window.statusBar().messageChanged.connect(shown.append)
    assert open_file(window, DATA / "bad" / name)
    assert window.document.path == DATA / "bad" / name and window.document.size == (4, 4)
    assert not messages  # no error box: the picture is fine, only some parameters are not
    assert any(said in text for text in shown), shown
    if "nested" not in name:  # the usable rest is restored
        assert window.picker.current_model_id() == "opencv-telea"


def test_a_hand_edited_settings_file_with_numbers_out_of_range_never_stops_the_start(qtbot):
    """brush_size=inf raised OverflowError out of MainWindow(): the app did not start at all."""
    store = Settings().store
    for key, raw in (("canvas/brush_size", "inf"), ("canvas/feather_px", "1e400"),
                     ("canvas/brush_hardness", "nan"), ("files/autosave_interval_s", "2e9")):  # fmt: skip
        store.setValue(key, raw)
    store.sync()
    win = MainWindow()
    qtbot.addWidget(win)
    settings = Settings()
    assert settings.brush_size == 48 and settings.feather_px == 6 and settings.brush_hardness == 0.8
    assert settings.autosave_interval_s == 2 * 10**9  # a setting in range; the timer caps it at a day
    assert win.canvas.brush_size == 48
