"""The "texture" family: a spatial/periodic GAN (Jetchev et al. 2016-17, SGAN/PSGAN) that learns a
texture from crops of one or more pictures and draws it at any size, tileable (networks, app model,
trainer)."""

from __future__ import annotations

# Quoted by the model card (config.recipe): why this recipe.
RECIPE = """Periodic spatial GAN (PSGAN, Bergmann, Jetchev and Vollgraf 2017). The generator is fully
convolutional: its input is a noise field with one cell per 16 output pixels, each cell holding
local Gaussian noise (new at every cell), global noise (one vector per image: the texture's overall
look) and periodic channels sin(k . x + phase) whose wave vectors k an MLP computes from the global
noise (regular structure such as brick rows). A 3x3 stem, then four steps of 2x upsampling, an
added noise map at that resolution (StyleGAN's noise inputs: fine detail that does not repeat with
the cells), a 3x3 convolution and pixel norm (the same in training and drawing, unlike batch norm)
turn the field into pixels, so the output size is any multiple
of 16 and each pixel depends on a few cells only: large pictures are drawn in overlapping strips
that give the same pixels as one pass. With the local noise wrapped around and the wave vectors
rounded to whole periods over the picture, the output is exactly periodic: it tiles with no seam.
The critic is a spectral-normalised patch critic (stride-2 4x4 convolutions, a score per patch of
about 100 px) with the hinge loss, on random crops of the training pictures (mirrored at random).
Beside the critic the generator is pulled towards the real crops' patch statistics: the sliced
Wasserstein distance between 7x7 patches of real and generated crops at four scales (Heitz et al.
2021 do this on VGG features; raw patches need no downloaded network), weight 10. That term gets
colours and small-scale structure right within a few hundred steps, which the critic alone (at the
usual 2e-4) had not started on after 500 CPU steps; the critic then sharpens the larger structure.
Adam (betas 0.5/0.999, rate 1e-3 falling linearly over the last third); the shipped generator is an
exponential moving average of the trained one."""
