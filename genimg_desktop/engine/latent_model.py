"""The model adapter the latent-variable families (GAN, VAE) share: task dispatch, classes, noise."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import numpy as np
import torch
from torch import nn

from genimg_desktop.core.progress import JobControl
from genimg_desktop.engine.base import GenerationModel
from genimg_desktop.engine.job import Job
from genimg_desktop.engine.latent_common import class_labels
from genimg_desktop.engine.latent_inpaint import CropFit, latent_inpaint
from genimg_desktop.engine.precision import CHECK_COUNT, Draw, choose_draw, half_dtype

ModuleT = TypeVar("ModuleT", bound=nn.Module)
Handler = Callable[[Job], list[np.ndarray]]


class LatentModel(GenerationModel):
    """What the GAN and VAE adapters share: task dispatch, class labels, the job's noise.

    A subclass sets `self.config` (with `z_dim` and `num_classes`), names its handlers in
    `_handlers` and fits the inpaint crop in `_inpaint_fit`."""

    config: Any
    channels_last = True  # see GenerationModel.channels_last
    _draw: Draw | None = None  # set by `_check_draw` when the model loads

    def _handlers(self) -> dict[str, Handler]:
        """Task name -> handler(job) for every task but "inpaint"."""
        raise NotImplementedError

    def _inpaint_fit(self, params: dict[str, Any], control: JobControl, gen: torch.Generator) -> CropFit:
        """The crop fit that `latent_inpaint` runs on the masked crop."""
        raise NotImplementedError

    def _run(self, job: Job) -> list[np.ndarray]:
        job.control.report(0.0, f"{job.task.label} ({self.card.name})")
        if job.task.name == "inpaint":
            fit = self._inpaint_fit(job.params, job.control, job.generator)
            assert job.image is not None and job.mask is not None  # run() checked the task's needs
            images = latent_inpaint(job.image, job.mask, job.params["context_margin"], fit)
        else:
            images = self._handlers()[job.task.name](job)
        job.control.report(1.0, "Done")
        return images

    def sample_tensor(
        self,
        count: int,
        class_index: int | None,
        generator: torch.Generator,
        settings: Mapping[str, Any] | None = None,
    ) -> torch.Tensor:
        """(count, C, R, R) in [-1, 1] for evaluation; class_index None draws a class per sample from
        `generator`; `settings`: "sample" task parameters over its defaults."""
        params = self.sampling_settings(settings)
        with torch.inference_mode():
            z, labels = self._eval_latents(count, class_index, generator)
            return self._eval_images(z, labels, params, generator)

    @abstractmethod
    def _eval_images(
        self, z: torch.Tensor, labels: torch.Tensor, params: dict[str, Any], gen: torch.Generator
    ) -> torch.Tensor:
        """The family's images for standard normal z (count, Z) and labels (count,), drawn with
        `params` (`gen`: for any further random draws)."""

    def _eval_latents(
        self, count: int, class_index: int | None, generator: torch.Generator
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(count, Z) latents and (count,) labels for `sample_tensor`; class_index None: random classes."""
        z = self.noise(count, self.config.z_dim, generator=generator)
        if class_index is None:
            labels = torch.randint(0, self.config.num_classes, (count,), generator=generator)
        else:
            labels = torch.full((count,), int(class_index), dtype=torch.long)
        return z, labels.to(self.device)

    def _check_draw(
        self,
        make: Callable[[torch.dtype], Draw],
        latent: Callable[[torch.Tensor], torch.Tensor],
        embed: Callable[[torch.Tensor], torch.Tensor],
    ) -> None:
        """Choose what `draw` uses on this device: `make(dtype)` in the device's half type if a seeded
        check batch (z -> `latent`, classes -> `embed`) holds, else in float32 (precision.py)."""
        z = self.noise(CHECK_COUNT, self.config.z_dim, generator=torch.Generator().manual_seed(0))
        labels = torch.arange(CHECK_COUNT, device=self.device) % self.config.num_classes
        with torch.no_grad():
            self._draw, self.precision = choose_draw(
                make, (latent(z), embed(labels)), half_dtype(self.device)
            )

    def draw(self, latent: torch.Tensor, embedding: torch.Tensor) -> torch.Tensor:
        """Images (B, C, R, R) in [-1, 1] from the family's latents (B, *) and class embeddings (B, E),
        in the checked precision: what every task but inpainting draws with."""
        return self._loaded(self._draw)(latent, embedding)

    def _labels(self, choice: str, count: int, gen: torch.Generator) -> torch.Tensor:
        labels = class_labels(choice, self.card.class_names, self.config.num_classes, count, gen)
        return labels.to(self.device)

    def _noise(self, gen: torch.Generator) -> Callable[..., torch.Tensor]:
        """`self.noise` bound to the job's generator, for the inpaint fit."""
        return lambda *shape: self.noise(*shape, generator=gen)
