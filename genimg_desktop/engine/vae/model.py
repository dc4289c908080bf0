"""The "vae" family as the app runs it: sample, reconstruct, interpolate, edit, inpaint; ELBO for eval."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from genimg_desktop.core.imageio import ImageLoadError, load_rgb
from genimg_desktop.core.model_card import ModelCard
from genimg_desktop.core.params import TaskSpec
from genimg_desktop.core.progress import JobControl
from genimg_desktop.engine.declared_shapes import build_checked
from genimg_desktop.engine.job import Job
from genimg_desktop.engine.latent_common import (
    AUTO,
    RANDOM,
    SAME,
    edit_amounts,
    image_to_tensor,
    output_frames,
    resize_image,
    slerp,
    to_rgb_uint8,
    uint8_to_tensor,
)
from genimg_desktop.engine.latent_inpaint import CropFit
from genimg_desktop.engine.latent_model import Handler, LatentModel
from genimg_desktop.engine.latent_pca import LatentDirections, principal_axes
from genimg_desktop.engine.vae import likelihood
from genimg_desktop.engine.vae.config import VaeConfig
from genimg_desktop.engine.vae.fused import MeanDecoder
from genimg_desktop.engine.vae.inpaint import vae_crop_fit
from genimg_desktop.engine.vae.networks import ConditionalVAE
from genimg_desktop.engine.vae.prior import PREFIX, ClassMixture
from genimg_desktop.engine.vae.tasks import CANVAS, FILE, vae_tasks
from genimg_desktop.engine.weights import ModelLoadError

ELBO_SEED = 0  # the ELBO's one latent draw per image is seeded: the same images, the same number


class VaeModel(LatentModel):
    """A conditional VAE rebuilt from the card's config."""

    family = "vae"
    oom_params = ("count",)

    def __init__(self, card: ModelCard, device: torch.device | str) -> None:
        super().__init__(card, device)
        self.config = VaeConfig.from_card(card)
        self._vae: ConditionalVAE | None = None
        self._directions: LatentDirections | None = None
        self._prior: ClassMixture | None = None  # None: the model draws from N(0, I) (older models)

    @classmethod
    def task_specs(cls, card: ModelCard) -> tuple[TaskSpec, ...]:
        return vae_tasks(card, VaeConfig.from_card(card))

    def load(self) -> None:
        # Never inference tensors, even if loaded inside a job: inpainting backpropagates through them.
        state = self.read_weights(device="cpu")
        try:
            prior = ClassMixture.from_tensors(state)
        except ValueError as exc:
            raise ModelLoadError(f"model '{self.card.id}': {exc}") from None
        if prior is not None and prior.weights.shape[0] != self.config.num_classes:
            classes = prior.weights.shape[0]
            message = f"the latent prior has {classes} classes, the model {self.config.num_classes}"
            raise ModelLoadError(f"model '{self.card.id}': {message}")
        network = {name: t for name, t in state.items() if not name.startswith(PREFIX)}
        with torch.inference_mode(False):
            built = build_checked(self.card.weights, lambda: ConditionalVAE(self.config))
            vae = self.load_state(built, network).requires_grad_(False)
            mean = vae.latent_mean
            covariance = vae.latent_moment - torch.outer(mean, mean)
            self._directions = principal_axes(mean, covariance, self.config.directions)
        self._vae = vae
        self._prior = None if prior is None else prior.to(self.device)
        self._check_draw(lambda dtype: MeanDecoder(vae.decoder, dtype), lambda z: z, vae.embed)

    @property
    def vae(self) -> ConditionalVAE:
        """The whole VAE: encoder, embeddings and the float32 decoder autograd users (inpainting) call."""
        return self._loaded(self._vae)

    # ---- for `genimg eval` ---------------------------------------------------------------------------

    def _eval_images(
        self, z: torch.Tensor, labels: torch.Tensor, params: dict[str, Any], gen: torch.Generator
    ) -> torch.Tensor:
        """Evaluation samples (see LatentModel.sample_tensor): prior draws at the temperature."""
        return self.draw(self._latents(z, labels, params["temperature"], gen), self.vae.embed(labels))

    def _latents(
        self, noise: torch.Tensor, labels: torch.Tensor, temperature: float, gen: torch.Generator
    ) -> torch.Tensor:
        """Prior draws (B, Z) for standard normal noise (B, Z) of classes (B,): the fitted mixture's
        (prior.py) when the model has one, else N(0, I) itself; the noise scaled by the temperature."""
        noise = noise if temperature == 1.0 else noise * temperature
        return noise if self._prior is None else self._prior.latents(noise, labels, gen)

    def elbo_bits_per_dim(
        self, images: np.ndarray, labels: np.ndarray | None = None, batch_size: int = 256
    ) -> float:
        """-ELBO in bits per dimension of uint8 images (N, H, W, C) (or (N, H, W) gray): an upper
        bound on the model's code length for them, one seeded latent draw per image.

        With labels: the bound on -log p(x | y). Without: on -log p(x) of the class mixture with a
        uniform class prior, log p(x) >= logsumexp_y(ELBO(x | y)) - log K."""
        x_all = uint8_to_tensor(images)  # (N, C, H, W)
        expected = (self.config.channels, self.config.resolution, self.config.resolution)
        if tuple(x_all.shape[1:]) != expected:
            raise ValueError(f"images are {tuple(x_all.shape[1:])} (C, H, W), the model wants {expected}")
        y_all = None if labels is None else torch.as_tensor(np.asarray(labels), dtype=torch.long)
        generator = torch.Generator().manual_seed(ELBO_SEED)
        total = 0.0
        with torch.inference_mode():
            for start in range(0, x_all.shape[0], batch_size):
                x = x_all[start : start + batch_size].to(self.device)
                eps = self.noise(x.shape[0], self.config.z_dim, generator=generator)
                y = None if y_all is None else y_all[start : start + batch_size].to(self.device)
                total -= float(self._elbo(x, y, eps).sum())
        return likelihood.bits_per_dim(total / max(x_all.shape[0], 1), self.config.dims)

    def _elbo(self, x: torch.Tensor, labels: torch.Tensor | None, eps: torch.Tensor) -> torch.Tensor:
        """ELBO per image (B,) in nats; labels None: the uniform-class-mixture bound."""
        if labels is not None:
            return self._conditional_elbo(x, labels, eps)
        per_class = torch.stack(
            [
                self._conditional_elbo(x, torch.full_like(eps[:, 0], k, dtype=torch.long), eps)
                for k in range(self.config.num_classes)
            ],
            dim=1,
        )  # (B, K)
        return torch.logsumexp(per_class, dim=1) - math.log(self.config.num_classes)

    def _conditional_elbo(self, x: torch.Tensor, labels: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
        embedding = self.vae.embed(labels)
        mu, logvar = self.vae.encoder(x, embedding)
        z = mu + torch.exp(0.5 * logvar) * eps
        return -(self.vae.nll(x, z, embedding) + likelihood.kl_to_standard_normal(mu, logvar))

    # ---- tasks ---------------------------------------------------------------------------------------

    def _handlers(self) -> dict[str, Handler]:
        return {
            "sample": self._sample,
            "reconstruct": self._reconstruct,
            "interpolate": self._interpolate,
            "edit": self._edit,
        }

    def _inpaint_fit(self, params: dict[str, Any], control: JobControl, gen: torch.Generator) -> CropFit:
        return vae_crop_fit(self.vae, params, self.card.class_names, self._noise(gen), control)

    def _sample(self, job: Job) -> list[np.ndarray]:
        params, gen = job.params, job.generator
        noise = self.noise(params["count"], self.config.z_dim, generator=gen)
        labels = self._labels(params["class"], params["count"], gen)
        z = self._latents(noise, labels, params["temperature"], gen)
        return to_rgb_uint8(self.draw(z, self.vae.embed(labels)))

    def _reconstruct(self, job: Job) -> list[np.ndarray]:
        params = job.params
        z, labels = self._encode_canvas(job, params["class"])
        return self._outputs(self.draw(z, self.vae.embed(labels)), job, params["output_size"])

    def _interpolate(self, job: Job) -> list[np.ndarray]:
        params, gen = job.params, job.generator
        temperature = params["temperature"]
        if params["start"] == CANVAS:
            choice = AUTO if params["class"] == RANDOM else params["class"]
            z_a, labels_a = self._encode_canvas(job, choice)
        else:
            noise = self.noise(1, self.config.z_dim, generator=gen)
            labels_a = self._labels(params["class"], 1, gen)
            z_a = self._latents(noise, labels_a, temperature, gen)
        z_b, labels_b = self._interpolation_end(params, labels_a)
        embedding_a, embedding_b = self.vae.embed(labels_a), self.vae.embed(labels_b)
        t = torch.linspace(0, 1, params["frames"], device=self.device)  # (T,)
        z = slerp(z_a[0], z_b[0], t)  # (T, Z)
        embedding = torch.lerp(embedding_a, embedding_b, t[:, None])  # (T, E)
        return output_frames(to_rgb_uint8(self.draw(z, embedding)), params["strip"])

    def _interpolation_end(
        self, params: dict[str, Any], labels_a: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The end of an interpolation: latent (1, Z) and class (1,)."""
        same = params["class_b"] == SAME
        if params["end"] == FILE:
            if not params["end_image"]:
                raise ValueError("choose the picture to end at ('End image'), or end at a seed")
            try:
                image = load_rgb(params["end_image"])
            except ImageLoadError as exc:
                raise ValueError(f"End image: {exc}") from exc
            return self._encode(image, AUTO if same else params["class_b"])
        gen_b = torch.Generator().manual_seed(int(params["seed_b"]))
        noise = self.noise(1, self.config.z_dim, generator=gen_b)
        labels_b = labels_a if same else self._labels(params["class_b"], 1, gen_b)
        return self._latents(noise, labels_b, params["temperature"], gen_b), labels_b

    def _edit(self, job: Job) -> list[np.ndarray]:
        params = job.params
        assert self._directions is not None  # computed by load()
        z, labels = self._encode_canvas(job, params["class"])  # (1, Z), (1,)
        embedding = self.vae.embed(labels)
        amounts = edit_amounts(params["amount"], params["steps"])
        index = min(params["direction"], self._directions.count - 1)
        zs = torch.cat([self._directions.shift(z, index, a) for a in amounts])  # (T, Z)
        images = self.draw(zs, embedding.expand(len(amounts), -1))
        return output_frames(self._outputs(images, job, params["output_size"]), params["strip"])

    # ---- encoding, classes, outputs --------------------------------------------------------------------

    def _encode_canvas(self, job: Job, choice: str) -> tuple[torch.Tensor, torch.Tensor]:
        """The canvas image's posterior mean (1, Z) and class (1,)."""
        if job.image is None:
            raise ValueError("this needs an image on the canvas")
        return self._encode(job.image, choice)

    def _encode(self, image: np.ndarray, choice: str) -> tuple[torch.Tensor, torch.Tensor]:
        """The posterior mean (1, Z) of an (H, W, 3) uint8 picture, and the class (1,) of `choice`
        (AUTO: the class that explains it best)."""
        x = image_to_tensor(image, self.config.resolution, self.config.channels).to(self.device)
        x = likelihood.quantise(x)  # (1, C, R, R)
        labels = self._best_class(x) if choice == AUTO else self._labels(choice, 1, torch.Generator())
        return self.vae.encoder(x, self.vae.embed(labels))[0], labels

    def _best_class(self, x: torch.Tensor) -> torch.Tensor:
        """(1,) the class under which the model explains x best (highest ELBO at the posterior mean)."""
        classes = torch.arange(self.config.num_classes, device=self.device)
        xs = x.expand(len(classes), -1, -1, -1)
        eps = torch.zeros(len(classes), self.config.z_dim, device=self.device)  # z = mean: deterministic
        return classes[self._conditional_elbo(xs, classes, eps).argmax()].reshape(1)

    def _outputs(self, images: torch.Tensor, job: Job, size: str) -> list[np.ndarray]:
        out = to_rgb_uint8(images)
        if size != CANVAS or job.image is None:
            return out
        height, width = job.image.shape[:2]
        return [resize_image(img, height, width) for img in out]
