"""The generator's synthesis folded for inference: the same function as `Generator.synthesis` in
eval mode, in fewer and cheaper operations.

Per normalised layer the reference runs: conv (+ bias), batch norm with running statistics, two
class linears for gain and bias, `1 + gain`, a multiply, an add and a ReLU, each on a small tensor;
at batch 1 these calls cost more than the convolutions. Everything between two convolutions is an
affine map per channel whose coefficients are linear in the condition vector, so:

    relu(norm(conv(x) + b) * (1 + G c + g) + (B c + h)) = relu(conv(x) * scale + shift)
    scale = r (1 + g + G c),  shift = B c + h + (b - mean) scale,  r = 1 / sqrt(var + eps)

and every layer's scale and shift come out of one matrix product with the condition. The results
equal the reference up to float rounding (tested); autograd users (inpainting's latent fit) keep
the reference module.

In a half `dtype` only the convolutions run in it (as under autocast): the matrix-vector products
and the per-channel affine maps stay float32. On this CPU with native bfloat16 that is faster than
float32 at batch 1 and 16 (1.1x and 1.4x for the Fashion GAN), where an all-bfloat16 synthesis is
slower at batch 1 (no fast bfloat16 path for those small ops) and moves the pixels more.

The convolutions run with prepacked oneDNN weights on the CPU (engine/packed_conv.py): the synthesis
alone 1.2-1.3x faster again at batch 1 for the shipped GANs, the same numbers.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from genimg_desktop.engine.gan.networks import LEAK, ConditionalBatchNorm, Generator, MappingNetwork
from genimg_desktop.engine.packed_conv import PackedConvTranspose2d, pack_module


class FusedSynthesis:
    """`Generator.synthesis` for inference, built from a loaded generator (sharing its weights in
    float32; in another `dtype`, with cast copies of the convolutions). Float32 in and out."""

    def __init__(self, net: Generator, dtype: torch.dtype = torch.float32) -> None:
        with torch.no_grad():
            self.dtype = dtype
            self.base = net.base
            self.style_from_w = net.config.style_from_w
            self.stem_weight = net.stem.weight.t().contiguous()  # (W, C0 b b): addmm's layout
            self.stem_bias = net.stem.bias
            # the stem's own bias is inside x already; each block's conv bias is folded into the shift
            layers = [(net.stem_norm, None)] + [(block.norm, block.conv.bias) for block in net.blocks]
            folded = [_fold(norm, bias) for norm, bias in layers]
            self.cond_weight = torch.cat([w for w, _ in folded]).t().contiguous()  # (cond, sum 2 C)
            self.cond_bias = torch.cat([b for _, b in folded])
            self.widths = [norm.norm.num_features for norm, _ in layers]
            self.splits = [width for width in self.widths for _ in range(2)]  # [scale; shift] per layer
            # oneDNN-prepacked for one image (packed_conv.py); the conv bias is in the shift already
            side = net.base
            self.up = []
            for block in net.blocks:
                conv = block.conv
                shape = (1, conv.in_channels, side, side)
                self.up.append(PackedConvTranspose2d(conv.weight.to(dtype), None, shape, stride=2, padding=1))
                side *= 2
            shape = (1, net.to_image.in_channels, side, side)
            self.to_image = pack_module(net.to_image, shape, dtype, activation="tanh")

    def __call__(self, w: torch.Tensor, embedding: torch.Tensor) -> torch.Tensor:
        """w (B, W), class embedding (B, E) -> float32 images (B, C, R, R) in [-1, 1]."""
        n = w.shape[0]
        cond = torch.cat([embedding, w], dim=1) if self.style_from_w else embedding  # (B, E [+ W])
        coefficients = torch.addmm(self.cond_bias, cond, self.cond_weight).view(n, -1, 1, 1)
        affine = coefficients.split(self.splits, dim=1)  # scale, shift, scale, ... (B, C, 1, 1) views
        x = torch.addmm(self.stem_bias, w, self.stem_weight).view(n, -1, self.base, self.base)
        for index in range(len(self.widths)):
            if index:
                x = self.up[index - 1](self._cast(x))  # (B, C, 2H, 2W)
            # float32 even after a half conv: the float32 factors promote it
            x = torch.addcmul(affine[2 * index + 1], x, affine[2 * index]).relu_()
        return self.to_image(self._cast(x)).float()  # tanh applied by the convolution

    def _cast(self, x: torch.Tensor) -> torch.Tensor:
        return x if self.dtype == torch.float32 else x.to(self.dtype)


class FusedMapping:
    """`MappingNetwork.forward` for inference: its linears and leaky ReLUs as plain calls, without
    the module machinery around each (at batch 1 that machinery cost half the mapping's time)."""

    def __init__(self, mapping: MappingNetwork) -> None:
        linears = [layer for layer in mapping.net if isinstance(layer, nn.Linear)]
        self.layers = [(linear.weight.t().contiguous(), linear.bias) for linear in linears]

    def __call__(self, z: torch.Tensor) -> torch.Tensor:
        """z (B, Z) -> w (B, W)."""
        for weight, bias in self.layers:
            z = F.leaky_relu(torch.addmm(bias, z, weight), LEAK)
        return z


def _fold(norm: ConditionalBatchNorm, conv_bias: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
    """(2C, cond) weight and (2C,) bias giving [scale; shift] of one layer from the condition vector."""
    stats = norm.norm
    assert stats.running_mean is not None and stats.running_var is not None  # eval-mode statistics
    inv_std = torch.rsqrt(stats.running_var + stats.eps)  # (C,)
    offset = -stats.running_mean if conv_bias is None else conv_bias - stats.running_mean
    gain_w, gain_b = norm.gain.weight, norm.gain.bias  # gain = 1 + gain_w c + gain_b
    scale_w, scale_b = inv_std[:, None] * gain_w, inv_std * (1 + gain_b)
    shift_w = norm.bias.weight + offset[:, None] * scale_w
    shift_b = norm.bias.bias + offset * scale_b
    return torch.cat([scale_w, shift_w]), torch.cat([scale_b, shift_b])
