"""Which images make up each step's batch, and how they reach the device.

A batch depends only on (seed, step): each pass over the data uses its own seeded permutation and
batches are cut from the passes laid end to end. A resumed run therefore sees exactly the batches an
uninterrupted one would, without saving any sampler state. Under DDP every process computes the
same global batch and keeps its rank's share (`--batch-size` is the global batch, so a recipe does
not change with the number of processes).
"""

from __future__ import annotations

import numpy as np
import torch

_MAX_ON_DEVICE = 2 << 30  # bytes of uint8 images kept on a GPU; more stays on the host


def mix_seed(*parts: int) -> int:
    """A 63-bit seed from several integers (seed, pass, step, rank): different inputs, unrelated streams."""
    value = 0x9E3779B97F4A7C15
    for part in parts:
        value = (value ^ (int(part) & 0xFFFF_FFFF_FFFF_FFFF)) * 0x100000001B3 % (1 << 64)
        value ^= value >> 29
    return value & 0x7FFF_FFFF_FFFF_FFFF


class BatchStream:
    def __init__(self, count: int, batch_size: int, seed: int, rank: int = 0, world: int = 1) -> None:
        if count < 1:
            raise ValueError("no training images")
        if batch_size < world or batch_size % world:
            raise ValueError(f"--batch-size {batch_size} must be a multiple of the {world} processes")
        self.count, self.batch_size, self.seed = count, batch_size, seed
        self.rank, self.world = rank, world
        self._perms: dict[int, torch.Tensor] = {}

    def indices(self, step: int) -> torch.Tensor:
        """This process's image indices for `step` (counted from 0)."""
        return self.global_indices(step)[self.rank :: self.world]

    def global_indices(self, step: int) -> torch.Tensor:
        start, parts, need = step * self.batch_size, [], self.batch_size
        while need:
            epoch, offset = divmod(start, self.count)
            take = min(self.count - offset, need)
            parts.append(self._perm(epoch)[offset : offset + take])
            start, need = start + take, need - take
        return torch.cat(parts)

    def _perm(self, epoch: int) -> torch.Tensor:
        if epoch not in self._perms:
            if len(self._perms) > 2:  # a batch spans at most a few passes; keep memory flat
                self._perms.pop(min(self._perms))
            generator = torch.Generator().manual_seed(mix_seed(self.seed, epoch))
            self._perms[epoch] = torch.randperm(self.count, generator=generator)
        return self._perms[epoch]


class DeviceImages:
    """The training images as uint8 (N, C, H, W), on the GPU when they fit (no per-step copies)."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, device: torch.device) -> None:
        if images.ndim != 4 or images.dtype != np.uint8:
            raise ValueError(f"expected (N, H, W, C) uint8 images, got {images.shape} {images.dtype}")
        nchw = torch.from_numpy(images.transpose(0, 3, 1, 2).copy())  # C order, writable
        keep = device if device.type != "cpu" and nchw.numel() <= _MAX_ON_DEVICE else torch.device("cpu")
        self.images = nchw.to(keep)
        self.labels = torch.as_tensor(np.asarray(labels), dtype=torch.int64).to(keep)
        self.device = device

    def __len__(self) -> int:
        return int(self.images.shape[0])

    def batch(self, indices: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(float images in [-1, 1], int64 labels) on the training device."""
        idx = indices.to(self.images.device)
        images = self.images[idx].to(self.device, non_blocking=True)
        labels = self.labels[idx].to(self.device, non_blocking=True)
        return to_unit_range(images), labels


def pixels_to_unit(pixels: np.ndarray, device: torch.device) -> torch.Tensor:
    """(B, H, W, 3) uint8 pictures -> (B, 3, H, W) float32 in 0..1 on `device` (the range of the
    upscale and restore networks, which work on pictures rather than the -1..1 training convention)."""
    return torch.from_numpy(np.ascontiguousarray(pixels)).to(device).permute(0, 3, 1, 2).float().div(255.0)


def to_unit_range(images: torch.Tensor) -> torch.Tensor:
    """uint8 0..255 -> float32 -1..1 (the training convention in family_trainer)."""
    return images.float().mul_(2.0 / 255.0).sub_(1.0)


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """float -1..1 -> uint8 0..255, clamped (the inverse of `to_unit_range`, up to rounding)."""
    return ((images.detach().float().clamp(-1, 1) + 1.0) * 127.5).round().to(torch.uint8)
