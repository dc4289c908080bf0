"""Differentiable augmentation of the critic's input (DiffAugment, Zhao et al. 2020).

With a few thousand training images the critic memorises them within a few hundred steps; the
generator then chases a critic that only recognises the training set, and each class collapses onto
one image. Augmenting every image the critic sees, real and fake alike and with the same policy,
keeps it from memorising while leaving the generator's target unchanged: the augmentations are
differentiable, so the generator learns the un-augmented distribution. Images are (B, C, H, W) in
[-1, 1]; random draws use the global torch generator, like the training step's latents.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

POLICIES = ("color", "translation", "cutout")
TRANSLATION = 1 / 8  # largest shift, as a fraction of the side
CUTOUT = 1 / 2  # side of the erased square, as a fraction of the side


def parse_policy(text: str) -> tuple[str, ...]:
    """'translation,cutout' -> ('translation', 'cutout'); '' -> (). Unknown names are an error."""
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in POLICIES]
    if unknown:
        raise ValueError(f"unknown augmentation(s) {', '.join(unknown)}; choose from {', '.join(POLICIES)}")
    return names


def diff_augment(images: torch.Tensor, policy: tuple[str, ...]) -> torch.Tensor:
    """The same random augmentation family applied per image, in the policy's order."""
    for name in policy:
        images = _AUGMENTS[name](images)
    return images


def _color(x: torch.Tensor) -> torch.Tensor:
    b = x.shape[0]
    x = x + (torch.rand(b, 1, 1, 1, device=x.device) - 0.5)  # brightness
    if x.shape[1] > 1:  # saturation: scale the distance from the pixel's grey
        grey = x.mean(dim=1, keepdim=True)
        x = (x - grey) * (torch.rand(b, 1, 1, 1, device=x.device) * 2) + grey
    mean = x.mean(dim=(1, 2, 3), keepdim=True)  # contrast
    return (x - mean) * (torch.rand(b, 1, 1, 1, device=x.device) + 0.5) + mean


def _translation(x: torch.Tensor) -> torch.Tensor:
    """Whole-pixel shifts of up to 1/8 of the side, the uncovered border filled with -1 (black)."""
    b, _, h, w = x.shape
    max_y, max_x = max(1, int(h * TRANSLATION)), max(1, int(w * TRANSLATION))
    dy = torch.randint(-max_y, max_y + 1, (b, 1, 1), device=x.device)
    dx = torch.randint(-max_x, max_x + 1, (b, 1, 1), device=x.device)
    rows = torch.arange(h, device=x.device).view(1, h, 1) + dy + max_y  # (B, H, 1) in padded coords
    cols = torch.arange(w, device=x.device).view(1, 1, w) + dx + max_x  # (B, 1, W)
    padded = F.pad(x, (max_x, max_x, max_y, max_y), value=-1.0)  # (B, C, H + 2my, W + 2mx)
    flat = (rows * padded.shape[3] + cols).view(b, 1, h * w).expand(-1, x.shape[1], -1)
    return padded.flatten(2).gather(2, flat).view_as(x)


def _cutout(x: torch.Tensor) -> torch.Tensor:
    """One square of half the side per image set to 0 (mid grey), placed anywhere, partly outside."""
    b, _, h, w = x.shape
    size_y, size_x = max(1, int(h * CUTOUT)), max(1, int(w * CUTOUT))
    top = torch.randint(0, h + (1 - size_y % 2), (b, 1, 1), device=x.device) - size_y // 2
    left = torch.randint(0, w + (1 - size_x % 2), (b, 1, 1), device=x.device) - size_x // 2
    rows = torch.arange(h, device=x.device).view(1, h, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w)
    inside = (rows >= top) & (rows < top + size_y) & (cols >= left) & (cols < left + size_x)  # (B, H, W)
    return x * (~inside).unsqueeze(1).to(x.dtype)


_AUGMENTS = {"color": _color, "translation": _translation, "cutout": _cutout}
