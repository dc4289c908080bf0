"""The "pixelcnn" family: a trained Gated PixelCNN behind the GenerationModel protocol."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from genimg_desktop.core.model_card import ModelCard
from genimg_desktop.core.params import TaskSpec
from genimg_desktop.core.progress import JobControl
from genimg_desktop.engine.base import GenerationModel, inpaint_crop, mask_bbox
from genimg_desktop.engine.declared_shapes import build_checked
from genimg_desktop.engine.job import Job
from genimg_desktop.engine.pixelcnn import filling, sampling, scoring
from genimg_desktop.engine.pixelcnn.guidance import guidable
from genimg_desktop.engine.pixelcnn.heads import levels_to_unit
from genimg_desktop.engine.pixelcnn.imaging import (
    enlarge_nearest,
    heatmap,
    resize,
    resize_map,
    to_levels,
    to_mask,
    to_rgb,
)
from genimg_desktop.engine.pixelcnn.network import PixelCNN, PixelCNNConfig
from genimg_desktop.engine.pixelcnn.tasks import ANY, RANDOM, task_specs


class PixelCNNModel(GenerationModel):
    family = "pixelcnn"
    oom_params = ("count",)

    def __init__(self, card: ModelCard, device: torch.device | str) -> None:
        super().__init__(card, device)
        self.config = config_from_card(card)
        self._net: PixelCNN | None = None

    @classmethod
    def task_specs(cls, card: ModelCard) -> tuple[TaskSpec, ...]:
        config = config_from_card(card)  # a card this family cannot build is reported at listing
        return task_specs(card.class_names, config.size, guidable(config))

    def load(self) -> None:
        self._net = self.load_state(build_checked(self.card.weights, lambda: PixelCNN(self.config)))

    @property
    def net(self) -> PixelCNN:
        return self._loaded(self._net)

    def _run(self, job: Job) -> list[np.ndarray]:
        handlers = {
            "sample": self._sample,
            "complete": self._complete,
            "likelihood": self._likelihood,
            "inpaint": self._inpaint,
        }
        return handlers[job.task.name](job)

    # --- tasks -------------------------------------------------------------------------------------

    def _sample(self, job: Job) -> list[np.ndarray]:
        params, generator = job.params, job.generator
        labels, names = self._labels(params["class"], params["count"], generator)
        on_row = _previews(job.control, self.config.size)
        levels = sampling.sample(
            self.net, params["count"], labels, generator, params["temperature"], on_row, _guidance(params)
        )
        job.info["classes"] = names
        return [to_rgb(image) for image in levels]

    def _complete(self, job: Job) -> list[np.ndarray]:
        assert job.image is not None  # checked by run()
        size = self.config.size
        levels = to_levels(job.image, size, self.config.channels)
        if job.mask is not None:
            _check_mask(job.mask, job.image)
            known = ~to_mask(job.mask, size)
        else:
            known = torch.arange(size)[:, None].expand(size, size) < round(job.params["keep_rows"] * size)
        done = self._fill(levels, known, job)
        job.info.update(done.info(done.uncertainty, (0, size, 0, size), self.config.channels))
        return [to_rgb(image) for image in done.levels]

    def _inpaint(self, job: Job) -> list[np.ndarray]:
        assert job.image is not None and job.mask is not None  # checked by run()
        image, mask, margin = job.image, job.mask, job.params["context_margin"]
        crops: list[np.ndarray] = []
        maps: list[np.ndarray] = []

        def fill(crop: np.ndarray, hole: np.ndarray) -> np.ndarray:
            size, (height, width) = self.config.size, crop.shape[:2]
            levels, known = to_levels(crop, size, self.config.channels), ~to_mask(hole, size)
            done = self._fill(levels, known, job)
            crops.extend(resize(to_rgb(levels), width, height) for levels in done.levels)
            maps.extend(resize_map(m, width, height) * (hole > 0) for m in done.uncertainty)
            job.info.update(done.info(maps, mask_bbox(mask, margin), self.config.channels))
            return crops[0]

        first = inpaint_crop(image, mask, margin, fill)
        # The same crop for the others: pasting is cheap, the sampling above made all of them at once.
        rest = [inpaint_crop(image, mask, margin, lambda c, h, i=i: crops[i]) for i in range(1, len(crops))]
        return [first, *rest]

    def _likelihood(self, job: Job) -> list[np.ndarray]:
        assert job.image is not None  # checked by run()
        job.control.report(0.0, "Scoring")
        levels = to_levels(job.image, self.config.size, self.config.channels)[None].to(self.device)
        per_class = scoring.class_log_probs(self.net, levels)[0]  # (K,) nats, (1,) unconditional
        chosen = job.params["class"]
        if chosen == ANY:
            index = int(per_class.argmax())
            log_p = float(per_class.logsumexp(0) - np.log(per_class.numel()))
        else:
            index = self.card.class_names.index(chosen)
            log_p = float(per_class[index])
        labels = torch.tensor([index], device=self.device) if self.config.num_classes else None
        nll = scoring.score(self.net, levels, labels).nll_bits[0].float().cpu().numpy()  # (S, S)
        job.info.update(self._likelihood_info(log_p, per_class, index, nll))
        height, width = job.image.shape[:2]
        job.control.report(1.0, "Done")
        return [enlarge_nearest(heatmap(nll, 8.0 * self.config.channels), width, height)]

    def _likelihood_info(
        self, log_p: float, per_class: torch.Tensor, index: int, nll: np.ndarray
    ) -> dict[str, Any]:
        dims = self.config.channels * self.config.size**2
        info: dict[str, Any] = {
            "log_likelihood_nats": log_p,
            "bound": "upper" if self.config.context else "exact",  # see likelihood_note
            "bits_per_dim": -log_p / (np.log(2.0) * dims),
            "resolution": self.config.size,
            "nll_bits_map": nll,  # (S, S) bits per pixel (all channels), the heatmap's data
            "nll_map_max_bits": 8.0 * self.config.channels,
        }
        if self.config.num_classes:
            posterior = torch.softmax(per_class.double(), dim=0).tolist()
            info["class"] = self.card.class_names[index]  # the class the map was scored under
            info["most_likely_class"] = self.card.class_names[int(per_class.argmax())]
            info["class_probabilities"] = dict(zip(self.card.class_names, posterior, strict=True))
        info["summary"] = _likelihood_summary(info)
        return info

    # --- helpers -----------------------------------------------------------------------------------

    def _fill(self, levels: torch.Tensor, known: torch.Tensor, job: Job) -> filling.Completions:
        """The job's completions of `levels` where not `known`; their classes go into `job.info`."""
        params, generator = job.params, job.generator
        count = params["count"]
        labels, names = self._labels(params["class"], count, generator)
        on_row = _previews(job.control, self.config.size)
        done = filling.complete_ranked(
            self.net,
            levels,
            known,
            labels,
            count,
            generator,
            params["temperature"],
            on_row,
            _guidance(params),
        )
        job.info["classes"] = [names[i] for i in done.order]
        return done

    def _labels(
        self, choice: str, count: int, generator: torch.Generator
    ) -> tuple[torch.Tensor | None, list[str]]:
        """Class indices (count,) for a choice ("random": one drawn per image) and their names."""
        names = self.card.class_names
        if not self.config.num_classes:
            return None, [""] * count
        if choice == RANDOM:
            labels = torch.randint(len(names), (count,), generator=generator)
        else:
            labels = torch.full((count,), names.index(choice), dtype=torch.long)
        return labels.to(self.device), [names[i] for i in labels.tolist()]

    # --- for evaluation ----------------------------------------------------------------------------

    @property
    def likelihood_note(self) -> str | None:
        """What the bits/dim of a two-scale model are (None: exact)."""
        if not self.config.context:
            return None
        small = self.config.context
        return (
            f"two scales: bits_per_dim is an upper bound, -log2 of p({small}x{small} block means) "
            "times p(image | block means)"
        )

    def bits_per_dim(
        self, images: torch.Tensor | np.ndarray, labels: torch.Tensor | np.ndarray | None = None
    ) -> float:
        """Exact mean NLL in bits per sub-pixel of 8-bit images at the model size: a uint8 tensor
        (N, C, H, W) as engine/evaluation hands them, or a numpy array (N, H, W, C) as core holds
        images; (N, H, W) for gray either way. Under their labels (N,), or, when labels is None, under
        the marginal p(x) with a uniform class prior."""
        levels = _image_batch(images, self.config).to(self.device)
        given = None if labels is None or not self.config.num_classes else torch.as_tensor(labels).long()
        with torch.inference_mode():
            return scoring.bits_per_dim(self.net, levels, None if given is None else given.to(self.device))

    def sample_tensor(
        self,
        count: int,
        class_index: int | None,
        generator: torch.Generator,
        settings: Mapping[str, Any] | None = None,
    ) -> torch.Tensor:
        """`count` samples (count, C, H, W) in [-1, 1] on the CPU; class None: a random class each;
        `settings`: "sample" task parameters (temperature, guidance) over its defaults."""
        choice = RANDOM if class_index is None else self.card.class_names[class_index]
        params = self.sampling_settings(settings)
        with torch.inference_mode():
            labels, _ = self._labels(choice, count, generator)
            levels = sampling.sample(
                self.net, count, labels, generator, params["temperature"], guidance=_guidance(params)
            )
            return levels_to_unit(levels).cpu()


def _guidance(params: dict[str, Any]) -> float:
    return float(params.get("guidance", 1.0))  # a model without class dropout offers no guidance


def config_from_card(card: ModelCard) -> PixelCNNConfig:
    """The network's configuration; the card's resolution, channels and class names must agree with
    its `config` (if the config states them)."""
    if not card.resolution:
        raise ValueError("a PixelCNN card needs a 'resolution'")
    facts = {"size": card.resolution, "channels": card.channels, "num_classes": len(card.class_names)}
    for key, value in facts.items():
        if key in card.config and int(card.config[key]) != value:
            raise ValueError(f"config.{key} is {card.config[key]} but the card says {value}")
    return PixelCNNConfig.from_dict({**card.config, **facts})


def _previews(control: JobControl, size: int) -> sampling.RowCallback:
    """Report after each row with the first image as it grows (report also raises on cancel)."""

    def on_row(row: int, levels: torch.Tensor) -> None:
        control.report((row + 1) / size, f"row {row + 1}/{size}", preview=to_rgb(levels[0]))

    return on_row


def _check_mask(mask: np.ndarray, image: np.ndarray) -> None:
    if mask.dtype != np.uint8 or mask.ndim != 2 or mask.shape != image.shape[:2]:
        raise ValueError(f"mask must be (H, W) uint8 the size of the image, got {mask.shape} {mask.dtype}")


def _image_batch(images: torch.Tensor | np.ndarray, config: PixelCNNConfig) -> torch.Tensor:
    """uint8 tensor (N, C, H, W) or array (N, H, W, C), (N, H, W) for gray -> levels (N, C, H, W)."""
    if isinstance(images, np.ndarray):
        images = torch.from_numpy(np.ascontiguousarray(images))
        if images.ndim == 4:
            images = images.permute(0, 3, 1, 2)
    if images.ndim == 3:
        images = images[:, None]
    expected = (config.channels, config.size, config.size)
    if images.ndim != 4 or tuple(images.shape[1:]) != expected or images.dtype != torch.uint8:
        shape = ", ".join(map(str, expected))
        raise ValueError(f"images must be uint8 (N, {shape}), got {tuple(images.shape)} {images.dtype}")
    return images.long()


def _likelihood_summary(info: dict[str, Any]) -> str:
    """One line for the window: the score and, for a conditional model, the class it believes."""
    bound = "at most " if info["bound"] == "upper" else ""  # two scales: see likelihood_note
    text = f"{bound}{info['bits_per_dim']:.3f} bits/dim at {info['resolution']} px (lower: more typical)"
    if "most_likely_class" in info:
        best = info["most_likely_class"]
        text += f"; most likely class: {best} ({info['class_probabilities'][best]:.0%})"
    return text
