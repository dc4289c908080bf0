"""Metrics of a model's samples, judged by the project classifier: accuracy on the requested class,
and the Fréchet distance to test images in the classifier's feature space, beside the floor (the
same distance for real held-out images)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from genimg_desktop.engine.evaluation.frechet import frechet_distance
from genimg_desktop.engine.training.batches import to_unit_range


def classify(classifier: Any, images: torch.Tensor, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """(predicted classifier classes (N,), features (N, D)) for float images in [-1, 1] or uint8."""
    predictions, features = [], []
    with torch.inference_mode():
        for start in range(0, len(images), batch):
            chunk = images[start : start + batch]
            chunk = to_unit_range(chunk) if chunk.dtype == torch.uint8 else chunk
            logits, feats = classifier.logits_and_features(chunk)
            predictions.append(logits.argmax(1).cpu())
            features.append(feats.double().cpu())
    return torch.cat(predictions).numpy(), torch.cat(features).numpy()


def class_counts(test_labels: np.ndarray, num_classes: int, total: int) -> list[int]:
    """Samples per class in the test split's proportions (so the Fréchet distance compares like with
    like), at least one of every class (so every class gets an accuracy)."""
    freq = np.bincount(test_labels, minlength=num_classes)[:num_classes] / max(len(test_labels), 1)
    share = total * freq
    counts = np.floor(share).astype(int)
    counts[np.argsort(counts - share)[: total - int(counts.sum())]] += 1  # largest remainders: sum == total
    return [max(1, int(c)) for c in counts]


def draw_samples(
    model: Any, counts: list[int], seed: int, batch: int, settings: dict[str, Any] | None = None
) -> tuple[torch.Tensor, np.ndarray]:
    """counts[k] samples of each class k (class None for an unconditional model: one entry), drawn
    with the "sample" task's `settings` over its defaults."""
    generator = torch.Generator().manual_seed(seed)
    conditional = len(counts) > 1 or bool(model.card.class_names)
    images, labels = [], []
    with torch.inference_mode():
        for cls, count in enumerate(counts):
            for start in range(0, count, batch):
                size = min(batch, count - start)
                images.append(
                    model.sample_tensor(size, cls if conditional else None, generator, settings).float().cpu()
                )
                labels += [cls] * size
    return torch.cat(images), np.asarray(labels, dtype=np.int64)


def accuracy_by_class(
    predicted: np.ndarray, wanted: np.ndarray, mapping: dict[int, int], names: tuple[str, ...]
) -> tuple[float, dict[str, float]]:
    """Share of samples the classifier puts in the class they were asked for, overall and per class
    (model classes the classifier does not know are left out)."""
    per_class, hits, seen = {}, 0, 0
    for cls, target in mapping.items():
        chosen = wanted == cls
        if chosen.any():
            correct = int((predicted[chosen] == target).sum())
            per_class[names[cls]] = round(correct / int(chosen.sum()), 4)
            hits, seen = hits + correct, seen + int(chosen.sum())
    return (hits / seen if seen else float("nan")), per_class


def frechet_with_floor(sample_feats: np.ndarray, test_feats: np.ndarray, seed: int) -> dict[str, float | int]:
    """FD(samples, reference) and FD(held-out real, reference): the test split is cut in two halves
    (seeded), one the reference and one the real "held-out" set; both compared sets get the same
    number of images, because the distance is biased upwards for small sets."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(test_feats))
    half = len(order) // 2
    reference, held_out = test_feats[order[:half]], test_feats[order[half:]]
    count = min(len(sample_feats), len(held_out))
    if count < 2 or len(reference) < 2:
        raise ValueError("too few images for a Fréchet distance (need 2+ samples and 4+ test images)")
    samples = sample_feats[rng.permutation(len(sample_feats))[:count]]
    return {
        "fd": round(frechet_distance(samples, reference), 4),
        "fd_floor": round(frechet_distance(held_out[:count], reference), 4),
        "fd_images": count,
        "fd_reference_images": len(reference),
    }
