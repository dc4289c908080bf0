"""Per-class precision, recall and diversity (engine/evaluation/diversity.py) on the shipped
classifier's features of real Fashion-MNIST test images: real against other real images scores
high, one image repeated (a collapsed class) is caught. And the GAN's mode-seeking term."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from genimg_desktop.engine.evaluation.diversity import (
    MIN_DIVERSITY,
    MIN_RECALL,
    mean_pairwise_distance,
    per_class_scores,
    precision_recall,
)
from genimg_desktop.engine.evaluation.sample_metrics import classify
from genimg_desktop.engine.gan.diversity import mode_seeking_loss
from genimg_desktop.engine.registry import ModelRegistry
from genimg_desktop.engine.training.data import load_dataset

pytestmark = pytest.mark.usefixtures("shared_dataset_cache")  # decode Fashion-MNIST once
SANDAL = 5


@pytest.fixture(scope="module")
def real() -> tuple[np.ndarray, np.ndarray]:
    """(features (N, D), labels (N,)) of 2,000 test images by the shipped Fashion-MNIST classifier."""
    data = load_dataset("fashion-mnist", 28, "test", limit=2000)
    classifier = ModelRegistry().load("classifier-fashion-mnist-28", "cpu")
    images = torch.from_numpy(data.images.transpose(0, 3, 1, 2).copy())
    return classify(classifier, images, 250)[1], np.asarray(data.labels)


def test_real_images_against_other_real_images_score_high(real):
    feats, labels = real
    sandals = feats[labels == SANDAL]
    half = len(sandals) // 2
    assert precision_recall(sandals, sandals) == (1.0, 1.0)  # a set against itself
    precision, recall = precision_recall(sandals[:half], sandals[half : 2 * half])
    assert precision > 0.6 and recall > 0.6
    ratio = mean_pairwise_distance(sandals[:half]) / mean_pairwise_distance(sandals[half:])
    assert 0.8 < ratio < 1.25


def test_one_repeated_image_has_low_recall_and_no_diversity(real):
    feats, labels = real
    sandals = feats[labels == SANDAL]
    copies = np.repeat(sandals[:1], 40, axis=0) + np.random.default_rng(0).normal(
        0, 1e-3, (40, feats.shape[1])
    )
    precision, recall = precision_recall(sandals[40:80], copies)
    assert precision == 1.0 and recall < 0.1  # a real-looking image, but only one


def test_per_class_scores_flag_only_the_collapsed_class(real):
    feats, labels = real
    half = len(labels) // 2  # "samples" from one half of the images, real ones from the other
    samples, wanted = feats[:half].copy(), labels[:half]
    sandal_rows = np.flatnonzero(wanted == SANDAL)
    samples[sandal_rows] = samples[sandal_rows[0]]  # every "sampled" sandal is the same image
    names = tuple(load_dataset("fashion-mnist", 28, "test", limit=10).class_names)
    scores = per_class_scores(samples, wanted, feats[half:], labels[half:], names, seed=0)
    sandal = scores["per_class"]["Sandal"]
    assert scores["collapsed"] == ["Sandal"]
    assert sandal["recall"] < MIN_RECALL and sandal["diversity"] < MIN_DIVERSITY
    assert sandal["fd"] > 5 * sandal["fd_floor"]
    sneaker = scores["per_class"]["Sneaker"]
    assert sneaker["recall"] > 0.5 and sneaker["diversity"] > 0.8 and sneaker["fd"] < 2 * sneaker["fd_floor"]


def test_mode_seeking_term_is_larger_for_alike_samples():
    z = torch.randn(8, 16, generator=torch.Generator().manual_seed(0))
    labels = torch.tensor([0, 1, 0, 1, 0, 1, 0, 1])
    varied = torch.rand(8, 1, 6, 6, generator=torch.Generator().manual_seed(1)) * 2 - 1
    alike = varied[:1].expand(8, -1, -1, -1) + 0.01 * varied
    assert mode_seeking_loss(alike, z, labels) > 10 * mode_seeking_loss(varied, z, labels)
    assert mode_seeking_loss(varied, z, torch.arange(8)) == 0  # no two samples of one class
