"""The "gan" family: a class-conditional convolutional GAN (networks, app model, trainer)."""

from __future__ import annotations

# Quoted by the model card (config.recipe): why this recipe.
RECIPE = """Class-conditional GAN, recipe chosen to train stably in a few thousand CPU steps.
Generator: a 2-layer mapping MLP (z -> w, He-initialised so w keeps z's scale; PCA of w gives
GANSpace-style edit directions), then a DCGAN stack of 4x4 stride-2 transposed convolutions with
conditional batch norm whose gain and bias come from a shared class embedding (BigGAN), tanh output.
Discriminator: strided convolutions with spectral normalisation on every layer, a minibatch-stddev
map (ProGAN) and a projection head (Miyato and Koyama 2018): score = linear(h) + <embed(class), h>.
Spectral norm keeps the critic smooth without a gradient penalty, the projection conditions it far
better than feeding the label as input, the minibatch statistic lets it see that fakes look alike
(in 200-step CPU trials without it, each class collapsed onto nearly one image), the hinge loss (SNGAN,
BigGAN) gives non-vanishing gradients to both players. One critic step per generator step, Adam
(2e-4, betas 0.5/0.999, SNGAN's setting for that ratio). The shipped weights are an exponential
moving average of the generator (decay 0.999 with warm-up), which removes most step-to-step jitter
and gives visibly cleaner samples for free. An optional lazy R1 penalty on real images
(r1_gamma > 0) is there for data sets where the critic overfits. For small data sets (the 1,676
emoji) two more settings: DiffAugment (augment = translation, cutout, colour on everything the
critic sees, real and fake alike) keeps the critic from memorising the training images, and
class-sorted batches (class_groups) put one class in each minibatch-stddev group, so the critic
sees a class whose samples all look alike (with mixed-class groups the between-class spread hides
it, and the first emoji GAN collapsed each class onto one image). The same two settings were missing
from the first Fashion-MNIST GAN: every class collapsed (per-class recall 0 in `genimg eval`, z
changing little but brightness) while 90% of its samples were classified right. It was retrained
from scratch with style_from_w (w sets every layer's gains and biases, not only the stem's),
class_groups and a light mode-seeking term (MSGAN, Mao et al. 2019; diversity = its weight, 0.2): two
latents of one class must give images as far apart as the latents are. No class collapsed then; a
fine-tune of the collapsed weights with a weight of 1.0 lost a fifth of its sample accuracy."""
