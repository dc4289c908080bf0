"""Training the fill network: random free-form masks over the batch, one hinge step of the patch
discriminator, then one step of the generator (L1 on hole and kept pixels, adversarial, feature
matching)."""

from __future__ import annotations

import copy
from typing import Any

import torch
import torch.nn.functional as F

from genimg_desktop.engine.inpaint import RECIPE
from genimg_desktop.engine.inpaint.config import ARCH_KEYS, InpaintConfig
from genimg_desktop.engine.inpaint.masks import OBJECT_KINDS, mask_batch
from genimg_desktop.engine.inpaint.networks import FillNet, PatchDiscriminator
from genimg_desktop.engine.training.ema import update_ema
from genimg_desktop.engine.training.family_trainer import (
    CheckpointedTrainer,
    DataInfo,
    TrainConfig,
)

EMA_DECAY = 0.999
GRID_IMAGES = 8  # columns of the sample grid: rows are masked input, filled, original, ...
# A network trained shrunk fills holes at least this wide (px) at its training scale, narrower ones
# (brush strokes, whose fill comes from their edges) at full size: the card's shrink_from (model.py).
# Measured with the hybrid on the bench's photos: docs/UNSHIPPED-RUNS.md, inpaint-fill-photos.
STROKES_AT_FULL_SIZE = 64


class InpaintTrainer(CheckpointedTrainer):
    __doc__ = RECIPE
    checkpointed = ("g", "d", "g_ema", "opt_g", "opt_d")
    warm_modules = ("g", "g_ema")  # the file holds the EMA generator; the discriminator starts fresh
    settings_name = "inpaint"

    def __init__(self, config: TrainConfig, data: DataInfo, device: torch.device) -> None:
        super().__init__(config, data, device)
        if data.channels != 3:
            raise ValueError("the fill network trains on colour images: pass --channels 3 or RGB data")
        self.net = InpaintConfig.from_mapping(config.extra)
        shrunk = config.size // self.net.shrink
        self.side = self.net.crop if 0 < self.net.crop < shrunk else shrunk
        if self.side % self.net.stride or shrunk * self.net.shrink != config.size:
            raise ValueError(
                f"--size / shrink (or crop) must be a multiple of the network's stride {self.net.stride}"
            )
        self.g = FillNet(self.net).to(device)
        self.d = PatchDiscriminator(self.net).to(device)
        self.g_ema = copy.deepcopy(self.g).eval().requires_grad_(False)
        self.g_train, self.d_train = self.wrap(self.g), self.wrap(self.d)
        betas = (self.net.beta1, self.net.beta2)
        self.opt_g = torch.optim.Adam(self.g.parameters(), lr=config.lr, betas=betas)
        self.opt_d = torch.optim.Adam(self.d.parameters(), lr=config.lr, betas=betas)
        self.kinds = [k.strip() for k in self.net.mask_kinds.split(",") if k.strip()]
        self.probe: torch.Tensor | None = None  # a few training images for the sample grid
        self.step = 0

    def train_step(self, images: torch.Tensor, labels: torch.Tensor) -> dict[str, float]:
        shrunk = _shrunk(images.to(self.device), self.net.shrink)
        real = _random_crops(shrunk, self.side)  # (B, 3, side, side)
        if self.probe is None:
            self.probe = real[:GRID_IMAGES].detach().clone()
        flip = torch.rand(real.shape[0], device=self.device) < 0.5  # mirror half: free extra data
        real = torch.where(flip[:, None, None, None], real.flip(3), real)
        mask = self._masks(real.shape[0]).to(self.device)  # (B, 1, side, side)
        raw = self.g_train(real, mask)
        filled = raw.clamp(-1, 1) * mask + real * (
            1 - mask
        )  # what the user gets: kept pixels are the input's
        d_losses = self._d_step(real, filled.detach(), mask)
        g_losses = self._g_step(real, raw, filled, mask)
        self._update_ema()
        self.step += 1
        return {**d_losses, **g_losses}

    def _masks(self, count: int, generator: torch.Generator | None = None) -> torch.Tensor:
        return mask_batch(count, self.side, self.kinds, generator, reference=self.config.size)

    def _d_step(self, real: torch.Tensor, fake: torch.Tensor, mask: torch.Tensor) -> dict[str, float]:
        scores, _ = self.d_train(torch.cat([real, fake]), torch.cat([mask, mask]))
        real_s, fake_s = scores.chunk(2)
        loss = F.relu(1 - real_s).mean() + F.relu(1 + fake_s).mean()  # hinge, on every patch
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        return {"d_loss": loss.item()}

    def _g_step(
        self, real: torch.Tensor, raw: torch.Tensor, filled: torch.Tensor, mask: torch.Tensor
    ) -> dict[str, float]:
        hole = mask.mean().clamp_min(1e-3)
        l1_hole = ((raw - real).abs() * mask).mean() / hole  # mean over hole pixels
        l1_valid = ((raw - real).abs() * (1 - mask)).mean() / (1 - hole).clamp_min(1e-3)
        self.d.requires_grad_(False)  # no critic gradients for a generator step
        fake_scores, fake_feats = self.d(filled, mask)
        with torch.no_grad():
            _, real_feats = self.d(real, mask)
        self.d.requires_grad_(True)
        adv = -fake_scores.mean()
        fm = sum(F.l1_loss(f, r) for f, r in zip(fake_feats, real_feats, strict=True)) / len(fake_feats)
        n = self.net
        loss = n.l1_hole * l1_hole + n.l1_valid * l1_valid + n.adv * adv + n.feature_match * fm
        losses = {"l1_hole": l1_hole.item(), "adv": adv.item(), "fm": float(fm.item())}
        if n.texture:
            texture = detail_loss(filled, real, mask)
            loss = loss + n.texture * texture
            losses["texture"] = texture.item()
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        return {"g_loss": loss.item(), **losses}

    def _update_ema(self) -> None:
        update_ema(self.g_ema, self.g, self.step, EMA_DECAY)

    @torch.no_grad()
    def sample_grid(self, count: int, generator: torch.Generator) -> torch.Tensor:
        """Rows of GRID_IMAGES: masked input (hole grey), the EMA network's fill, the original."""
        if self.probe is None:
            raise RuntimeError("no training batch seen yet")
        real = self.probe
        rows = []
        while sum(r.shape[0] for r in rows) < count:
            mask = self._masks(real.shape[0], generator).to(self.device)
            filled = self.g_ema(real, mask, None, generator).clamp(-1, 1) * mask + real * (1 - mask)
            rows += [real * (1 - mask), filled, real]
        return torch.cat(rows)[:count]

    def settings_card(self) -> dict[str, Any]:
        return self.net.to_card()

    def export(self) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
        weights = {name: t.detach().cpu().contiguous() for name, t in self.g_ema.state_dict().items()}
        arch = {key: value for key, value in self.net.to_card().items() if key in ARCH_KEYS}
        if self.net.shrink > 1:  # the app fills object-sized holes at the scale the network learned
            arch.update(fill_scale=1 / self.net.shrink, shrink_from=STROKES_AT_FULL_SIZE)
        return weights, {**arch, "recipe": recipe_text(self.net)}


def recipe_text(net: InpaintConfig) -> str:
    """The card's recipe: RECIPE, then what this run's `--set` changed in it (numbers in the card's
    training.settings), so a retrained network's card does not describe the first one's recipe."""
    first = InpaintConfig()
    changes = []
    if net.fourier:
        changes.append(
            f"{net.fourier} residual Fourier blocks after the dilated ones (LaMa's spectral unit: a 1x1 "
            "convolution over the features' 2-D FFT, a receptive field as large as the picture)"
        )
    if set(net.mask_kinds.split(",")) & set(OBJECT_KINDS):
        changes.append(
            "object-sized holes (blobs and boxes, 90-180 px on a 512 px picture) beside the strokes"
        )
    if net.shrink > 1:
        changes.append(
            f"trained at 1/{net.shrink} of the pictures' scale ({net.shrink}x{net.shrink} means), holes "
            "sized as on the whole picture: for a hybrid that runs it on a crop shrunk as much (fill_scale)"
        )
    if net.texture:
        changes.append(
            f"a detail term (weight {net.texture:g}): in 8 px cells of the hole, L1 between the sorted steps "
            "to the neighbour (across, down, both diagonals) of the fill and of the original, so a flat "
            "fill pays for missing texture and stripes do not pass for it"
        )
    if net.adv != first.adv:
        changes.append(f"adversarial weight {net.adv:g} instead of {first.adv:g}")
    text = " ".join(RECIPE.split())
    return f"{text} This network's run changed: {'; '.join(changes)}." if changes else text


def detail_loss(fake: torch.Tensor, real: torch.Tensor, mask: torch.Tensor, cell: int = 8) -> torch.Tensor:
    """How far the local detail of `fake` is from `real`'s (grey), over the cells the hole touches: in
    each `cell` x `cell` cell and each direction (across, down and both diagonals), L1 between the
    sorted steps to the neighbour in `fake` and in `real` (a 1-D optimal transport between the two
    cells' distributions of steps), summed over the directions. A flat fill where the photo has grass
    or brick costs its missing detail, wherever the detail sits inside the cell (it does not ask for
    the exact pixels, as L1 does). Stripes cost too: one mean |Laplacian| per cell (the first form of
    this term) was met by horizontal stripes in big holes; a pattern that steps the same way at every
    pixel, or in one direction only, has the wrong distribution of steps where the photo's are varied."""
    steps = [(1, 2), (2, 1), (2, 2), (2, 0)]  # the neighbour to the right, below, and the diagonals
    kernel = real.new_zeros(len(steps), 1, 3, 3)
    for index, (y, x) in enumerate(steps):
        kernel[index, 0, y, x], kernel[index, 0, 1, 1] = 1.0, -1.0

    def sorted_steps(image: torch.Tensor) -> torch.Tensor:
        grey = image.mean(dim=1, keepdim=True)
        responses = F.conv2d(grey, kernel, padding=1)  # (B, 4, H, W)
        batch, directions, height, width = responses.shape
        cells = responses.reshape(batch, directions, height // cell, cell, width // cell, cell)
        cells = cells.permute(0, 1, 2, 4, 3, 5).reshape(batch, directions, height // cell, width // cell, -1)
        return cells.sort(dim=-1).values

    weight = F.avg_pool2d(mask, cell)[:, 0]  # (B, H / cell, W / cell): the share of each cell that is hole
    gap = (sorted_steps(fake) - sorted_steps(real)).abs().mean(dim=4).sum(dim=1)  # summed over directions
    return (gap * weight).sum() / weight.sum().clamp_min(1e-3)


def _shrunk(images: torch.Tensor, factor: int) -> torch.Tensor:
    """`images` at 1/factor of their scale, each output pixel the mean of factor x factor inputs."""
    return images if factor == 1 else F.avg_pool2d(images, factor)


def _random_crops(images: torch.Tensor, side: int) -> torch.Tensor:
    """A random `side` x `side` window of each image (drawn from the loop's seeded torch RNG)."""
    size = images.shape[-1]
    if side >= size:
        return images
    ys = torch.randint(0, size - side + 1, (images.shape[0],)).tolist()
    xs = torch.randint(0, size - side + 1, (images.shape[0],)).tolist()
    return torch.stack([im[:, y : y + side, x : x + side] for im, y, x in zip(images, ys, xs, strict=True)])
