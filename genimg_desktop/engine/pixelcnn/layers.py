"""Gated PixelCNN building blocks (van den Oord et al. 2016, "Conditional Image Generation with
PixelCNN Decoders"): a vertical stack that sees whole rows above, a horizontal stack that sees the
pixels to the left in the current row, gated tanh * sigmoid units and a class-conditional bias.

Causality is made by padding and cropping instead of masked weights: a vertical convolution only
looks at rows above (and the current one, which the horizontal stack never receives unshifted), a
horizontal convolution only at columns to the left. Because the vertical stack sees full rows above
(all columns within the kernel), the receptive field has no blind spot up and to the right, unlike
the original masked 3x3 PixelCNN.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def shift_down(x: torch.Tensor) -> torch.Tensor:
    """Row r receives row r-1 (row 0 gets zeros): turns 'rows <= r' into 'rows < r'."""
    return F.pad(x, (0, 0, 1, 0))[:, :, :-1, :]


def shift_right(x: torch.Tensor) -> torch.Tensor:
    """Column c receives column c-1: turns 'columns <= c' into 'columns < c' (mask type A)."""
    return F.pad(x, (1, 0, 0, 0))[:, :, :, :-1]


def gate(x: torch.Tensor) -> torch.Tensor:
    """Gated activation tanh(a) * sigmoid(b) over the two halves of the channels."""
    a, b = x.chunk(2, dim=1)
    return torch.tanh(a) * torch.sigmoid(b)


class VerticalConv(nn.Module):
    """Kernel (k//2 + 1, k): output row r sees input rows r-k//2 .. r, columns c-k//2 .. c+k//2."""

    def __init__(self, cin: int, cout: int, kernel: int) -> None:
        super().__init__()
        half = kernel // 2
        self.pad = (half, half, half, 0)  # (left, right, top, bottom)
        self.conv = nn.Conv2d(cin, cout, (half + 1, kernel))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.pad(x, self.pad))


class HorizontalConv(nn.Module):
    """Kernel (1, k//2 + 1): output column c sees input columns c-k//2 .. c of the same row."""

    def __init__(self, cin: int, cout: int, kernel: int) -> None:
        super().__init__()
        half = kernel // 2
        self.pad = (half, 0, 0, 0)
        self.conv = nn.Conv2d(cin, cout, (1, half + 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.pad(x, self.pad))


class GatedLayer(nn.Module):
    """One gated layer of both stacks.

    Invariant (what the causality test checks): if the input `v` at row r depends only on image rows
    <= r and `h` at (r, c) only on pixels before (r, c) in raster order, the outputs keep that. The
    first layer receives the image itself in both stacks, so it shifts `h` right (type A: a pixel never
    sees its own value); later layers may include column c (type B).
    """

    def __init__(
        self,
        cin: int,
        hidden: int,
        kernel: int,
        num_classes: int,
        first: bool,
        dropout: float = 0.0,
        context: int = 0,
    ) -> None:
        super().__init__()
        self.first = first
        # Per-position, so causality holds; in eval mode (sampling, likelihoods) it is the identity.
        self.drop = nn.Dropout(dropout)
        self.v_conv = VerticalConv(cin, 2 * hidden, kernel)
        self.h_conv = HorizontalConv(cin, 2 * hidden, kernel)
        self.v_to_h = nn.Conv2d(2 * hidden, 2 * hidden, 1)
        self.h_out = nn.Conv2d(hidden, hidden, 1)
        # One bias per class for the gates of both stacks (the paper's V^T h with a one-hot h).
        self.cond = nn.Embedding(num_classes, 4 * hidden) if num_classes > 0 else None
        # Per-position gate biases from a spatial context (the paper's V * s, with s a map of the
        # whole picture at a lower resolution): it may look anywhere, as it is given, not generated.
        self.context = nn.Conv2d(context, 4 * hidden, 1) if context > 0 else None

    def class_bias(self, labels: torch.Tensor | None) -> torch.Tensor | None:
        """(B, 4F) gate biases of the labels, or None for an unconditional layer or call. Label -1 is
        "no class": a zero bias, the network's unconditional p(x) that class dropout trains and
        classifier-free guidance pushes away from."""
        if self.cond is None or labels is None:
            return None
        return self.cond(labels.clamp_min(0)) * (labels >= 0)[:, None].to(self.cond.weight.dtype)

    def context_bias(self, features: torch.Tensor | None) -> torch.Tensor | None:
        """(B, 4F, H, W) gate biases of context features (B, K, H, W), or None without a context."""
        if self.context is None or features is None:
            return None
        return self.context(features)

    def forward(
        self,
        v: torch.Tensor,
        h: torch.Tensor,
        labels: torch.Tensor | None,
        features: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        h_in = shift_right(h) if self.first else h
        v_pre = self.v_conv(v)  # (B, 2F, H, W), row r sees rows <= r
        h_pre = self.h_conv(h_in) + self.v_to_h(shift_down(v_pre))  # row r only gets rows < r from v
        bias = self.class_bias(labels)
        if bias is not None:
            bias_v, bias_h = bias[:, :, None, None].chunk(2, dim=1)  # (B, 2F, 1, 1) each
            v_pre, h_pre = v_pre + bias_v, h_pre + bias_h
        spatial = self.context_bias(features)
        if spatial is not None:
            spatial_v, spatial_h = spatial.chunk(2, dim=1)  # (B, 2F, H, W) each
            v_pre, h_pre = v_pre + spatial_v, h_pre + spatial_h
        h_new = self.h_out(self.drop(gate(h_pre)))  # (B, F, H, W)
        # Residual in the horizontal stack only (the paper's choice); the first layer changes width.
        return gate(v_pre), h_new if self.first else h + h_new
