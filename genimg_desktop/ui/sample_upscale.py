"""Upscale… in the samples panel: a small sample (a 64 px emoji, a 28 px garment) enlarged with an
"upscale" model before it is opened or placed into the mask, where it would otherwise be stretched
blurry. The panel then shows the enlarged sample, selected, ready for Into mask (the gallery keeps
the grid it came from).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLabel, QSpinBox, QWidget

from genimg_desktop.core import upscale
from genimg_desktop.core.model_card import ModelDescriptor
from genimg_desktop.core.request import GenerationResult
from genimg_desktop.ui.dialog_buttons import ok_cancel
from genimg_desktop.ui.upscale import UpscaleHost
from genimg_desktop.ui.upscale_dialog import upscalers

TEXT = "Upscale the sample"
DEFAULT_SIDE = 256  # px: a sample's longest side after upscaling, unless it is larger already


class SampleUpscaleDialog(QDialog):
    def __init__(self, size: tuple[int, int], models: list[ModelDescriptor], parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle(TEXT)
        self._size = size
        self.model = QComboBox()
        for model in models:
            self.model.addItem(model.card.name, model.id)
        self.side = QSpinBox()
        longest = max(size)
        self.side.setRange(longest + 1, int(longest * upscale.MAX_FACTOR))
        self.side.setSuffix(" px")
        self.side.setValue(max(DEFAULT_SIDE, 2 * longest))
        self.error = QLabel()
        self.error.setStyleSheet("color: #d04040")
        form = QFormLayout(self)
        form.addRow(QLabel(f"The sample is {size[0]} x {size[1]} px."))
        form.addRow("Model:", self.model)
        form.addRow("Longest side:", self.side)
        form.addRow(self.error)
        form.addRow(ok_cancel(self))

    def model_id(self) -> str | None:
        return self.model.currentData()

    def factor(self) -> float:
        return self.side.value() / max(self._size)

    def new_size(self) -> tuple[int, int]:
        return upscale.target_size(self._size, self.factor())

    def accept(self) -> None:
        if self.model_id() is None:
            self.error.setText("No upscaling model is installed (Models > Model manager imports one).")
            return
        super().accept()


def ask(host: UpscaleHost, result: GenerationResult, index: int) -> SampleUpscaleDialog | None:
    """The dialog for sample `index` of `result` (window-modal, not blocking); OK enlarges it."""
    if host.model.busy:
        host.model.say(f"{TEXT}: wait for the job to finish, or cancel it (Esc) first", 8000)
        return None
    one = result.pick(index)
    height, width = one.images[0].shape[:2]
    dialog = SampleUpscaleDialog((width, height), upscalers(host.model.models), host.window())
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.accepted.connect(lambda: run(host, one, dialog.model_id(), dialog.new_size()))
    dialog.open()
    return dialog


def run(host: UpscaleHost, sample: GenerationResult, model_id: str | None, size: tuple[int, int]) -> bool:
    """Enlarge the one-image result `sample` to `size` with the model; the panel then shows it."""
    model = next((d for d in upscalers(host.model.models) if d.id == model_id), None)
    if model is None:
        host.model.say(f"{TEXT}: no upscaling model '{model_id}' is installed", 8000)
        return False
    pixels = sample.images[0][..., :3]
    task = model.task("upscale")
    factor = upscale.factor_for(pixels.shape[1::-1], size)
    params = {**task.defaults(), "scale": min(factor, upscale.MAX_FACTOR)}

    def done(result: GenerationResult) -> None:
        enlarged = upscale.resample(result.images[0], size)
        info = {**sample.info, "upscaled_with": model.id}
        host.jobs.samples.emit(GenerationResult(sample.request, [enlarged], info, sample.elapsed_s))
        host.model.say(f"{TEXT}: {size[0]} x {size[1]} px with {model.card.name}; Into mask places it", 8000)

    return host.jobs.run((model, task, params), on_result=done, image=pixels.copy()) is not None
