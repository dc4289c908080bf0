"""Starting a run from an existing model's weights (`genimg train --init-from ID`).

Two uses: an artist fine-tunes a built-in model on a few dozen pictures of their own (far better than
training from scratch on so few), and a shipped model is trained on after its run folder, with the
checkpoint, is gone. Only the weights travel: optimisers start fresh, and so does everything a model
file does not hold (a GAN's discriminator). Tensors whose shape differs, such as the class embeddings
of a model with other classes, keep this run's fresh initialisation. A layer that gained input
channels (a convolution given more inputs, added last) takes the source's weights for the old ones and
zero for the new: the run starts as the source model and learns to use the new inputs.

The source model is read once, when the run starts. Its checkpoints then hold the weights, the
settings taken from it and which model it was, so a paused run resumes after the source model was
deleted or replaced, and its card still names the model it started from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from genimg_desktop.core.model_card import ModelCard
from genimg_desktop.core.run_folder import CHECKPOINT
from genimg_desktop.engine.training import checkpoint as ckpt
from genimg_desktop.engine.training.family_trainer import FamilyTrainer, TrainConfig
from genimg_desktop.engine.weights import load_weights

# Below this share of the run's tensors taken from the source model, the source does not fit this
# architecture (other --set settings): refuse instead of training a mostly fresh network by accident.
MIN_SHARE = 0.5


@dataclass(frozen=True)
class WarmStart:
    """What a run took from its source model, for the start message and the card."""

    model_id: str
    sha256: str
    copied: int  # tensors taken from the source
    fresh: tuple[str, ...]  # tensors of this run that kept their initialisation (shape differs)

    def message(self) -> str:
        """E.g. "from model 'gan-emoji-64' (52 tensors; 2 start fresh (...))", for the start line."""
        fresh = ""
        if self.fresh:
            more = ", ..." if len(self.fresh) > 3 else ""
            fresh = f"; {len(self.fresh)} start fresh ({', '.join(self.fresh[:3])}{more})"
        return f"from model '{self.model_id}' ({self.copied} tensors{fresh})"


@dataclass(frozen=True)
class InitFrom:
    """What `--init-from` means for this run: the config with the source's settings, the source's
    card when its weights are still to be copied (a fresh run), and the origin for checkpoints and
    the card ({"id", "sha256"})."""

    config: TrainConfig
    card: ModelCard | None
    origin: dict[str, str]


def resolve(config: TrainConfig, any_size: bool) -> InitFrom:
    """Read the source model for a fresh run; for a run whose checkpoint started from the same model,
    take what the checkpoint recorded instead (the source may be gone by now)."""
    assert config.init_from
    recorded = ckpt.peek_checkpoint(Path(config.out) / CHECKPOINT)
    if recorded is not None:
        saved, origin = recorded
        if saved.get("init_from") == config.init_from and origin is not None:
            extra = {**saved.get("extra", {}), **config.extra}
            return InitFrom(replace(config, channels=saved.get("channels"), extra=extra), None, origin)
    card = source_card(config.init_from)
    return InitFrom(inherit(config, card, any_size), card, {"id": card.id, "sha256": card.sha256 or ""})


def source_card(model_id: str) -> ModelCard:
    """The card of the model a run starts from (built-in or the user's); ValueError when unknown."""
    from genimg_desktop.engine.registry import ModelNotFoundError, ModelRegistry

    try:
        return ModelRegistry().descriptor(model_id).card
    except ModelNotFoundError as exc:
        raise ValueError(f"--init-from: {exc}") from None


def inherit(config: TrainConfig, card: ModelCard, any_size: bool) -> TrainConfig:
    """`config` with the source's architecture settings under its own `--set` ones (so fine-tuning
    needs no repeated --set), after checking that the source can start this run at all."""
    if card.family != config.family:
        raise ValueError(f"--init-from: '{card.id}' is a {card.family} model, not {config.family}")
    if card.weights is None:
        raise ValueError(f"--init-from: '{card.id}' has no weights")
    if not any_size and card.resolution is not None and card.resolution != config.size:
        raise ValueError(
            f"--init-from: '{card.id}' works at {card.resolution} px; train with --size {card.resolution}"
        )
    if config.channels is not None and config.channels != card.channels:
        raise ValueError(f"--init-from: '{card.id}' has {card.channels} channel(s), not {config.channels}")
    training = card.raw.get("training")
    settings = training.get("settings") if isinstance(training, Mapping) else None
    inherited = dict(settings) if isinstance(settings, Mapping) else {}
    return replace(config, channels=card.channels, extra={**inherited, **config.extra})


def warm_start(trainer: FamilyTrainer, card: ModelCard) -> WarmStart:
    """Copy the source model's weights into the trainer's `warm_modules` (name and shape equal);
    ValueError when less than MIN_SHARE of them fit."""
    assert card.weights is not None  # inherit() refused a model without weights
    weights = load_weights(card.weights, card.sha256, "cpu")
    copied, fresh, total = 0, [], 0
    for name in trainer.warm_modules:
        module: torch.nn.Module = getattr(trainer, name)
        own = module.state_dict()
        fitting = {k: v for k, v in weights.items() if k in own and own[k].shape == v.shape}
        fitting.update(
            {k: grown for k, v in weights.items() if k in own and (grown := _grown(own[k], v)) is not None}
        )
        module.load_state_dict({**own, **fitting})  # copies into the run's tensors, device and dtype kept
        copied, total = copied + len(fitting), total + len(own)
        fresh += [k for k in own if k not in fitting and k not in fresh]
    if total == 0 or copied < MIN_SHARE * total:
        raise ValueError(
            f"--init-from: the weights of '{card.id}' do not fit this run ({copied} of {total} tensors "
            f"match); use its architecture settings (its card's training settings)"
        )
    return WarmStart(card.id, card.sha256 or "", copied, tuple(fresh))


def _grown(own: torch.Tensor, source: torch.Tensor) -> torch.Tensor | None:
    """`source` widened to `own`'s shape with zeros when `own` has more input channels (dim 1, added
    last) and is otherwise equal (a weight of 2+ dimensions); None when it does not fit that way."""
    if own.dim() < 2 or own.dim() != source.dim() or own.shape[1] <= source.shape[1]:
        return None
    if own.shape[:1] + own.shape[2:] != source.shape[:1] + source.shape[2:]:
        return None
    grown = torch.zeros(own.shape, dtype=source.dtype)
    grown[:, : source.shape[1]] = source
    return grown
