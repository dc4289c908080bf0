"""Evaluation of trained models on the held-out (test) split: `genimg eval --model ID --json`.

What a family's loaded model (its GenerationModel adapter) offers, detected with `getattr`; each is
called under `torch.inference_mode()`. Test images are handed as the data package holds them: uint8
numpy arrays (N, H, W, C), values 0..255, at the card's resolution and channels; labels int64 numpy
(N,), or None for a model without classes.

- `bits_per_dim(images, labels=None) -> float`: exact negative log-likelihood of the 8-bit images
  (a probability mass over the 256 levels, not a density), mean over the batch, in bits per
  sub-pixel: -log2 p(x | y) / (C*H*W). With labels: conditional on the true class. (PixelCNN)
- `elbo_bits_per_dim(images, labels=None[, generator=None]) -> float`: the negative ELBO of the same
  discrete data in bits per sub-pixel (an upper bound on the NLL), mean over the batch. If the
  method takes a `generator` keyword it gets a seeded CPU torch.Generator for the posterior
  samples; otherwise it must seed itself, so the number repeats. (VAE)
- `sample_tensor(count, class_index, generator, settings=None) -> torch.Tensor`: `count` samples
  (count, C, H, W) float in [-1, 1], any device, all of class `class_index` (None for an
  unconditional model), drawn with the "sample" task's defaults and `settings` over them
  (`GenerationModel.sampling_settings`); noise from the CPU `generator`.

The evaluator hands these at most `BATCH` images at a time and averages over the batches itself.
Accuracy, the Fréchet distance and the per-class precision, recall and diversity (diversity.py:
what catches a class drawn as one image, which accuracy cannot) use the project classifiers of the
same dataset (cards with "role": "evaluation", see engine/classifier.py): the first leads, each
other one gives a second opinion, so no number rests on one network.
"""

from genimg_desktop.engine.evaluation.evaluate import BATCH, EvalOptions, evaluate, write_card_metrics

__all__ = ["BATCH", "EvalOptions", "evaluate", "write_card_metrics"]
