"""The VAE decoder's image, as the app draws it: the same function as `mean_image(decoder, ...)`,
with the convolutions' weights prepacked for oneDNN (engine/packed_conv.py) and only the output
channels that hold the mean computed (the log-scale half of the last convolution is never shown)."""

from __future__ import annotations

import torch

from genimg_desktop.engine.packed_conv import PackedConv2d, packed_layers
from genimg_desktop.engine.vae.networks import Decoder


class MeanDecoder:
    """z (B, Z), class embedding (B, E), float32 -> float32 mean images (B, C, R, R) in [-1, 1],
    computed in `dtype` (every layer, as the cast decoder would)."""

    def __init__(self, decoder: Decoder, dtype: torch.dtype = torch.float32) -> None:
        with torch.no_grad():
            self.dtype, self.base = dtype, decoder.base
            self.stem_weight = decoder.stem.weight.to(dtype).t().contiguous()  # addmm's layout
            self.stem_bias = decoder.stem.bias.to(dtype)
            *body, final = decoder.body
            width = decoder.stem.out_features // (self.base * self.base)
            self.body, shape = packed_layers(body, (1, width, self.base, self.base), dtype)
            channels = final.out_channels // 2  # [mean; log-scale]
            weight, bias = final.weight[:channels].to(dtype), final.bias[:channels].to(dtype)
            self.to_mean = PackedConv2d(weight, bias, shape, padding=final.padding[0])

    def __call__(self, z: torch.Tensor, embedding: torch.Tensor) -> torch.Tensor:
        x = torch.addmm(self.stem_bias, torch.cat([z, embedding], dim=1).to(self.dtype), self.stem_weight)
        x = x.view(z.shape[0], -1, self.base, self.base)
        for layer in self.body:
            x = layer(x)
        return self.to_mean(x).float().clamp(-1, 1)
