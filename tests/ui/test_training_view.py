"""The training view in the real window: a tiny GAN trained on a folder of pictures by a real
`genimg train` process; pause, resume, finish, errors, cancel and closing the window mid-run.

The run folders live in the test's GENIMG_HOME (inherited by the child process)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image
from PySide6.QtWidgets import QMessageBox

from genimg_desktop.core.run_folder import STOP_REQUEST
from genimg_desktop.ui.main_window import MainWindow
from genimg_desktop.ui.training import train_process
from genimg_desktop.ui.training.loss_plot import LossPlot, nice_ticks
from genimg_desktop.ui.training.run_files import LossTail, StepClock
from genimg_desktop.ui.training.train_process import TrainSpec, model_id_from, train_command
from genimg_desktop.ui.training.train_view import FOLDER_CHOICE, TrainView
from tests.support.shape_folder import make_shape_folder
from tests.support.tiny_models import GAN_TINY

RUN_MS = 240_000  # a bound, not a timing: the runs take seconds, many more beside another trainer
STEPS = 30
# The pause test's run: long enough that it cannot finish between its step-10 grid and the pause
# (a 30-step run on an idle machine sometimes did; the pause lands within a second of the grid,
# some 30 steps), short enough to finish soon once resumed (a grid every 10 steps costs the most).
PAUSE_STEPS = 300


@pytest.fixture
def window(qtbot, messages):
    win = MainWindow()

    def stop_trainer(_win: MainWindow) -> None:
        # A failed test must not leave a trainer behind. This runs before pytest-qt closes and
        # deletes the window, which happens before a fixture's own teardown would.
        view = win.train_view
        if view is not None and view.process.running:
            view.process.kill()
            qtbot.waitUntil(lambda: not view.process.running, timeout=10_000)

    qtbot.addWidget(win, before_close_func=stop_trainer)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def pictures(tmp_path) -> Path:
    return make_shape_folder(tmp_path / "my-pictures")


def _open(window: MainWindow) -> TrainView:
    window.acts["train"].trigger()
    assert window.train_view is not None and window.train_view.isVisible()
    return window.train_view


def _fill(view: TrainView, folder: Path, name: str, steps: int = STEPS) -> None:
    """A tiny GAN at 16 px on `folder`, a sample grid every 10 steps."""
    form = view.form
    form.data.setCurrentText(FOLDER_CHOICE)
    form.folder.setText(str(folder))
    form.family.setCurrentText("gan")
    assert form.lr.value() == pytest.approx(2e-4)  # the family's default
    form.size.setValue(16)
    form.steps.setValue(steps)
    form.batch_size.setValue(4)
    form.sample_every.setValue(10)
    form.name.setText(name)
    form.small_data.setChecked(False)  # the tiny network alone (its typed settings once replaced the recipe)
    form.settings.setText(" ".join(f"{key}={json.dumps(value)}" for key, value in GAN_TINY.items()))


def _logged_steps(run_dir: Path) -> list[int]:
    return [json.loads(line)["step"] for line in (run_dir / "losses.jsonl").read_text().splitlines()]


def test_train_pause_resume_and_the_model_is_listed(qtbot, window, pictures):
    window.start_engine()
    view = _open(window)
    _fill(view, pictures, "Tiny Shapes", steps=PAUSE_STEPS)
    assert view.form.model_id() == "tiny-shapes"
    assert view.start()
    run_dir = view.spec.run_dir
    assert not view.start_button.isEnabled() and view.pause_button.isEnabled()

    qtbot.waitUntil(lambda: view.grid_path is not None, timeout=RUN_MS)  # the step-10 grid
    assert view.plot.point_count() > 0 and {"d_loss", "g_loss"} <= set(view.plot.series)
    assert not view.grid.pixmap().isNull()
    view.pause_button.click()
    qtbot.waitUntil(lambda: view.state == "paused", timeout=RUN_MS)
    paused_at = view.step
    assert 10 <= paused_at < PAUSE_STEPS and not view.process.running
    assert (run_dir / "checkpoint.pt").is_file() and not (run_dir / STOP_REQUEST).exists()
    assert f"step {paused_at} / {PAUSE_STEPS}" in view.progress.format()

    view.resume_button.click()
    qtbot.waitUntil(lambda: view.state == "done", timeout=RUN_MS)
    assert f"resuming from step {paused_at}" in view.output.toPlainText()
    assert _logged_steps(run_dir) == list(range(1, PAUSE_STEPS + 1))  # continued, not restarted
    assert view.plot.last_step() == PAUSE_STEPS and view.grid_path.name == f"step_{PAUSE_STEPS:06d}.png"
    qtbot.waitUntil(lambda: "tiny-shapes" in {m.id for m in window.picker.models()}, timeout=RUN_MS)


def test_an_empty_folder_shows_the_error_and_the_window_stays_usable(qtbot, window, tmp_path):
    view = _open(window)
    _fill(view, tmp_path / "missing", "nothing")
    assert not view.start()  # checked before any process starts
    assert "There is no folder" in view.message.text()

    (tmp_path / "empty").mkdir()
    _fill(view, tmp_path / "empty", "nothing")
    assert view.start()
    qtbot.waitUntil(lambda: view.state == "failed", timeout=RUN_MS)
    assert "no image files" in view.message.text()
    assert "genimg: error: no image files" in view.output.toPlainText()
    assert window.isVisible() and view.start_button.isEnabled() and not view.resume_button.isEnabled()
    window.acts["fill_all"].trigger()  # the window still works
    assert window.document.mask.any()


def test_cancel_kills_a_process_that_does_not_stop(qtbot, window, pictures):
    view = _open(window)
    _fill(view, pictures, "cancelled run")
    view.process.kill_after_ms = 200  # still importing torch by then: it cannot honour the request
    assert view.start()
    view.cancel_button.click()
    qtbot.waitUntil(lambda: view.state == "cancelled", timeout=RUN_MS)
    assert view.process.killed and not view.process.running
    assert view.start_button.isEnabled()


def test_closing_the_window_stops_training_at_a_checkpoint(qtbot, window, pictures, monkeypatch):
    view = _open(window)
    _fill(view, pictures, "closed early", steps=500)
    assert view.start()
    run_dir = view.spec.run_dir
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    assert not window.close()  # No: keep training, keep the window
    assert view.process.running
    # Yes right away: the request is made before the CLI starts (and clears leftovers); it is kept.
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert window.close()
    assert not view.process.running and not view.process.killed
    assert (run_dir / "checkpoint.pt").is_file() and 1 <= _logged_steps(run_dir)[-1] < 500


# ------------------------------------------------------------------ units (no process)


def test_the_command_runs_the_package_or_the_frozen_cli(monkeypatch):
    spec = TrainSpec("vae", "mnist", 28, 100, 32, 1e-3, "my-vae", name="My VAE", settings=("z_dim=8",))
    program, args = train_command(spec)
    assert program == sys.executable and args[:3] == ["-m", "genimg_desktop", "train"]
    assert args[args.index("--out") + 1] == str(spec.run_dir) and spec.run_dir.name == "my-vae"
    assert args[-2:] == ["--set", "z_dim=8"] and "--name" in args
    assert args[args.index("--precision") + 1] == "auto"  # bfloat16 only where the hardware has it
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert train_command(spec)[1][0] == "train"
    assert model_id_from("  My Cats! (v2) ", "x") == "my-cats-v2" and model_id_from("!!", "x") == "x"
    assert train_process.runs_dir().name == "runs"


def test_the_loss_tail_reads_new_rows_and_rereads_a_rewritten_log(tmp_path):
    log = tmp_path / "losses.jsonl"
    tail = LossTail(log)
    assert tail.read_new() == []
    log.write_text('{"step": 1, "time_s": 0.5, "loss": 2.0}\n{"step": 2, "ti')
    assert [row["step"] for row in tail.read_new()] == [1]
    with log.open("a") as handle:
        handle.write('me_s": 1.0, "loss": 1.5}\n')
    assert [row["step"] for row in tail.read_new()] == [2]
    replaced = tmp_path / "new.jsonl"
    replaced.write_text('{"step": 1, "time_s": 0.5, "loss": 2.0}\n')
    replaced.replace(log)  # a resume rewrites the log
    assert [row["step"] for row in tail.read_new()] == [1]


def test_the_plot_keeps_points_per_loss_and_drops_steps_trained_again(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.add_rows([{"step": s, "time_s": s, "d": 1.0 / s, "g": s} for s in range(1, 6)])
    plot.add(3, {"d": 0.3, "r1": 0.1})  # back to step 3 (a resume after a crash)
    assert plot.series["d"][-1] == (3, 0.3) and [s for s, _ in plot.series["g"]] == [1, 2]
    assert plot.point_count() == 3 + 2 + 1
    plot.resize(400, 200)
    image = plot.grab().toImage()
    assert image.pixelColor(200, 100) is not None  # paints without error
    assert nice_ticks(0.0, 1.0) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(-0.3, 0.2) == [-0.2, -0.1, 0.0, 0.1, 0.2]
    assert nice_ticks(1, 40, whole=True) == [10.0, 20.0, 30.0, 40.0]
    clock = StepClock()
    for step in range(1, 11):
        clock.add(step, step * 0.5)
    assert clock.eta_s(20) == pytest.approx(5.0)


def test_a_gan_on_a_small_set_gets_the_small_data_recipe_but_typed_settings_stay(qtbot):
    from genimg_desktop.ui.training.train_view import SMALL_DATA_SETTINGS, TrainForm

    form = TrainForm()
    qtbot.addWidget(form)
    recipe = tuple(SMALL_DATA_SETTINGS["gan"].split())
    form.data.setCurrentText(FOLDER_CHOICE)
    form.family.setCurrentText("gan")
    assert form.small_data.isChecked() and form.family_settings() == recipe
    form.family.setCurrentText("vae")  # the recipe follows the family ...
    assert form.small_data.isHidden() and form.family_settings() == ()
    form.family.setCurrentText("gan")
    form.data.setCurrentText("fashion-mnist")  # ... and the data: 60,000 images need no augmentation
    assert not form.small_data.isChecked() and form.family_settings() == ()
    form.data.setCurrentText("emoji")
    assert form.family_settings() == recipe
    form.settings.setText("z_dim=64")  # the artist's own text is never replaced
    form.data.setCurrentText(FOLDER_CHOICE)
    form.family.setCurrentText("vae")
    assert form.settings.text() == "z_dim=64" and form.family_settings() == ("z_dim=64",)


def test_the_fill_network_can_be_trained_from_the_view(qtbot):
    from genimg_desktop.ui.training.train_view import TrainForm

    form = TrainForm()
    qtbot.addWidget(form)
    form.data.setCurrentText("openclipart")
    form.family.setCurrentText("inpaint")
    spec = form.spec("cpu")
    assert (spec.family, spec.size, spec.lr) == ("inpaint", 256, pytest.approx(3e-4))
    assert spec.settings == ()  # the small-data GAN recipe is for GANs only


def test_a_grid_written_again_under_its_name_is_shown_again(window, tmp_path):
    # A VAE run draws its last grid again once its latent prior is fitted, under the same name.
    view = _open(window)
    grid = tmp_path / "samples" / "step_000004.png"
    grid.parent.mkdir()
    Image.new("RGB", (8, 8), (255, 0, 0)).save(grid)
    view.spec, view.tail = SimpleNamespace(run_dir=tmp_path, steps=4), LossTail(tmp_path / "losses.jsonl")
    view.poll()
    assert view.grid_path == grid and view.grid.pixmap().toImage().pixelColor(4, 4).red() == 255
    Image.new("RGB", (8, 8), (0, 0, 255)).save(grid)
    later = grid.stat().st_mtime_ns + 1_000_000_000
    os.utime(grid, ns=(later, later))
    view.poll()
    assert view.grid.pixmap().toImage().pixelColor(4, 4).blue() == 255


def test_a_run_can_start_from_a_model_the_artist_has(qtbot, window, pictures):
    """Fine-tuning from the view: the family's models are offered, the size follows the chosen one,
    and the process starts from its weights (the 3-class model's class layer fresh for 2 classes)."""
    from genimg_desktop.core import paths
    from tests.support.tiny_models import GAN_CLASSES, install_trained, make_gan_trainer

    install_trained(
        make_gan_trainer(pictures.parent / "src"), paths.user_models_dir(), "tiny-start", "Start", GAN_CLASSES
    )
    window.start_engine()
    qtbot.waitUntil(lambda: "tiny-start" in {m.id for m in window.picker.models()}, timeout=RUN_MS)
    view = _open(window)
    _fill(view, pictures, "Tuned Shapes")
    form = view.form
    form.family.setCurrentText("vae")
    assert form.start_from.findData("tiny-start") == -1  # only the family's own models
    form.family.setCurrentText("gan")
    form.size.setValue(32)
    form.start_from.setCurrentIndex(form.start_from.findData("tiny-start"))
    assert form.size.value() == 16 and not form.size.isEnabled()
    assert view.start()
    qtbot.waitUntil(lambda: view.state == "done", timeout=RUN_MS)
    assert "starting from model 'tiny-start'" in view.output.toPlainText()
    qtbot.waitUntil(lambda: form.start_from.findData("tuned-shapes") > 0, timeout=RUN_MS)  # offered next
    card = json.loads((paths.user_models_dir() / "tuned-shapes.json").read_text(encoding="utf-8"))
    assert card["training"]["init_from"]["id"] == "tiny-start" and card["class_names"] == ["discs", "squares"]
    form.start_from.setCurrentIndex(0)  # a new model again: the size is the artist's to choose
    assert form.size.isEnabled()
