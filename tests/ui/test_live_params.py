"""Live mode: a parameter change re-runs the task (debounced); a newer change supersedes a running job."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from genimg_desktop.core import paths
from genimg_desktop.core.params import ParamSpec, TaskSpec
from genimg_desktop.engine.base import GenerationModel
from genimg_desktop.engine.registry import FAMILIES
from genimg_desktop.ui.main_window import MainWindow
from tests.support.tiny_models import install_untrained

TIMEOUT_MS = 30_000


class SlowPainter(GenerationModel):
    """Test-only family: paints a gray level after `steps` 10 ms steps (cancellable at each)."""

    family = "test-live-slow"

    @classmethod
    def task_specs(cls, card):
        level = ParamSpec("level", "int", 0, minimum=0, maximum=255)
        return (TaskSpec("paint", "Paint", (level, ParamSpec("steps", "int", 30, minimum=1))),)

    def _run(self, job):
        for step in range(job.params["steps"]):
            time.sleep(0.01)
            job.control.report((step + 1) / job.params["steps"])
        return [np.full((8, 8, 3), job.params["level"], np.uint8)]


@pytest.fixture
def window(qtbot, monkeypatch, messages):
    monkeypatch.setitem(FAMILIES, SlowPainter.family, SlowPainter)
    card = {"id": "slow-painter", "family": SlowPainter.family, "name": "Slow painter"}
    (paths.user_models_dir() / "slow-painter.json").write_text(json.dumps(card), encoding="utf-8")
    install_untrained("gan", paths.user_models_dir(), "tiny-gan")
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    win.start_engine()
    qtbot.waitUntil(
        lambda: {"slow-painter", "tiny-gan"} <= {m.id for m in win.picker.models()}, timeout=TIMEOUT_MS
    )
    yield win
    win.close()


def test_dragging_a_direction_slider_runs_once_it_pauses(qtbot, window):
    finished: list[object] = []
    window.jobs.service.job_finished.connect(lambda _id, result: finished.append(result))
    assert window.picker.select("tiny-gan", "directions")
    assert not window.params.live.isHidden()
    window.params.seed.set_fixed(5)
    window.params.live.setChecked(True)
    for amount in (0.5, 1.0, 1.5, 2.5):  # a quick drag: one run at the end, not four
        window.params.set_values({"amount": amount})
    qtbot.waitUntil(lambda: len(finished) >= 1 and not window.jobs.busy, timeout=TIMEOUT_MS)
    qtbot.wait(400)
    assert len(finished) == 1
    live = finished[-1]
    assert live.request.params["amount"] == 2.5 and live.request.seed == 5
    assert window.samples.result is live  # shown in the samples panel

    window.params.live.setChecked(False)
    window.run_button.click()  # the same parameters by hand give the same images
    qtbot.waitUntil(lambda: len(finished) == 2 and not window.jobs.busy, timeout=TIMEOUT_MS)
    assert all(np.array_equal(a, b) for a, b in zip(live.images, finished[-1].images, strict=True))


def test_a_newer_change_supersedes_a_running_job(qtbot, window):
    cancelled: list[int] = []
    finished: list[object] = []
    window.jobs.service.job_cancelled.connect(cancelled.append)
    window.jobs.service.job_finished.connect(lambda _id, result: finished.append(result))
    assert window.picker.select("slow-painter", "paint")
    window.params.set_values({"steps": 100})  # one second per run
    window.params.live.setChecked(True)
    qtbot.waitUntil(lambda: window.jobs.busy, timeout=TIMEOUT_MS)
    window.params.set_values({"level": 200})
    qtbot.waitUntil(lambda: len(finished) == 1 and not window.jobs.busy, timeout=TIMEOUT_MS)
    assert cancelled  # the first run stopped early
    assert finished[0].request.params["level"] == 200
    assert int(finished[0].images[0][0, 0, 0]) == 200


def test_mask_tasks_have_no_live_mode(window):
    assert window.picker.select("tiny-gan", "inpaint")
    assert window.params.live.isHidden() and not window.params.live_enabled()
