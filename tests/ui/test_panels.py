"""Parameter panel (built from a TaskSpec, every kind), model picker and settings, without the window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QLineEdit,
    QPushButton,
    QSlider,
    QSpinBox,
)

from genimg_desktop.core.model_card import ModelCard, ModelDescriptor
from genimg_desktop.core.params import ParamSpec, TaskSpec
from genimg_desktop.ui.panels.model_picker import ModelPicker
from genimg_desktop.ui.panels.param_panel import ParamPanel
from genimg_desktop.ui.settings import Settings

ALL_KINDS = TaskSpec(
    "sample",
    "Sample",
    (
        ParamSpec("steps", "int", 20, minimum=1, maximum=100, help="number of steps"),
        ParamSpec("batch", "int", 3, minimum=1, help="unbounded above: no slider"),
        ParamSpec("strength", "float", 0.5, minimum=0.0, maximum=1.0, step=0.05, help="how strong"),
        ParamSpec("tile", "bool", False, help="tile the output"),
        ParamSpec("sampler", "choice", "ddim", choices=("ddim", "euler", "heun"), help="sampler"),
        ParamSpec("label", "text", "cat", help="class label"),
        ParamSpec("picture", "image_file", "", help="a picture file"),
    ),
)


def test_param_panel_builds_one_editor_per_kind(qtbot):
    panel = ParamPanel()
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.values_changed):
        panel.set_task(ALL_KINDS)
    kinds = {
        "steps": QSpinBox,
        "batch": QSpinBox,
        "strength": QDoubleSpinBox,
        "tile": QCheckBox,
        "sampler": QComboBox,
        "label": QLineEdit,
        "picture": QPushButton,  # "Browse…" beside its line edit
    }
    for name, widget_type in kinds.items():
        editor = panel.editor(name)
        assert editor.findChild(widget_type) is not None, name
        assert editor.toolTip() == ALL_KINDS.param(name).help
    assert panel.editor("steps").findChild(QSlider) is not None  # small bounded range: a slider too
    assert panel.editor("batch").findChild(QSlider) is None
    assert panel.values() == ALL_KINDS.defaults()
    assert ALL_KINDS.resolve(panel.values()) == panel.values()


def test_a_picture_parameter_is_chosen_with_a_file_dialog(qtbot, monkeypatch, tmp_path):
    panel = ParamPanel()
    qtbot.addWidget(panel)
    panel.set_task(ALL_KINDS)
    editor = panel.editor("picture")
    assert editor.findChild(QLineEdit).placeholderText() == "no picture chosen"
    chosen = str(tmp_path / "end.png")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args: (chosen, "Images"))
    with qtbot.waitSignal(panel.values_changed):
        editor.findChild(QPushButton).click()
    assert panel.values()["picture"] == chosen
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args: ("", ""))  # cancelled
    editor.findChild(QPushButton).click()
    assert panel.values()["picture"] == chosen


def test_param_panel_set_values_reset_and_skips(qtbot):
    panel = ParamPanel()
    qtbot.addWidget(panel)
    panel.set_task(ALL_KINDS)
    wanted = {
        "steps": 42,
        "batch": 7,
        "strength": 0.75,
        "tile": True,
        "sampler": "heun",
        "label": "dog",
        "picture": "/pictures/end.png",
    }
    assert panel.set_values(wanted) == []
    assert panel.values() == wanted
    # From a PNG of another version: out of range is clamped, strings are coerced, unknowns skipped.
    skipped = panel.set_values({"steps": 500, "strength": "0.25", "sampler": "nope", "gone": 1})
    assert sorted(skipped) == ["gone", "sampler"]
    assert panel.values()["steps"] == 100 and panel.values()["strength"] == 0.25
    with qtbot.waitSignal(panel.values_changed):
        panel.editor("tile").set_value(False)
    panel.reset_defaults()
    assert panel.values() == ALL_KINDS.defaults()
    panel.set_task(None)
    assert panel.values() == {} and not panel.reset_button.isEnabled()


def _descriptor(model_id: str, builtin: bool, *tasks: TaskSpec) -> ModelDescriptor:
    card = ModelCard(
        id=model_id,
        name=model_id.title(),
        family="fam",
        card_path=Path(f"/models/{model_id}.json"),
        description=f"about {model_id}",
    )
    return ModelDescriptor(card=card, tasks=tasks, builtin=builtin)


INPAINT = TaskSpec("inpaint", "Inpaint", (ParamSpec("radius", "int", 3),), True, True)


def test_model_picker_lists_models_and_tasks(qtbot):
    picker = ModelPicker()
    qtbot.addWidget(picker)
    seen = []
    picker.selection_changed.connect(
        lambda model, task: seen.append((model and model.id, task and task.name))
    )
    models = [_descriptor("alpha", True, INPAINT), _descriptor("beta", False, ALL_KINDS, INPAINT)]
    picker.set_models(models)
    assert seen[-1] == ("alpha", "inpaint")
    assert "built-in" in picker.list.item(0).text() and "user" in picker.list.item(1).text()
    assert "about beta" in picker.list.item(1).toolTip()

    assert picker.select("beta", "inpaint")
    assert [picker.tasks.itemText(i) for i in range(picker.tasks.count())] == ["Sample", "Inpaint"]
    assert seen[-1] == ("beta", "inpaint") and picker.current_task() is INPAINT
    picker.tasks.setCurrentIndex(0)
    assert seen[-1] == ("beta", "sample")
    assert not picker.select("missing")

    picker.set_models(list(reversed(models)))  # a refresh keeps the selection
    assert (picker.current_model_id(), picker.current_task_name()) == ("beta", "sample")
    picker.set_models([])
    assert picker.current_model() is None and seen[-1] == (None, None)
    picker.set_errors(["bad.json: unknown family"])
    assert not picker.errors.isHidden() and "bad.json" in picker.errors.text()


def test_settings_defaults_types_and_persistence():
    first = Settings()
    assert first.brush_size == 48 and first.device_choice == "auto" and first.window_geometry.isEmpty()
    first.brush_size = 31
    first.brush_hardness = 0.25
    first.last_folder = "/tmp/pictures"
    first.device = "cuda"
    first.sync()
    second = Settings()
    assert second.brush_size == 31 and isinstance(second.brush_size, int)
    assert second.brush_hardness == 0.25 and second.last_folder == "/tmp/pictures"
    assert second.device_choice == "cuda"
    second.store.setValue(Settings.brush_size.key, "not a number")
    second.device = "tpu"
    assert second.brush_size == Settings.brush_size.default  # a bad stored value never breaks start-up
    assert second.device_choice == "auto"
