"""Training our upscaler (`genimg train --family upscale --set scale=2 ...`): random crops of the
clean training pictures are shrunk (engine/restore/degrade.shrink, as the bench does) and the
network learns to give the crop back from its shrunk copy."""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from genimg_desktop.engine.latent_common import config_from_mapping
from genimg_desktop.engine.restore.degrade import shrink
from genimg_desktop.engine.restore.sr_gan import PatchCritic, critic_loss, generator_terms
from genimg_desktop.engine.restore.sr_net import SrConfig, SrNet
from genimg_desktop.engine.training.batches import pixels_to_unit, to_uint8
from genimg_desktop.engine.training.ema import update_ema
from genimg_desktop.engine.training.family_trainer import CheckpointedTrainer, DataInfo, TrainConfig

RECIPE = """Residual CNN over bicubic (ESPCN/VDSR): convolutions at the low resolution (optionally on
the input folded 2x2, FFDNet-style), PReLU, a pixel-shuffle tail adding detail to the bicubic
enlargement. Trained on random crops of clean photos (decoded downscaled, so no compression
artefacts), flipped and rotated, each shrunk with Pillow's antialiased bicubic and rounded to uint8;
L1 loss, Adam; the shipped weights are an exponential moving average."""

SHARP = """ Fine-tuned "sharp" (SRGAN-style): plus a hinge adversarial term from a spectral-norm patch
critic and a feature-matching term on the critic's features; sharper texture, lower PSNR."""

SHARP_KEYS = ("adv", "feature", "critic_width")
EMA_DECAY = 0.999
GRID_COLUMNS = 8


@dataclass(frozen=True)
class UpscaleTrainConfig:
    """The upscale family's `--set` settings: the network's shape and the crop."""

    scale: int = 2
    width: int = 32
    depth: int = 4
    fold: int = 1
    patch: int = 96  # side of the clean training crops (cut from the --size tiles)
    # "Sharp" fine-tune (sr_gan.py): weights of the adversarial and critic-feature terms beside L1;
    # 0 trains the faithful (PSNR) model. Start it from a faithful model with --init-from.
    adv: float = 0.0
    feature: float = 0.0
    critic_width: int = 32

    def network(self) -> SrConfig:
        return SrConfig(self.scale, self.width, self.depth, self.fold)


class UpscaleTrainer(CheckpointedTrainer):
    __doc__ = RECIPE
    checkpointed = ("net", "ema", "opt")
    warm_modules = ("net", "ema")
    settings_name = "upscale"

    def __init__(self, config: TrainConfig, data: DataInfo, device: torch.device) -> None:
        super().__init__(config, data, device)
        if data.channels != 3:
            raise ValueError("the upscaler trains on colour pictures: pass --channels 3 or RGB data")
        self.recipe = config_from_mapping(UpscaleTrainConfig, config.extra)
        self.network = self.recipe.network()
        SrConfig.from_card(self.network.to_card())  # refuses a bad shape before anything is built
        multiple = self.recipe.scale * self.recipe.fold
        self.side = min(self.recipe.patch, config.size) // multiple * multiple
        if self.side < 4 * multiple:
            raise ValueError(
                f"--size and patch must be at least {4 * multiple} for scale {self.recipe.scale}"
            )
        self.net = SrNet(self.network).to(device)
        self.ema = copy.deepcopy(self.net).eval().requires_grad_(False)
        self.net_train = self.wrap(self.net)
        self.opt = torch.optim.Adam(self.net.parameters(), lr=config.lr)
        if self.recipe.adv > 0 or self.recipe.feature > 0:
            self.critic = PatchCritic(self.recipe.critic_width).to(device)
            self.critic_train = self.wrap(self.critic)
            self.opt_d = torch.optim.Adam(self.critic.parameters(), lr=config.lr, betas=(0.5, 0.999))
            self.checkpointed = (*self.checkpointed, "critic", "opt_d")
        self.probe: np.ndarray | None = None  # clean crops (B, side, side, 3) uint8 for the grid
        self.step = 0

    def train_step(self, images: torch.Tensor, labels: torch.Tensor) -> dict[str, float]:
        rng = np.random.default_rng(int(torch.randint(0, 2**62, (1,))))  # the loop seeds torch per step
        clean_u8 = self._crops(to_uint8(images).permute(0, 2, 3, 1).cpu().numpy(), rng)
        small_u8 = np.stack([shrink(crop, self.recipe.scale) for crop in clean_u8])
        clean, small = pixels_to_unit(clean_u8, self.device), pixels_to_unit(small_u8, self.device)
        upscaled = self.net_train(small)
        l1 = F.l1_loss(upscaled, clean)
        losses, loss = {"l1": l1.item()}, l1
        if hasattr(self, "critic"):
            losses["d_loss"] = self._critic_step(clean, upscaled.detach())
            adv, matching = generator_terms(self.critic_train, clean, upscaled)
            loss = l1 + self.recipe.adv * adv + self.recipe.feature * matching
            losses |= {"adv": adv.item(), "fm": matching.item()}
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        self._update_ema()
        self.step += 1
        return losses

    def _critic_step(self, clean: torch.Tensor, upscaled: torch.Tensor) -> float:
        loss = critic_loss(self.critic_train, clean, upscaled)
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        return loss.item()

    def _crops(self, pictures: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A random flipped/rotated `side` window of each picture, (B, side, side, 3) uint8."""
        side, size = self.side, pictures.shape[1]
        out = []
        for picture in pictures:
            y, x = rng.integers(0, size - side + 1, 2)
            window = np.rot90(picture[y : y + side, x : x + side], int(rng.integers(4)))
            out.append(window[:, ::-1] if rng.random() < 0.5 else window)
        crops = np.ascontiguousarray(np.stack(out))
        if self.probe is None:
            self.probe = crops[:GRID_COLUMNS].copy()
        return crops

    def _update_ema(self) -> None:
        update_ema(self.ema, self.net, self.step, EMA_DECAY)

    @torch.no_grad()
    def sample_grid(self, count: int, generator: torch.Generator) -> torch.Tensor:
        """Rows of the probe crops: Pillow bicubic from the shrunk crop, the network's, the original."""
        if self.probe is None:
            raise RuntimeError("no training batch seen yet")
        scale = self.recipe.scale
        small = [shrink(crop, scale) for crop in self.probe]
        bicubic = pixels_to_unit(np.stack([_bicubic_up(s, scale) for s in small]), self.device)
        ours = self.ema(pixels_to_unit(np.stack(small), self.device)).clamp(0, 1)
        rows = [bicubic, ours, pixels_to_unit(self.probe, self.device)]
        while sum(len(r) for r in rows) < count:
            rows += rows[:3]
        return (torch.cat(rows) * 2 - 1)[:count]

    def settings_card(self) -> dict[str, Any]:
        card = asdict(self.recipe)
        if not hasattr(self, "critic"):  # a faithful run states no GAN settings (as before they existed)
            for key in SHARP_KEYS:
                card.pop(key)
        return card

    def export(self) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
        weights = {name: t.detach().cpu().contiguous() for name, t in self.ema.state_dict().items()}
        recipe = RECIPE + (SHARP if hasattr(self, "critic") else "")
        return weights, {**self.network.to_card(), "recipe": " ".join(recipe.split())}


def _bicubic_up(picture: np.ndarray, scale: int) -> np.ndarray:
    """Pillow's bicubic enlargement: the baseline the network must beat."""
    height, width = picture.shape[:2]
    return np.asarray(
        Image.fromarray(picture).resize((width * scale, height * scale), Image.Resampling.BICUBIC)
    )
