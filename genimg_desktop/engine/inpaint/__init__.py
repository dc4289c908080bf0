"""The "inpaint" family: a learned fill network for the canvas (networks, app model, trainer)."""

from __future__ import annotations

# Quoted by the model card (config.recipe): why this recipe.
RECIPE = """Fill network trained adversarially on random free-form masks (thin, medium and thick
brush strokes and boxes) over photo tiles and clip-art, on random crops with strokes as wide as on
the whole picture. Generator: the hole is first filled smoothly by pull-push (a parameter-free
pyramid average of the known pixels, Gortler et al. 1996, with 8 Laplace relaxation steps per
level: a multigrid harmonic fill), then a fully convolutional U-Net (5x5
stem, stride-2 stages, encoder features added to the decoder's, nearest upsampling) whose bottleneck
is a stack of residual blocks of dilated 3x3 convolutions (dilations 1-8 at 1/8 resolution: a
receptive field of several hundred pixels for a few GFLOPs at 512x512) adds a correction to that
guess (its last layer starts at zero); kept pixels are pasted back. Learning a correction instead of
colour from nothing is what makes a CPU budget of a few thousand steps enough. Discriminator: a
spectral-normalised patch critic over image + mask with the hinge loss. Generator loss: L1 on the
hole (weight 6) and on the kept pixels (1), hinge adversarial (0.02) and feature matching on the
critic's hidden layers (1): the L1 terms carry the scores, the adversarial and feature terms sharpen
what L1 alone would blur. Adam (betas 0.5/0.999; the learning rate is in the card's training facts);
the shipped weights are an exponential moving average of the generator."""
