"""`genimg eval`: measure one model on its dataset's test split (see the package docstring)."""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genimg_desktop.core.atomic import write_json
from genimg_desktop.core.model_card import ModelCard
from genimg_desktop.engine.device import device_label, resolve_device
from genimg_desktop.engine.evaluation.diversity import per_class_scores
from genimg_desktop.engine.evaluation.likelihood import likelihood_metrics
from genimg_desktop.engine.evaluation.sample_metrics import (
    accuracy_by_class,
    class_counts,
    classify,
    draw_samples,
    frechet_with_floor,
)
from genimg_desktop.engine.registry import ModelRegistry

BATCH = 250  # images per call into a model or the classifier
Report = Callable[[str], None]


@dataclass(frozen=True)
class EvalOptions:
    samples: int = 1000  # generated images for accuracy and the Fréchet distance
    limit: int | None = None  # use only N test images (spread over the split)
    seed: int = 0
    batch: int = BATCH
    # Evaluation model ids, the first one leading; default: every one for the model's dataset, so
    # that no number rests on a single network.
    classifiers: tuple[str, ...] = ()
    # "sample" task parameters the samples are drawn with (e.g. guidance, truncation); {}: the defaults
    sampling: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Test:
    pixels: np.ndarray  # uint8 (N, H, W, C), as the data package gives them (for the family methods)
    labels: np.ndarray  # int64 (N,)

    @property
    def images(self) -> torch.Tensor:
        """uint8 (N, C, H, W), for the classifier."""
        return torch.from_numpy(self.pixels.transpose(0, 3, 1, 2).copy())


def evaluate(
    model_id: str,
    registry: ModelRegistry | None = None,
    device: str = "auto",
    options: EvalOptions | None = None,
    report: Report | None = None,
) -> dict[str, Any]:
    """The metrics of `model_id` as one JSON-able dict ("notes" says what could not be measured)."""
    options, report = options or EvalOptions(), report or (lambda _text: None)
    registry = registry or ModelRegistry()
    started = time.perf_counter()
    card = registry.descriptor(model_id).card
    if not card.dataset or not card.resolution:
        raise ValueError(
            f"model '{model_id}' has no 'dataset' and 'resolution' in its card: nothing to test on"
        )
    dev = resolve_device(device)
    model = registry.load(model_id, dev)
    report(f"loading the test split of {card.dataset}")
    test = _load_test(card, options.limit)
    result: dict[str, Any] = {"model": model_id, "family": card.family, "dataset": card.dataset}
    result.update(split="test", test_images=len(test.labels), seed=options.seed)
    notes: list[str] = []
    labels = test.labels if card.class_names else None
    report("likelihood")
    result.update(likelihood_metrics(model, test.pixels, labels, options.seed, options.batch))
    if getattr(model, "likelihood_note", None):  # e.g. a bound rather than an exact likelihood
        notes.append(model.likelihood_note)
    if card.role == "evaluation":
        result.update(_accuracy(model, test, card.class_names, options.batch))
    else:
        result.update(_sample_part(model, card, test, registry, dev, options, notes, report))
    result.update(device=device_label(dev), precision=model.precision.label)
    result.update(wall_s=round(time.perf_counter() - started, 2), notes=notes)
    return result


def _load_test(card: ModelCard, limit: int | None) -> _Test:
    from genimg_desktop.engine.training.data import load_dataset

    assert card.resolution is not None
    data = load_dataset(card.dataset, card.resolution, "test", channels=card.channels, limit=limit)
    if card.class_names and tuple(data.class_names) != tuple(card.class_names):
        raise ValueError(f"the test split's classes differ from the model's: {list(data.class_names)}")
    return _Test(np.ascontiguousarray(data.images), np.asarray(data.labels, dtype=np.int64))


def _accuracy(classifier: Any, test: _Test, names: tuple[str, ...], batch: int) -> dict[str, Any]:
    predicted, _ = classify(classifier, test.images, batch)
    overall, per_class = accuracy_by_class(predicted, test.labels, {k: k for k in range(len(names))}, names)
    return {"accuracy": round(overall, 4), "accuracy_per_class": per_class}


def _sample_part(
    model: Any,
    card: ModelCard,
    test: _Test,
    registry: ModelRegistry,
    device: torch.device,
    options: EvalOptions,
    notes: list[str],
    report: Report,
) -> dict[str, Any]:
    """Classifier accuracy on conditional samples, the Fréchet distances and the per-class precision,
    recall and diversity, by the first classifier; the same by every other one under
    "second_opinions", with how often it agrees with the first."""
    if not callable(getattr(model, "sample_tensor", None)):
        notes.append(f"the {card.family} family has no sample_tensor(): no sample metrics")
        return {}
    classifiers = _pick_classifiers(registry, card, options.classifiers, device)
    if not classifiers:
        hint = f"train one with `genimg train --family classifier --data {card.dataset}`"
        notes.append(f"no evaluation classifier for '{card.dataset}' ({card.channels} channels): {hint}")
        return {}
    names = card.class_names
    counts = class_counts(test.labels, len(names), options.samples) if names else [options.samples]
    report(f"drawing {sum(counts)} samples")
    samples, wanted = draw_samples(model, counts, options.seed, options.batch, options.sampling)
    drawn_with = model.sampling_settings(options.sampling)  # what the samples were drawn with
    out: dict[str, Any] = {"sampling": {k: v for k, v in drawn_with.items() if k not in ("count", "class")}}
    out["samples"] = len(wanted)
    verdicts = []
    for classifier in classifiers:
        report(f"judging with {classifier.card.id}")
        verdicts.append(_judge(classifier, names, test, samples, wanted, options))
    out.update(verdicts[0].scores)
    if len(verdicts) > 1:
        first = verdicts[0].named_predictions
        out["second_opinions"] = [
            {**v.scores, "agreement": round(float((v.named_predictions == first).mean()), 4)}
            for v in verdicts[1:]
        ]
    return out


@dataclass(frozen=True)
class _Verdict:
    scores: dict[str, Any]
    named_predictions: np.ndarray  # the class name each sample was given, to compare classifiers


def _judge(
    classifier: Any,
    names: tuple[str, ...],
    test: _Test,
    samples: torch.Tensor,
    wanted: np.ndarray,
    options: EvalOptions,
) -> _Verdict:
    """One classifier's view of the samples: accuracy, Fréchet distance, per-class diversity."""
    known = classifier.card.class_names
    mapping = {k: known.index(n) for k, n in enumerate(names) if n in known}
    test_pred, test_feats = classify(classifier, test.images, options.batch)
    predicted, feats = classify(classifier, samples, options.batch)
    out: dict[str, Any] = {"classifier": classifier.card.id}
    if names:
        out["classifier_test_accuracy"] = round(
            accuracy_by_class(test_pred, test.labels, mapping, names)[0], 4
        )
        overall, per_class = accuracy_by_class(predicted, wanted, mapping, names)
        out.update(sample_accuracy=round(overall, 4), sample_accuracy_per_class=per_class)
    out.update(frechet_with_floor(feats, test_feats, options.seed))
    if names:
        out.update(per_class_scores(feats, wanted, test_feats, test.labels, names, options.seed))
    named = np.asarray(known, dtype=object)[predicted] if known else predicted
    return _Verdict(out, named)


def _pick_classifiers(
    registry: ModelRegistry, card: ModelCard, wanted: tuple[str, ...], device: torch.device
) -> list[Any]:
    """The classifiers named in `wanted`, else every evaluation classifier of the dataset with the
    model's channels: same size first (no resizing), then by id (the dataset's first one leads)."""
    if wanted:
        return [registry.load(model_id, device) for model_id in wanted]
    fitting = [d for d in registry.evaluation_models(card.dataset) if d.card.channels == card.channels]
    fitting.sort(key=lambda d: (d.card.resolution != card.resolution, d.id))
    return [registry.load(d.id, device) for d in fitting]


def write_card_metrics(card_path: Path, result: dict[str, Any], command: str = "") -> Path:
    """Store `result` as the card's "metrics" (with when and how it was measured); the rest of the
    card is kept as it is."""
    card = json.loads(Path(card_path).read_text(encoding="utf-8"))
    metrics = {k: v for k, v in result.items() if k not in ("model", "family", "dataset")}
    stamp = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    card["metrics"] = {**metrics, "command": command, "measured": stamp}
    return write_json(Path(card_path), card)
