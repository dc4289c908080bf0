"""A picture read as a mask (white = regenerate), with what other tools' masks mean spelled out.

Most masks are greyscale: their grey level is the mask, soft values kept. Other tools write masks in
ways that read as almost nothing when taken as grey, so they are recognised and said:
- a label map of 0 and 1 (segmentation output): 1 becomes 255;
- the selection in one colour channel only (e.g. red on black): that channel is the mask;
- one colour everywhere with the selection in the alpha channel (our .ora mask layer): the alpha is.
An empty mask is the engine's to refuse ("paint a mask first"), as for a mask painted in the window.
"""

from __future__ import annotations

import numpy as np

CHANNELS = ("red", "green", "blue")


def mask_from_rgba(rgba: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """(H, W) uint8 mask from an (H, W, 4) uint8 picture, and notes on how it was read."""
    rgb, alpha = rgba[..., :3], rgba[..., 3]
    notes: list[str] = []
    flat_colour = bool((rgb == rgb[:1, :1]).all())
    if flat_colour and alpha.min() != alpha.max():
        mask = np.ascontiguousarray(alpha)
        notes.append("the mask picture is one colour with the selection in its alpha channel: alpha used")
    else:
        mask, note = _colour_mask(rgb)
        notes += [note] if note else []
    if mask.max() == 1:
        mask = mask * np.uint8(255)
        notes.append("the mask holds only the values 0 and 1 (a label map): 1 read as regenerate")
    return mask, notes


def _colour_mask(rgb: np.ndarray) -> tuple[np.ndarray, str]:
    """Grey level, like Pillow's "L" (ITU-R 601-2 luma); or the one channel that holds anything."""
    used = [c for c in range(3) if rgb[..., c].any()]
    if len(used) == 1:  # the other two are all zero: not grey, unless nothing is drawn at all
        return np.ascontiguousarray(rgb[..., used[0]]), (
            f"the mask is drawn in the {CHANNELS[used[0]]} channel only: that channel used as the mask"
        )
    luma = rgb.astype(np.uint32) @ np.array([19595, 38470, 7471], np.uint32)  # x 65536
    return ((luma + 32768) >> 16).astype(np.uint8), ""
