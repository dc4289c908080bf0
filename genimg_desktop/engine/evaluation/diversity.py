"""Per-class fidelity and diversity of samples in a classifier's feature space.

Accuracy and one Fréchet distance over all classes miss a collapsed class: sixteen copies of one
well-drawn shoe are all classified right, and ten other classes keep the pooled distance low. So
each class is measured on its own, samples of class c against real test images of class c:

- improved precision and recall (Kynkäänniemi et al. 2019): each set's manifold is the union of
  balls around its points with the radius of the k-th nearest neighbour (k=3) within the set;
  precision = share of samples inside the real manifold (fidelity), recall = share of real images
  inside the samples' manifold (coverage: a collapsed class leaves most real images uncovered);
- diversity: mean pairwise distance of the samples over that of real images (1.0: as varied as
  the data; a class drawn as one image scores near 0);
- the Fréchet distance of the class, beside the same distance for held-out real images.

Real images are compared at the samples' count, so the manifolds are equally dense.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from genimg_desktop.engine.evaluation.frechet import frechet_distance

K = 3  # the paper's choice: precision and recall of real vs real stay high, a collapse shows clearly
# A class is flagged as collapsed below either threshold. For real test images against a disjoint
# real set of the same size both stay near 1 (recall ~0.8-0.9 at k=3 on the classifiers' features,
# diversity ~1.0); a class drawn as a few near-copies covers almost no real image (recall < 0.1)
# and spreads less than half as far as the data. 0.2 and 0.5 leave room for honest small-sample noise
# (about 100 samples per class in a 1000-sample evaluation) while catching such a class.
MIN_RECALL = 0.2
MIN_DIVERSITY = 0.5


def pairwise_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distances (N, M) between feature rows a (N, D) and b (M, D), in float64."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    squared = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    return np.sqrt(np.clip(squared, 0, None))


def knn_radii(feats: np.ndarray, k: int = K) -> np.ndarray:
    """Distance from each row to its k-th nearest other row (N,); needs N > k."""
    if len(feats) <= k:
        raise ValueError(f"need more than {k} feature vectors for k-NN radii, got {len(feats)}")
    distances = pairwise_distances(feats, feats)
    return np.partition(distances, k, axis=1)[:, k]  # column 0 is the row itself (distance 0)


def coverage(points: np.ndarray, centres: np.ndarray, k: int = K) -> float:
    """Share of `points` inside the union of k-NN balls around `centres`."""
    inside = pairwise_distances(points, centres) <= knn_radii(centres, k)[None, :]
    return float(inside.any(axis=1).mean())


def precision_recall(real: np.ndarray, fake: np.ndarray, k: int = K) -> tuple[float, float]:
    """(precision, recall) of samples `fake` (N, D) against `real` (M, D), Kynkäänniemi et al."""
    return coverage(fake, real, k), coverage(real, fake, k)


def mean_pairwise_distance(feats: np.ndarray) -> float:
    """Mean distance over all pairs of distinct rows of feats (N, D), N >= 2."""
    if len(feats) < 2:
        raise ValueError("need at least two feature vectors for a pairwise distance")
    distances = pairwise_distances(feats, feats)
    return float(distances.sum() / (len(feats) * (len(feats) - 1)))


def class_scores(real: np.ndarray, held_out: np.ndarray, fake: np.ndarray) -> dict[str, float]:
    """One class: samples `fake` against real images `real`, and `held_out` (other real images of
    the class, as many as the samples) for the Fréchet floor and the diversity's reference."""
    precision, recall = precision_recall(real, fake)
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "diversity": round(mean_pairwise_distance(fake) / mean_pairwise_distance(held_out), 4),
        "fd": round(frechet_distance(fake, real), 4),
        "fd_floor": round(frechet_distance(held_out, real), 4),
    }


def per_class_scores(
    sample_feats: np.ndarray,
    sample_labels: np.ndarray,
    test_feats: np.ndarray,
    test_labels: np.ndarray,
    names: tuple[str, ...],
    seed: int,
) -> dict[str, Any]:
    """{"per_class": {name: class_scores}, "collapsed": [names flagged], "thresholds": {...}}; a
    class with too few samples or test images (fewer than K + 2 of either) is left out."""
    rng = np.random.default_rng(seed)
    scores: dict[str, dict[str, float]] = {}
    for cls, name in enumerate(names):
        fake = sample_feats[sample_labels == cls]
        real = test_feats[rng.permutation(np.flatnonzero(test_labels == cls))]
        count = min(len(fake), len(real) // 2)
        if count < K + 2:
            continue
        scores[name] = class_scores(real[:count], real[count : 2 * count], fake[:count])
    collapsed = [n for n, s in scores.items() if s["recall"] < MIN_RECALL or s["diversity"] < MIN_DIVERSITY]
    thresholds = {"k": K, "min_recall": MIN_RECALL, "min_diversity": MIN_DIVERSITY}
    return {"per_class": scores, "collapsed": collapsed, "collapse_thresholds": thresholds}
