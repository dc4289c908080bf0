"""Training math of the "pixelcnn" family for the shared loop: exact NLL, reported in bits/dim."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from genimg_desktop.engine.pixelcnn import sampling
from genimg_desktop.engine.pixelcnn.guidance import DEFAULT_GUIDANCE, guidable
from genimg_desktop.engine.pixelcnn.heads import LN2, levels_to_unit, unit_to_levels
from genimg_desktop.engine.pixelcnn.network import PixelCNN, PixelCNNConfig
from genimg_desktop.engine.training.family_trainer import (
    DataInfo,
    FamilyTrainer,
    TrainConfig,
)

GRAD_CLIP = 1.0  # the NLL of a fresh PixelCNN has rare huge gradients on flat regions; clipping tames them


class PixelCNNTrainer(FamilyTrainer):
    """Adam on the negative log-likelihood. Hyperparameters come from `--set key=value`
    (layers, hidden, kernel, first_kernel, head, mixtures, class_dropout, dropout, flip;
    see PixelCNNConfig)."""

    warm_modules = ("net",)

    def __init__(self, config: TrainConfig, data: DataInfo, device: torch.device) -> None:
        super().__init__(config, data, device)
        self.net_config = PixelCNNConfig.for_data(data.channels, data.size, data.num_classes, config.extra)
        self.net = PixelCNN(self.net_config).to(device)
        self.model = self.wrap(_LogProbMap(self.net))  # the forward used in training (DDP under torchrun)
        self.optimizer = torch.optim.Adam(self.net.parameters(), lr=config.lr)
        self.steps = 0

    def train_step(self, images: torch.Tensor, labels: torch.Tensor) -> dict[str, float]:
        """images (B, C, H, W) in [-1, 1] (quantised back to the 256 levels), labels (B,)."""
        self.net.train()
        levels = unit_to_levels(self._mirror(images.to(self.device)))
        given = labels.to(self.device) if self.net_config.num_classes else None
        if given is not None and self.net_config.class_dropout > 0:  # -1: trained as unconditional
            hidden = torch.rand(given.shape, device=self.device) < self.net_config.class_dropout
            given = torch.where(hidden, torch.full_like(given, -1), given)
        nll = -self.model(levels, given).mean()  # nats per pixel (all channels)
        loss = nll / (LN2 * self.net_config.channels)  # bits per sub-pixel
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(self.net.parameters(), GRAD_CLIP)
        self.optimizer.step()
        self.steps += 1
        return {"bits_per_dim": float(loss.detach()), "grad_norm": float(grad_norm)}

    def _mirror(self, images: torch.Tensor) -> torch.Tensor:
        """Each image mirrored left-right with probability `flip` (drawn on the images' device)."""
        if not self.net_config.flip:
            return images
        chosen = torch.rand(images.shape[0], device=images.device) < self.net_config.flip
        return torch.where(chosen[:, None, None, None], images.flip(-1), images)

    def sample_grid(self, count: int, generator: torch.Generator) -> torch.Tensor:
        """Class-major: with k * num_classes samples, sample i is of class i // k."""
        classes = self.net_config.num_classes
        labels = (torch.arange(count) * classes) // count if classes else None
        self.net.eval()
        try:
            with torch.no_grad():
                guidance = DEFAULT_GUIDANCE if guidable(self.net_config) else 1.0  # as the app draws
                levels = sampling.sample(self.net, count, labels, generator, guidance=guidance)
        finally:
            self.net.train()
        return levels_to_unit(levels).cpu()

    def state_dict(self) -> dict[str, Any]:
        return {"net": self.net.state_dict(), "optimizer": self.optimizer.state_dict(), "steps": self.steps}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.net.load_state_dict(state["net"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.steps = int(state.get("steps", 0))

    def export(self) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
        weights = {name: t.detach().to("cpu").contiguous() for name, t in self.net.state_dict().items()}
        return weights, self.net_config.to_dict()


class _LogProbMap(nn.Module):
    """The training forward as one module call: a two-scale network's prior runs inside it too, so
    that DDP sees (and averages the gradients of) every parameter used."""

    def __init__(self, net: PixelCNN) -> None:
        super().__init__()
        self.net = net

    def forward(self, levels: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        return self.net.log_prob_map(levels, labels)  # (B, H, W) nats
