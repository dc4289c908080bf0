"""Menus, toolbar and shortcuts of the main window, declared in one place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import shiboken6
from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoStack
from PySide6.QtWidgets import QDockWidget, QInputDialog, QMenu, QMenuBar, QToolBar

from genimg_desktop.ui import (
    colour_match,
    file_ops,
    image_menu,
    outpaint,
    restore_filter,
    texture_picture,
    upscale,
)
from genimg_desktop.ui.autosave import Autosaver
from genimg_desktop.ui.canvas import CanvasView
from genimg_desktop.ui.canvas.tool_controls import ToolControls
from genimg_desktop.ui.menu_items import add_action as _add
from genimg_desktop.ui.model_folder import ModelFolder
from genimg_desktop.ui.settings import DEVICES, device_words
from genimg_desktop.ui.window_host import WindowHost


class MenuHost(WindowHost, Protocol):
    """What the menus and the toolbar need of the main window (besides opening and saving)."""

    undo_stack: QUndoStack
    canvas: CanvasView
    tool_controls: ToolControls
    autosaver: Autosaver
    model_folder: ModelFolder
    docks: list[QDockWidget]
    outpainter: outpaint.Outpainter
    upscaler: upscale.Upscaler

    def menuBar(self) -> QMenuBar: ...  # noqa: N802 - Qt's name

    def close(self) -> bool: ...

    def ask_new_blank(self) -> None: ...

    def run_job(self) -> None: ...

    def escape(self) -> None: ...

    def choose_device(self, name: str) -> None: ...

    def open_train_view(self) -> object: ...


TOOLS = (
    ("brush", "Brush", "B"),
    ("eraser", "Eraser", "E"),
    ("rect", "Rectangle", "R"),
    ("lasso", "Lasso", "L"),
    ("subject", "Select &subject", "S"),  # a box drawn around an object masks it (ui/subject_select.py)
)


def build_menus(window: MenuHost) -> dict[str, QAction]:
    """Create the menu bar; returns the actions tests and the toolbar refer to by name."""
    acts: dict[str, QAction] = {}
    bar = window.menuBar()
    file = bar.addMenu("&File")
    acts["new"] = _add(file, window, "&New blank canvas…", window.ask_new_blank, QKeySequence.StandardKey.New)
    acts["open"] = _add(
        file, window, "&Open…", lambda: file_ops.ask_open(window), QKeySequence.StandardKey.Open
    )
    file.addSeparator()
    acts["save"] = _add(
        file, window, "&Save", lambda: file_ops.ask_save(window), QKeySequence.StandardKey.Save
    )
    acts["save_as"] = _add(
        file,
        window,
        "Save &As… (PNG, JPEG, WebP, ORA)",
        lambda: file_ops.ask_save(window, True),
        "Ctrl+Shift+S",
    )
    acts["save_project"] = _add(
        file, window, "Save &Project (.ora, keeps the mask)…", lambda: file_ops.ask_save_project(window)
    )
    export = file.addMenu("&Export a copy")
    for ext, label in (("png", "PNG…"), ("jpg", "JPEG…"), ("webp", "WebP…")):
        acts[f"export_{ext}"] = _add(export, window, label, lambda e=ext: file_ops.ask_export(window, e))
    acts["autosave_interval"] = _add(file, window, "A&utosave every…", lambda: _ask_autosave(window))
    file.addSeparator()
    acts["quit"] = _add(file, window, "&Quit", window.close, QKeySequence.StandardKey.Quit)

    edit = bar.addMenu("&Edit")
    undo = window.undo_stack.createUndoAction(window.window(), "&Undo")
    undo.setShortcut(QKeySequence("Ctrl+Z"))
    redo = window.undo_stack.createRedoAction(window.window(), "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    _name_steps_in_tooltips(window.undo_stack, undo, redo)
    edit.addActions([undo, redo])
    acts["undo"], acts["redo"] = undo, redo
    edit.addSeparator()
    image_menu.add_copy(edit, window, acts)
    acts["paste"] = _add(edit, window, "&Paste image", lambda: file_ops.paste_clipboard(window), "Ctrl+V")

    image = bar.addMenu("&Image")
    _build_mask_menu(window, bar.addMenu("&Mask"), acts)
    image_menu.build_image_menu(image, window, acts)  # after the Mask menu: its tools join that group
    acts["extend"] = _add(
        image, window, "E&xtend canvas and fill…", lambda: outpaint.ask_extend(window, window.outpainter)
    )
    upscale.add_to_menu(image, window, window.upscaler, acts)
    colour_match.add_to_menu(image, window, acts)
    restore_filter.add_to_menu(bar.addMenu("Fil&ter"), window, acts)
    _build_view_menu(window, bar.addMenu("&View"), acts)
    _build_device_menu(window, bar.addMenu("&Device"), acts)
    models = bar.addMenu("M&odels")
    acts["model_manager"] = _add(models, window, "Model &manager…", window.model_folder.open_manager)
    acts["reload_models"] = _add(models, window, "&Reload models", window.model_folder.reload, "F5")
    acts["train"] = _add(models, window, "&Train a model…", window.open_train_view)
    texture_picture.add_to_menu(models, window, acts)
    job = bar.addMenu("&Generate")
    acts["run"] = _add(job, window, "&Run (Inpaint / Generate)", window.run_job, "Ctrl+Return")
    acts["cancel"] = _add(job, window, "&Cancel job / discard result", window.escape, "Esc")
    return acts


def _build_mask_menu(window: MenuHost, menu: QMenu, acts: dict[str, QAction]) -> None:
    canvas = window.canvas
    group = QActionGroup(window.window())
    for name, text, key in TOOLS:
        action = _add(menu, window, text, lambda n=name: canvas.set_tool(n), key)
        action.setCheckable(True)
        action.setChecked(name == "brush")
        group.addAction(action)
        acts[f"tool_{name}"] = action
    menu.addSeparator()
    acts["smaller"] = _add(
        menu, window, "Smaller brush", lambda: window.tool_controls.step_size(1 / 1.25), "["
    )
    acts["larger"] = _add(menu, window, "Larger brush", lambda: window.tool_controls.step_size(1.25), "]")
    menu.addSeparator()
    acts["fill_all"] = _add(menu, window, "Fill all", canvas.fill_all)
    acts["invert"] = _add(menu, window, "&Invert", canvas.invert_mask, "Ctrl+I")
    acts["clear"] = _add(menu, window, "&Clear", canvas.clear_mask, "Ctrl+Shift+X")
    acts["grow"] = _add(menu, window, "&Grow…", lambda: _ask_px(window, "Grow mask", canvas.grow_mask))
    acts["shrink"] = _add(
        menu, window, "S&hrink…", lambda: _ask_px(window, "Shrink mask", canvas.shrink_mask)
    )
    acts["feather"] = _add(
        menu, window, "&Feather…", lambda: _ask_px(window, "Feather mask", canvas.feather_mask)
    )
    menu.addSeparator()
    show = _add(menu, window, "Show mask", lambda: None, "M")
    show.setCheckable(True)
    show.setChecked(True)
    show.toggled.connect(canvas.set_mask_visible)
    acts["show_mask"] = show


def _ask_px(window: MenuHost, title: str, apply: Callable[[int], object]) -> None:
    px, ok = QInputDialog.getInt(window.window(), title, "Pixels:", window.settings.mask_step_px, 1, 500)
    if ok:
        window.settings.mask_step_px = px
        apply(px)


def _ask_autosave(window: MenuHost) -> None:
    seconds, ok = QInputDialog.getInt(
        window.window(),
        "Autosave",
        "Autosave the open image every N seconds\n(0 = only after accepting a result):",
        window.settings.autosave_interval_s,
        0,
        3600,
    )
    if ok:
        window.settings.autosave_interval_s = seconds
        window.autosaver.set_interval(seconds)


def _build_view_menu(window: MenuHost, menu: QMenu, acts: dict[str, QAction]) -> None:
    canvas = window.canvas
    acts["fit"] = _add(menu, window, "&Fit to window", canvas.fit_to_window, "Ctrl+0")
    acts["actual"] = _add(menu, window, "&Actual size (100%)", canvas.zoom_actual, "Ctrl+1")
    acts["zoom_in"] = _add(
        menu, window, "Zoom &in", lambda: canvas.zoom_by(1.25), QKeySequence.StandardKey.ZoomIn
    )
    acts["zoom_out"] = _add(
        menu, window, "Zoom &out", lambda: canvas.zoom_by(0.8), QKeySequence.StandardKey.ZoomOut
    )
    menu.addSeparator()
    for dock in window.docks:
        menu.addAction(dock.toggleViewAction())


def _build_device_menu(window: MenuHost, menu: QMenu, acts: dict[str, QAction]) -> None:
    group = QActionGroup(window.window())
    chosen = window.settings.device_choice
    for name in DEVICES:
        action = _add(
            menu,
            window,
            device_words(name),
            lambda n=name: window.choose_device(n),
        )
        action.setCheckable(True)
        action.setChecked(name == chosen)
        group.addAction(action)
        acts[f"device_{name}"] = action
    # The engine may refuse a choice (no CUDA here): the tick goes back to the one in effect.
    window.model.device_choice_changed.connect(lambda name: acts[f"device_{name}"].setChecked(True))


class _StepTooltip(QObject):
    """Keeps an undo/redo action's tooltip naming the step (a child of the action, gone with it)."""

    def __init__(self, action: QAction, word: str) -> None:
        super().__init__(action)
        self.action, self.word = action, word

    @Slot(str)
    def show(self, step: str) -> None:
        if shiboken6.isValid(self.action):  # the stack may still speak while the window is torn down
            self.action.setToolTip(f"{self.word} {step}" if step else self.word)


def _name_steps_in_tooltips(stack: QUndoStack, undo: QAction, redo: QAction) -> None:
    """The toolbar says just Undo / Redo and the step goes into the tooltip: a button showing the
    step's name ('Undo Match colours to baboon.jpg') changed width with every edit, moving the
    tools after it and pushing the last ones into the overflow. The Edit menu keeps the full text."""
    for action, word, changed in (
        (undo, "Undo", stack.undoTextChanged),
        (redo, "Redo", stack.redoTextChanged),
    ):
        action.setIconText(word)
        tooltip = _StepTooltip(action, word)
        tooltip.show("")
        changed.connect(tooltip.show)


def build_toolbar(window: MenuHost, acts: dict[str, QAction]) -> QToolBar:
    bar = QToolBar("Tools", window.window())
    bar.setObjectName("tools_toolbar")
    bar.addActions([acts["open"], acts["save"]])
    bar.addSeparator()
    bar.addActions([acts["undo"], acts["redo"]])
    bar.addSeparator()
    bar.addActions([acts[f"tool_{name}"] for name, _, _ in TOOLS] + image_menu.toolbar_actions(acts))
    bar.addSeparator()
    bar.addWidget(window.tool_controls)
    bar.addSeparator()
    bar.addActions([acts["invert"], acts["clear"], acts["show_mask"]])
    bar.addSeparator()
    bar.addActions([acts["fit"], acts["actual"]])
    return bar
