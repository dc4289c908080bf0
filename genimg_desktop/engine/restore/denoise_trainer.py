"""Training the restorer (`genimg train --family restore`): clean crops of the training photos are
damaged on the fly (noise, JPEG or both, engine/restore/degrade.py) and the network learns to give
the clean crop back while its estimator learns to read the damage level."""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from genimg_desktop.engine.latent_common import config_from_mapping
from genimg_desktop.engine.restore.degrade import Damage, DamageRanges
from genimg_desktop.engine.restore.denoise_net import LEVEL_UNIT, DenoiseConfig, DenoiseNet
from genimg_desktop.engine.training.batches import pixels_to_unit, to_uint8
from genimg_desktop.engine.training.ema import update_ema
from genimg_desktop.engine.training.family_trainer import CheckpointedTrainer, DataInfo, TrainConfig

RECIPE = """Blind FFDNet-style restorer: pixel-unshuffle by 2, a 3x3 convolution stack predicting the
damage (residual learning, DnCNN), conditioned on a damage-level map that a small estimator reads from
the picture (CBDNet's idea) and the artist's strength scales. Trained on random crops of clean photos,
flipped and rotated, each damaged on the fly: Gaussian noise sigma 0-{sigma_max:g} ({p_noise:.0%}), JPEG
quality {q_min}-{q_max} ({p_jpeg:.0%}), noise up to sigma {sigma_mixed:g} then JPEG ({p_mixed:.0%}), or left
clean ({p_clean:.0%}); noisy pixels are clipped and rounded as a saved picture holds them, and
{grid_text}. Loss: L1 to the clean crop plus {est_weight:g} x L1 of the estimated level to
the crop's true RMS damage; the denoiser sees the true level or (half the time, after warm-up) the
estimator's, so it learns to work from the estimate it gets in use; {p_identity:.0%} of crops get a zero
level and themselves as the target, so strength 0 is the input and lower strengths keep some grain.
Adam; the shipped weights are an exponential moving average."""

EMA_DECAY = 0.999
JPEG_BLOCK = 8  # crops are damaged with this margin, then cut at a random offset: any grid phase
GRID_COLUMNS = 8


@dataclass(frozen=True)
class RestoreTrainConfig:
    """The restore family's `--set` settings: the network's shape and the recipe."""

    width: int = 48
    depth: int = 8
    est_width: int = 16
    est_depth: int = 4
    grid: int = 0  # 16: the network is told the JPEG grid's phase (denoise_net.py); 0: it is not
    p_off_grid: float = 0.1  # with a grid: share of crops cut off it (a cropped JPEG), told it is on
    patch: int = 64  # side of the training crops (cut from the --size pictures)
    est_weight: float = 0.1
    p_estimated: float = 0.5  # share of steps the denoiser sees the estimated level, after warm-up
    warm_up: int = 300  # steps of the true level only, while the estimator is still learning
    # Share of crops shown with the level map at zero and their damaged self as the target: strength
    # 0 then gives the picture back, and strengths between keep a share of the grain.
    p_identity: float = 0.05
    sigma_max: float = 55.0
    q_min: int = 10
    q_max: int = 90
    # The damage mix (degrade.DamageRanges): shares of noise alone, JPEG alone and clean crops; the
    # rest get noise up to sigma_mixed then JPEG. A fine-tune may weight one damage more.
    p_noise: float = 0.4
    p_jpeg: float = 0.35
    p_clean: float = 0.05
    sigma_mixed: float = 35.0

    def network(self) -> DenoiseConfig:
        return DenoiseConfig(self.width, self.depth, self.est_width, self.est_depth, self.grid)

    def ranges(self) -> DamageRanges:
        shares = (self.p_noise, self.p_jpeg, self.p_clean)
        if min(shares) < 0 or sum(shares) > 1:
            raise ValueError("p_noise, p_jpeg and p_clean must be shares of at most 1 together")
        if not 1 <= self.q_min <= self.q_max <= 95:
            raise ValueError("the JPEG qualities need 1 <= q_min <= q_max <= 95")
        return DamageRanges(
            sigma_max=self.sigma_max,
            q_min=self.q_min,
            q_max=self.q_max,
            sigma_mixed=self.sigma_mixed,
            p_noise=self.p_noise,
            p_jpeg=self.p_jpeg,
            p_clean=self.p_clean,
        )

    def describe(self) -> str:
        """The recipe with this run's numbers, for the card."""
        p_mixed = 1 - self.p_noise - self.p_jpeg - self.p_clean
        grid_text = (
            f"the network is told the phase of the JPEG grid (period {self.grid} px, from the picture's "
            f"corner), on which the crops are cut (but {self.p_off_grid:.0%} at a random even offset, as "
            "a cropped JPEG)"
            if self.grid
            else "the JPEG 8x8 grid falls at a random phase"
        )
        return " ".join(RECIPE.format(**asdict(self), p_mixed=p_mixed, grid_text=grid_text).split())


class DenoiseTrainer(CheckpointedTrainer):
    __doc__ = RestoreTrainConfig().describe()
    checkpointed = ("net", "ema", "opt")
    warm_modules = ("net", "ema")
    settings_name = "restore"
    # Settings added after restore-photo's run was checkpointed (at these values).
    added_settings = {
        name: getattr(RestoreTrainConfig, name)
        for name in ("p_noise", "p_jpeg", "p_clean", "sigma_mixed", "grid", "p_off_grid")
    }

    def __init__(self, config: TrainConfig, data: DataInfo, device: torch.device) -> None:
        super().__init__(config, data, device)
        if data.channels != 3:
            raise ValueError("the restorer trains on colour pictures: pass --channels 3 or RGB data")
        self.recipe = config_from_mapping(RestoreTrainConfig, config.extra)
        self.ranges = self.recipe.ranges()  # checks the mix before anything trains
        self.side = min(self.recipe.patch, config.size - JPEG_BLOCK)
        if self.side < 16 or self.side % 2:
            raise ValueError(f"--size must be at least 24 (the crop is --set patch={self.recipe.patch})")
        self.net = DenoiseNet(self.recipe.network()).to(device)
        self.ema = copy.deepcopy(self.net).eval().requires_grad_(False)
        self.train_pair = self.wrap(_TrainingPass(self.net))
        self.opt = torch.optim.Adam(self.net.parameters(), lr=config.lr)
        self.probe: np.ndarray | None = None  # clean crops (B, side, side, 3) uint8 for the grid
        self.step = 0

    def train_step(self, images: torch.Tensor, labels: torch.Tensor) -> dict[str, float]:
        rng = np.random.default_rng(int(torch.randint(0, 2**62, (1,))))  # the loop seeds torch per step
        clean_u8, damaged_u8 = self._damaged_crops(to_uint8(images).permute(0, 2, 3, 1).cpu().numpy(), rng)
        clean, damaged = pixels_to_unit(clean_u8, self.device), pixels_to_unit(damaged_u8, self.device)
        true_level = ((damaged - clean) ** 2).mean(dim=(1, 2, 3), keepdim=True).sqrt() / LEVEL_UNIT
        use_estimate = self.step >= self.recipe.warm_up and rng.random() < self.recipe.p_estimated
        keep = torch.from_numpy(rng.random(len(clean)) >= self.recipe.p_identity).to(self.device)
        keep = keep.float()[:, None, None, None]  # (B, 1, 1, 1): 0 = strength 0, target the input
        restored, estimate = self.train_pair(damaged, true_level, keep, use_estimate)
        rec = F.l1_loss(restored, clean * keep + damaged * (1 - keep))
        est = F.l1_loss(estimate, true_level.expand_as(estimate))
        loss = rec + self.recipe.est_weight * est
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        self._update_ema()
        self.step += 1
        return {"loss": loss.item(), "l1": rec.item(), "level_err": est.item()}

    def _damaged_crops(self, pictures: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """(clean, damaged) crops (B, side, side, 3) uint8: each a random flipped/rotated window,
        damaged with a margin and cut at an offset (`_offset`)."""
        side, wide = self.side, self.side + JPEG_BLOCK
        size = pictures.shape[1]
        clean, damaged = [], []
        for picture in pictures:
            y, x = rng.integers(0, size - wide + 1, 2)
            window = np.rot90(picture[y : y + wide, x : x + wide], int(rng.integers(4)))
            window = np.ascontiguousarray(window[:, ::-1] if rng.random() < 0.5 else window)
            hurt = self.ranges.draw(rng).apply(window, rng)
            dy, dx = self._offset(rng)
            clean.append(window[dy : dy + side, dx : dx + side])
            damaged.append(hurt[dy : dy + side, dx : dx + side])
        if self.probe is None:
            self.probe = np.stack(clean[:GRID_COLUMNS])
        return np.stack(clean), np.stack(damaged)

    def _offset(self, rng: np.random.Generator) -> np.ndarray:
        """Where the crop starts in its damaged window: on the JPEG grid when the network is told
        the grid (but p_off_grid of crops at an even offset), else anywhere (any grid phase)."""
        if not self.recipe.grid:
            return rng.integers(0, JPEG_BLOCK + 1, 2)
        if rng.random() < self.recipe.p_off_grid:
            return 2 * rng.integers(0, JPEG_BLOCK // 2 + 1, 2)  # even: the 2x2 fold stays aligned
        return np.zeros(2, np.int64)

    def _update_ema(self) -> None:
        update_ema(self.ema, self.net, self.step, EMA_DECAY)

    @torch.no_grad()
    def sample_grid(self, count: int, generator: torch.Generator) -> torch.Tensor:
        """Rows of the probe crops: clean; sigma 25 and restored; JPEG q20 and restored; sigma 15 +
        q30 and restored; sigma 25 restored at strength 0.5 (keeps some grain)."""
        if self.probe is None:
            raise RuntimeError("no training batch seen yet")
        rng = np.random.default_rng(int(torch.randint(0, 2**62, (1,), generator=generator)))
        clean = pixels_to_unit(self.probe, self.device)
        rows = [clean]
        noisy = None
        for damage in (Damage(sigma=25), Damage(quality=20), Damage(sigma=15, quality=30)):
            hurt = pixels_to_unit(np.stack([damage.apply(p, rng) for p in self.probe]), self.device)
            noisy = hurt if noisy is None else noisy
            rows += [hurt, self.ema(hurt).clamp(0, 1)]
        assert noisy is not None
        rows.append(self.ema(noisy, torch.full_like(noisy[:, :1], 0.5)).clamp(0, 1))
        return (torch.cat(rows) * 2 - 1)[:count]

    def settings_card(self) -> dict[str, Any]:
        return asdict(self.recipe)

    def export(self) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
        weights = {name: t.detach().cpu().contiguous() for name, t in self.ema.state_dict().items()}
        return weights, {**self.recipe.network().to_card(), "recipe": self.recipe.describe()}


class _TrainingPass(nn.Module):
    """One training forward through every parameter (one module, so DDP can wrap it): the picture
    restored with the true level or the detached estimate, times `strength` (B, 1, 1, 1), and the
    estimate (B, 1, H/2, W/2)."""

    def __init__(self, net: DenoiseNet) -> None:
        super().__init__()
        self.net = net

    def forward(
        self, damaged: torch.Tensor, true_level: torch.Tensor, strength: torch.Tensor, use_estimate: bool
    ) -> tuple[torch.Tensor, torch.Tensor]:
        estimate = self.net.level(damaged)
        level = estimate.detach() if use_estimate else true_level.expand_as(estimate)
        return self.net.restore(damaged, level * strength), estimate
