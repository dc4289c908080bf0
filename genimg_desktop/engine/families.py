"""Every model family, described once: the list the registry, `genimg train`, the training view and the
bench read. A model card names its family; adding a family means adding one line here."""

from __future__ import annotations

from dataclasses import dataclass

from genimg_desktop.engine.base import GenerationModel
from genimg_desktop.engine.classical import ClassicalInpaint
from genimg_desktop.engine.classifier import Classifier, ClassifierTrainer
from genimg_desktop.engine.gan.model import GanModel
from genimg_desktop.engine.gan.trainer import GanTrainer
from genimg_desktop.engine.hybrid import HybridInpaint
from genimg_desktop.engine.inpaint.model import InpaintModel
from genimg_desktop.engine.inpaint.trainer import InpaintTrainer
from genimg_desktop.engine.patchmatch import PatchMatchInpaint
from genimg_desktop.engine.pixelcnn.model import PixelCNNModel
from genimg_desktop.engine.pixelcnn.trainer import PixelCNNTrainer
from genimg_desktop.engine.restore.denoise_trainer import DenoiseTrainer
from genimg_desktop.engine.restore.model import RestoreModel, UpscaleModel
from genimg_desktop.engine.restore.sr_trainer import UpscaleTrainer
from genimg_desktop.engine.texture.model import TextureModel
from genimg_desktop.engine.texture.singan_model import SinGanModel
from genimg_desktop.engine.texture.singan_trainer import SinGanTrainer
from genimg_desktop.engine.texture.trainer import TextureTrainer
from genimg_desktop.engine.training.family_trainer import FamilyTrainer
from genimg_desktop.engine.vae.model import VaeModel
from genimg_desktop.engine.vae.trainer import VaeTrainer


@dataclass(frozen=True)
class Family:
    """One family: the model the app runs, the trainer `genimg train` runs (None: nothing to train),
    the learning rate a run gets unless told otherwise, and whether its networks run at any picture size
    (fully convolutional: the card states no resolution, the app shows "any size")."""

    model: type[GenerationModel]
    trainer: type[FamilyTrainer] | None
    lr: float | None  # None exactly when there is no trainer
    any_size: bool

    @property
    def name(self) -> str:
        """What model cards write as "family" (the model class's `family`)."""
        return self.model.family

    @property
    def trains_generator(self) -> bool:
        """A family the training view offers: trainable, and its models serve the app (not `genimg eval`)."""
        return self.trainer is not None and self.trainer.role == "generation"


# The learning rates are those the shipped models were trained with (models/*.json, "training").
FAMILY_LIST: tuple[Family, ...] = (
    Family(GanModel, GanTrainer, lr=2e-4, any_size=False),
    Family(VaeModel, VaeTrainer, lr=1e-3, any_size=False),
    Family(PixelCNNModel, PixelCNNTrainer, lr=1e-3, any_size=False),
    Family(InpaintModel, InpaintTrainer, lr=3e-4, any_size=True),
    Family(TextureModel, TextureTrainer, lr=1e-3, any_size=True),
    Family(SinGanModel, SinGanTrainer, lr=5e-4, any_size=True),
    Family(ClassicalInpaint, None, lr=None, any_size=True),
    Family(PatchMatchInpaint, None, lr=None, any_size=True),
    Family(HybridInpaint, None, lr=None, any_size=True),
    Family(UpscaleModel, UpscaleTrainer, lr=1e-3, any_size=True),
    Family(RestoreModel, DenoiseTrainer, lr=1e-3, any_size=True),
    Family(Classifier, ClassifierTrainer, lr=2e-3, any_size=False),
)


def family(name: str) -> Family:
    """The family a card or `--family` names; a ValueError lists the names there are."""
    for entry in FAMILY_LIST:
        if entry.name == name:
            return entry
    known = ", ".join(entry.name for entry in FAMILY_LIST)
    raise ValueError(f"no model family '{name}' (there are: {known})")


def trainable(name: str) -> Family:
    """The family `genimg train --family NAME` trains; a ValueError lists those there are."""
    found = next((entry for entry in FAMILY_LIST if entry.name == name and entry.trainer), None)
    if found is None:
        names = ", ".join(entry.name for entry in FAMILY_LIST if entry.trainer is not None)
        raise ValueError(f"no trainer for family '{name}' (available: {names})")
    return found
