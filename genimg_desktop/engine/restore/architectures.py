"""The one registry of image-to-image networks: architecture name -> builder(card config) -> module.

A card of family "upscale" or "restore" names its network in `config["architecture"]`; the rest of
`config` is that architecture's own settings (and `scale`). Adding an architecture means adding one
line to `ARCHITECTURES` (no registering decorators, no import side effects).

Network contract (what engine/restore/model.py relies on):
- input (N, 3, H, W) float32 RGB in 0..1 on the model's device; output (N, 3, H*scale, W*scale),
  roughly in 0..1 (the caller clamps);
- a restore network may take a second input, a noise-level map (N, 1, H, W) in 0..1 (the task's
  `strength`; the network maps it to its own sigma scale), FFDNet-style: its module then has the
  attribute `takes_noise_level = True`;
- optional attributes: `size_multiple` (H and W must be multiples of it: the caller pads by
  replication and crops), `context` (input pixels on each side a tile needs so that tiled and untiled
  runs agree; default DEFAULT_CONTEXT).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from torch import nn

from genimg_desktop.engine.restore import denoise_net, sr_net
from genimg_desktop.engine.restore.imported import cugan, rrdbnet, srvgg, upconv7

Builder = Callable[[Mapping[str, Any]], nn.Module]

ARCHITECTURES: dict[str, Builder] = {
    # imported networks (engine/restore/imported/): converted ncnn files and community .pth checkpoints
    "rrdbnet": rrdbnet.build_rrdbnet,
    "srvgg-compact": srvgg.build_srvgg,
    "upconv7": upconv7.build_upconv7,
    "cugan": cugan.build_cugan,
    # ours, trained here
    denoise_net.ARCHITECTURE: denoise_net.build,  # the blind restorer (restore-photo)
    sr_net.ARCHITECTURE: sr_net.build,  # our upscalers (upscale-photo-x2/x4, upscale-art-x2)
}


def build_network(config: Mapping[str, Any]) -> nn.Module:
    """The network a card's config names; ValueError naming the architectures there are."""
    return builder(config)(config)


def builder(config: Mapping[str, Any]) -> Builder:
    """The builder of `config["architecture"]` (checked at listing time, nothing built)."""
    name = config.get("architecture")
    if not isinstance(name, str) or name not in ARCHITECTURES:
        known = ", ".join(sorted(ARCHITECTURES)) or "none"
        raise ValueError(
            f"config 'architecture' must name a known network, got {name!r} (there are: {known})"
        )
    return ARCHITECTURES[name]
