"""Training the texture GAN: random crops of the training pictures against generated crops, one
hinge step of the patch critic, then one of the generator."""

from __future__ import annotations

import copy
import math
from typing import Any

import torch
import torch.nn.functional as F

from genimg_desktop.engine.texture import RECIPE
from genimg_desktop.engine.texture.config import ARCH_KEYS, TextureConfig
from genimg_desktop.engine.texture.networks import PatchCritic, TextureGenerator
from genimg_desktop.engine.texture.patch_stats import patch_distance
from genimg_desktop.engine.training.ema import update_ema
from genimg_desktop.engine.training.family_trainer import CheckpointedTrainer, DataInfo, TrainConfig


class TextureTrainer(CheckpointedTrainer):
    __doc__ = RECIPE
    checkpointed = ("g", "d", "g_ema", "opt_g", "opt_d")
    warm_modules = ("g", "g_ema")  # the file holds the EMA generator; the critic starts fresh
    settings_name = "texture"

    def __init__(self, config: TrainConfig, data: DataInfo, device: torch.device) -> None:
        super().__init__(config, data, device)
        if data.channels != 3:
            raise ValueError("textures train on colour pictures: pass --channels 3 or RGB data")
        self.net = TextureConfig.from_mapping(config.extra)
        if self.net.crop > config.size:
            raise ValueError(f"--size {config.size} is smaller than the crop {self.net.crop}: raise --size")
        self.g = TextureGenerator(self.net).to(device)
        self.d = PatchCritic(self.net).to(device)
        self.g_ema = copy.deepcopy(self.g).eval().requires_grad_(False)
        self.g_train, self.d_train = self.wrap(self.g), self.wrap(self.d)
        betas = (self.net.beta1, self.net.beta2)
        self.opt_g = torch.optim.Adam(self.g.parameters(), lr=config.lr, betas=betas)
        self.opt_d = torch.optim.Adam(self.d.parameters(), lr=config.lr, betas=betas)
        self.step = 0

    def train_step(self, images: torch.Tensor, labels: torch.Tensor) -> dict[str, float]:
        real = random_crops(images.to(self.device), self.net.crop)
        if self.net.flip:
            flip = torch.rand(real.shape[0], device=self.device) < 0.5
            real = torch.where(flip[:, None, None, None], real.flip(3), real)
        fake = self._fake(self.g_train, real.shape[0], None)
        d_loss = self._d_step(real, fake.detach())
        self.d.requires_grad_(False)  # no critic gradients for a generator step
        adv = -self.d_train(fake).mean()
        self.d.requires_grad_(True)
        stats = patch_distance(fake, real) if self.net.patch_loss else adv.new_zeros(())
        g_loss = adv + self.net.patch_loss * stats
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        self._update_ema()
        self.step += 1
        return {"d_loss": d_loss, "g_loss": adv.item(), "patch_swd": stats.item()}

    def _fake(self, g: Any, count: int, generator: torch.Generator | None) -> torch.Tensor:
        """Generated crops (count, 3, crop, crop): drawn with one cell of noise around them and the
        border cropped, so that the field's edge is never what the critic judges."""
        n, side = self.net, self.net.crop // self.net.stride
        z_global = torch.randn(count, n.global_dim, generator=generator).to(self.device)
        phase = (torch.rand(count, n.periodic_dim, generator=generator) * (2 * math.pi)).to(self.device)
        local = torch.randn(count, n.local_dim, side + 2, side + 2, generator=generator).to(self.device)
        levels = [
            torch.randn(count, 1, (side + 2) * 2**k, (side + 2) * 2**k, generator=generator).to(self.device)
            for k in range(1, len(n.width_list()) + 1)
        ]
        # The module itself for its field and waves: `g` may be its DDP or mixed-precision wrapper.
        net = self.g_ema if g is self.g_ema else self.g
        field = net.field(local, z_global, phase, net.waves(z_global), (-1, -1))
        edge = n.stride
        return g(field, levels)[:, :, edge:-edge, edge:-edge]

    def _d_step(self, real: torch.Tensor, fake: torch.Tensor) -> float:
        scores = self.d_train(torch.cat([real, fake]))
        real_s, fake_s = scores.chunk(2)
        loss = F.relu(1 - real_s).mean() + F.relu(1 + fake_s).mean()  # hinge, on every patch
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        return loss.item()

    def _update_ema(self) -> None:
        update_ema(self.g_ema, self.g, self.step, self.net.ema_decay)

    @torch.no_grad()
    def sample_grid(self, count: int, generator: torch.Generator) -> torch.Tensor:
        """`count` crops drawn by the EMA generator in eval mode: what the app will draw."""
        return self._fake(self.g_ema, count, generator).cpu()

    def settings_card(self) -> dict[str, Any]:
        return self.net.to_card()

    def export(self) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
        weights = {name: t.detach().cpu().contiguous() for name, t in self.g_ema.state_dict().items()}
        arch = {key: value for key, value in self.net.to_card().items() if key in ARCH_KEYS}
        return weights, {**arch, "recipe": " ".join(RECIPE.split())}


def random_crops(images: torch.Tensor, side: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """A random `side` x `side` window of each image (from `generator`, else the loop's seeded torch RNG)."""
    size_y, size_x = images.shape[-2:]
    if side >= min(size_y, size_x):
        return images
    ys = torch.randint(0, size_y - side + 1, (images.shape[0],), generator=generator).tolist()
    xs = torch.randint(0, size_x - side + 1, (images.shape[0],), generator=generator).tolist()
    return torch.stack([im[:, y : y + side, x : x + side] for im, y, x in zip(images, ys, xs, strict=True)])
