"""The "vae" family: a conditional convolutional VAE (networks, likelihood, app model, trainer)."""

from __future__ import annotations

# Quoted by the model card (config.recipe): why this recipe.
RECIPE = """Conditional VAE: a convolutional encoder and decoder, both given a learnt class
embedding, and one global Gaussian latent per image with a N(0, I) prior. The decoder's likelihood is
a discretized logistic per pixel value over the 256 levels of 8-bit data (PixelCNN++'s, one
component), so log p(x | z) is a true probability and the reported ELBO in bits per dimension is a
proper bound on the code length of 8-bit images, comparable with PixelCNN's exact likelihood
(a Gaussian decoder gives densities and no such bound; a Bernoulli one fits only binary images).
Trained on the exact ELBO (KL weight 1; an optional linear warm-up) with Adam and gradient-norm
clipping. Images shown are the decoder's per-pixel locations (its noise is independent per pixel and
would only add grain). The edit directions are the principal axes of the encoded training images,
tracked as running statistics during training. Sampling does not draw from N(0, I): the encoded
training images fill only part of it, and its other regions decode to blends no class has. After
training, a Gaussian mixture per class is fitted to the training images' posterior means (ex-post
density estimation, Ghosh et al. 2020) and samples are drawn from it (the ELBO keeps N(0, I))."""
