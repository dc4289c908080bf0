"""What a model family provides to the training loop: its own math, nothing else.

The loop (engine/training/loop.py) owns data loading, the step counter, checkpoints, logging,
sample grids, DDP and writing the finished model with its card. A family subclasses
`FamilyTrainer` in its own module (gan/trainer.py, ...); engine/families.py names it for the family.

Tensor convention inside training: images are float32 (B, C, H, W) in [-1, 1]; labels (B,) int64.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import torch
from torch import nn

from genimg_desktop.engine.training.batches import DeviceImages
from genimg_desktop.engine.training.mixed_precision import AutocastForward, training_dtype


@dataclass
class TrainConfig:
    """Everything `genimg train` was asked for; written into checkpoints and the model card."""

    family: str
    data: str  # a built-in dataset name (fashion-mnist, mnist, emoji, openclipart) or a folder
    size: int  # square side in pixels
    out: Path  # run folder: checkpoints and sample grids
    steps: int = 2000
    batch_size: int = 64  # the global batch: under DDP each of W processes trains on batch_size / W
    lr: float | None = None  # None: the family's default (engine/families.py); `train` fills it in
    # Linear decay of every optimiser's learning rate to zero from this step to `steps` (the
    # pix2pix/CycleGAN schedule); None keeps it constant. It may be added or changed when resuming,
    # so a finished run can be fine-tuned with a falling rate; the result equals a straight run.
    lr_decay_from: int | None = None
    seed: int = 0
    channels: int | None = None  # None: the dataset's own (1 for gray, 3 for colour)
    sample_every: int = 500
    # Also a grid whenever this many seconds of training passed since the last one (0: off): a first
    # look after minutes on any machine, where a step costs a second on a laptop CPU and 1 ms on a GPU.
    sample_every_s: float = 0.0
    checkpoint_every: int = 500
    model_id: str = ""  # id of the finished model; default from family + data + size
    name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # family hyperparameters (--set key=value)
    limit: int | None = None  # train on N images only, spread over the set (tests, quick tries)
    device: str = "auto"  # auto, cpu, cuda, mps; under torchrun each rank takes cuda:LOCAL_RANK
    precision: str = "float32"  # float32, bfloat16 or auto: the forward passes' type (mixed_precision.py)
    models_dir: Path | None = None  # where the finished model goes; None: the user's models folder
    command: str = ""  # the command line that started the run, for the model card
    init_from: str | None = None  # a model id: start from its weights (warm_start.py)


@dataclass(frozen=True)
class DataInfo:
    """What a family needs to know about the data to build its networks."""

    channels: int
    size: int
    class_names: tuple[str, ...]
    dataset: str

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


class FamilyTrainer(ABC):
    """One family's training math. Build networks in __init__; wrap trainable modules with
    `self.wrap(module)` so the loop can make them DistributedDataParallel when run under torchrun."""

    # The card's "role": "generation" models are listed in the app; "evaluation" ones (the classifier)
    # only by the evaluation code (ModelRegistry.evaluation_models).
    role: ClassVar[str] = "generation"
    # True when train_step sets the learning rate itself (the classifier's warm-up + cosine): the loop's
    # `lr_decay_from` schedule is then refused.
    own_lr_schedule: ClassVar[bool] = False
    # The attributes (modules) that `--init-from` fills from a model file: those `export` writes.
    warm_modules: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: TrainConfig, data: DataInfo, device: torch.device) -> None:
        if config.lr is None:  # `train` fills in the family's default; a trainer built directly must say
            raise ValueError("TrainConfig.lr is unset (train() gives the family's default)")
        self.config = config
        self.data = data
        self.device = device
        # The loop sets the DDP wrapper (see `wrapping`) before the family's __init__ runs, so modules
        # wrapped while building the networks are wrapped already.
        self._wrapper: Callable[[nn.Module], nn.Module] = _WRAPPER.get()
        self.autocast_dtype = training_dtype(config.precision, device)  # None: float32

    @property
    def precision(self) -> str:
        """What the forward passes compute in: "float32" or "bfloat16" (for messages and the card)."""
        return str(self.autocast_dtype or torch.float32).removeprefix("torch.")

    def optimizers(self) -> list[torch.optim.Optimizer]:
        """The optimisers whose learning rate the loop schedules (`lr_decay_from`): by default every
        optimiser attribute of the trainer."""
        return [value for value in vars(self).values() if isinstance(value, torch.optim.Optimizer)]

    def wrap(self, module: nn.Module) -> nn.Module:
        """The module to call in forward passes (DDP-wrapped when distributed, under autocast in
        mixed precision)."""
        wrapped = self._wrapper(module)
        if self.autocast_dtype is None:
            return wrapped
        return AutocastForward(wrapped, self.device.type, self.autocast_dtype)

    @abstractmethod
    def train_step(self, images: torch.Tensor, labels: torch.Tensor) -> dict[str, float]:
        """One optimisation step on a batch; returns named losses for the log and the plot."""

    @abstractmethod
    def sample_grid(self, count: int, generator: torch.Generator) -> torch.Tensor:
        """`count` samples (count, C, H, W) in [-1, 1], spread over the classes, for the grid image.

        The loop asks for `k * num_classes` samples when there are classes and shows one row per
        class: give them class-major (sample i is of class i // k)."""

    @abstractmethod
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume exactly: networks, optimisers, EMA copies, counters."""

    @abstractmethod
    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what `state_dict` returned."""

    def timing_plan(self) -> list[tuple[int, float]]:
        """The phases of a run whose steps cost differently, for timing it before it starts
        (engine/training/step_timing.py): (0-based step where one starts, its share of the run). By
        default every step costs the same."""
        return [(0, 1.0)]

    def finish(self, images: DeviceImages) -> bool:
        """After the last step, before export, on the main process: work on the whole training set
        (the VAE fits its latent prior here). True when it changes what `sample_grid` draws, so the
        loop draws the final grid again."""
        return False

    @abstractmethod
    def export(self) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
        """(weights for the shipped safetensors file, the card's `config` dict that lets the family's
        GenerationModel rebuild the same network)."""


class CheckpointedTrainer(FamilyTrainer):
    """A family trainer whose checkpoint is the state_dicts of the attributes named in
    `checkpointed` (networks, EMA copies, optimisers), its step counter, and its settings card,
    which a resume must match (another --set would otherwise continue a different model)."""

    checkpointed: ClassVar[tuple[str, ...]] = ()
    settings_name: ClassVar[str] = ""  # "GAN", "VAE", ...: names the settings in the refusal
    # Settings a family gained after runs were checkpointed, with the value those runs trained with:
    # such a checkpoint still resumes while this run keeps them at that value.
    added_settings: ClassVar[Mapping[str, Any]] = {}
    step: int

    @abstractmethod
    def settings_card(self) -> dict[str, Any]:
        """The family settings of this run, as the card's `config` holds them."""

    def state_dict(self) -> dict[str, Any]:
        state = {name: getattr(self, name).state_dict() for name in self.checkpointed}
        return {**state, "step": self.step, "config": self.settings_card()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        saved = {**self.added_settings, **state.get("config", self.settings_card())}
        if saved != self.settings_card():
            raise ValueError(f"checkpoint was made with other {self.settings_name} settings than this run's")
        for name in self.checkpointed:
            getattr(self, name).load_state_dict(state[name])
        self.step = int(state["step"])


_WRAPPER: ContextVar[Callable[[nn.Module], nn.Module]] = ContextVar("wrapper", default=lambda module: module)


@contextmanager
def wrapping(wrapper: Callable[[nn.Module], nn.Module]) -> Iterator[None]:
    """Trainers built inside this block use `wrapper` (e.g. DistributedDataParallel) in `wrap`."""
    token = _WRAPPER.set(wrapper)
    try:
        yield
    finally:
        _WRAPPER.reset(token)
