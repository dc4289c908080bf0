"""The damage the restorer learns to undo, made the same way for training and for the bench:
Gaussian noise and JPEG compression of uint8 RGB pictures, each result stored as uint8 again (as a
picture file holds it: noise is clipped to 0..255 and rounded)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image


def add_noise(image: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """`image` (H, W, 3) uint8 plus Gaussian noise of `sigma` grey levels, clipped and rounded."""
    noise = rng.standard_normal(image.shape, dtype=np.float32) * np.float32(sigma)
    return np.clip(image.astype(np.float32) + noise, 0, 255).round().astype(np.uint8)


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    """`image` (H, W, 3) uint8 saved as a JPEG of `quality` (Pillow's defaults: 4:2:0 chroma, as
    most cameras and web pictures) and read back."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=int(quality))
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return np.asarray(decoded.convert("RGB"))


@dataclass(frozen=True)
class Damage:
    """One picture's damage: noise first (the sensor), then JPEG (the file); 0 / None: not applied."""

    sigma: float = 0.0
    quality: int | None = None

    def apply(self, image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        out = add_noise(image, self.sigma, rng) if self.sigma > 0 else image
        return jpeg(out, self.quality) if self.quality is not None else out


@dataclass(frozen=True)
class DamageRanges:
    """What training draws from: noise sigma in 0..sigma_max, JPEG quality in q_min..q_max, each
    alone or both (the noise then at most sigma_mixed), and a share of clean pictures to leave be."""

    sigma_max: float = 55.0
    q_min: int = 10
    q_max: int = 90
    sigma_mixed: float = 35.0
    p_noise: float = 0.4
    p_jpeg: float = 0.35
    p_clean: float = 0.05  # the rest: noise then JPEG

    def draw(self, rng: np.random.Generator) -> Damage:
        pick = rng.random()
        if pick < self.p_clean:
            return Damage()
        if pick < self.p_clean + self.p_noise:
            return Damage(sigma=float(rng.uniform(0, self.sigma_max)))
        quality = int(rng.integers(self.q_min, self.q_max + 1))
        if pick < self.p_clean + self.p_noise + self.p_jpeg:
            return Damage(quality=quality)
        return Damage(sigma=float(rng.uniform(0, self.sigma_mixed)), quality=max(quality, self.q_min + 5))


def shrink(image: np.ndarray, scale: int) -> np.ndarray:
    """The low-resolution picture super-resolution starts from: `image` (H, W, 3) uint8 reduced by
    `scale` with Pillow's antialiased bicubic (the classic SR benchmark degradation, MATLAB-like);
    H and W are cut down to multiples of `scale` first, see `fit_scale`."""
    fitted = fit_scale(image, scale)
    height, width = fitted.shape[:2]
    small = Image.fromarray(fitted).resize((width // scale, height // scale), Image.Resampling.BICUBIC)
    return np.asarray(small)


def fit_scale(image: np.ndarray, scale: int) -> np.ndarray:
    """`image` cut at the bottom and right to sides that are multiples of `scale`."""
    height, width = image.shape[:2]
    return image[: height - height % scale, : width - width % scale]
