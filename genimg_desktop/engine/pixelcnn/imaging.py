"""Between the canvas (uint8 RGB at any size) and the model (levels at its fixed resolution)."""

from __future__ import annotations

import cv2
import numpy as np
import torch

LUMA = np.array([0.299, 0.587, 0.114], np.float32)  # ITU-R BT.601, what Pillow's "L" mode uses


def resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Area averaging when shrinking (no aliasing), bicubic when enlarging; a same-size image is
    returned as is, so known pixels stay exact."""
    if image.shape[1] == width and image.shape[0] == height:
        return image
    shrinking = width * height < image.shape[0] * image.shape[1]
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC)


def resize_map(values: np.ndarray, width: int, height: int) -> np.ndarray:
    """Resize a float map with area or bilinear interpolation: no overshoot past its range (bicubic
    would, and an entropy above its maximum reads as nonsense)."""
    if values.shape[1] == width and values.shape[0] == height:
        return values
    shrinking = width * height < values.shape[0] * values.shape[1]
    return cv2.resize(
        values, (width, height), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    )


def to_levels(image: np.ndarray, size: int, channels: int) -> torch.Tensor:
    """(H, W, 3) uint8 RGB -> (C, size, size) int64 levels; gray models get the luma."""
    small = resize(image, size, size)
    if channels == 1:
        if (small[..., :1] == small).all():  # already gray: keep the values exact
            small = small[..., :1]
        else:
            small = np.clip(np.rint(small.astype(np.float32) @ LUMA), 0, 255).astype(np.uint8)[..., None]
    return torch.from_numpy(np.ascontiguousarray(small.transpose(2, 0, 1))).long()


def to_rgb(levels: torch.Tensor) -> np.ndarray:
    """(C, H, W) levels -> (H, W, 3) uint8 RGB (gray repeated)."""
    array = levels.detach().to("cpu", torch.uint8).numpy().transpose(1, 2, 0)
    return np.ascontiguousarray(np.repeat(array, 3, axis=2) if array.shape[2] == 1 else array)


def to_mask(mask: np.ndarray, size: int) -> torch.Tensor:
    """(H, W) uint8 mask -> (size, size) bool, True where the model must resample: any model pixel
    that covers a painted pixel, so nothing painted survives the round trip through the model size."""
    painted = (mask > 0).astype(np.float32)
    if painted.shape != (size, size):
        shrinking = size * size < painted.size  # area: a partly covered pixel counts; linear: no ringing
        mode = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
        painted = cv2.resize(painted, (size, size), interpolation=mode)
    return torch.from_numpy(np.ascontiguousarray(painted > 1e-6))


def heatmap(values: np.ndarray, vmax: float) -> np.ndarray:
    """(H, W) float -> (H, W, 3) uint8 RGB with the inferno colour map, 0 .. vmax (clipped)."""
    scaled = np.clip(np.nan_to_num(values) / max(vmax, 1e-9), 0.0, 1.0)
    bgr = cv2.applyColorMap(np.rint(scaled * 255).astype(np.uint8), cv2.COLORMAP_INFERNO)
    return np.ascontiguousarray(bgr[..., ::-1])


def enlarge_nearest(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Blocky resize for maps shown over the canvas: each model pixel stays a visible square."""
    if image.shape[1] == width and image.shape[0] == height:
        return image
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_NEAREST)
