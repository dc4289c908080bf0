"""Cached raster-order sampling (issue 6): the row cache of "Fast PixelCNN++ sampling" (Ramachandran
et al. 2017) adapted to the Gated PixelCNN. It returns exactly what `naive_sample` returns for a job.

Structure. The horizontal stack at row r receives the vertical stack only through shift_down, i.e. the
vertical row r-1, which depends on image rows <= r-1 only; those are final once row r starts. So:
- once per image row, every layer's vertical stack advances one row: its (k//2+1, k) convolution over a
  rolling cache of the last k//2+1 rows of that layer's vertical input (zero padded as `VerticalConv`
  pads) gives the next layer's vertical input row and, through v_to_h, a per-column term of the
  horizontal pre-activation for the next image row;
- per pixel, only the horizontal stack runs, at that one position: layer k's (1, k//2+1) convolution is
  the flattened window of layer k-1's outputs in this row (a padded row buffer per layer) times the
  reshaped weights, plus the row term; then the gate, h_out and the residual as in `GatedLayer`, the
  `out` head at that position and `head.sample`.

Exactness. The sums above run in another order than the full convolutions, so the network output
differs from the naive pass by rounding, and a draw is a step function of the output. At the end of
each row every draw is checked against its head's decision boundaries (`_draws_are_safe`); one that
rounding could have pushed across a boundary is redone with the full network as the naive pass runs it
(`_reference_pixel`), and the row carries on from there. With the float32 weights of a trained 8-layer
gray model that is a few pixels in a thousand. A row's unsafe draws are found in one check and redone
in order; the check runs again only when a redo changed a draw (the positions after it are redone).

Guidance (`guidance.draw`): the batch is doubled (conditional half, unconditional half) and both
halves take the guided draw; the guard then bounds the guided decision (`_guided_draws_are_safe`):
mixed softmax logits against the inverse-CDF boundaries, or, for the colour head, each channel's
Gumbel-max lead against the exact per-level slopes of its log-probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from genimg_desktop.engine.pixelcnn.guidance import draw, row_gumbel
from genimg_desktop.engine.pixelcnn.heads import (
    LEVELS,
    LogisticMixtureHead,
    SoftmaxHead,
    inverse_cdf,
    levels_to_unit,
    unit_to_levels,
)
from genimg_desktop.engine.pixelcnn.layers import GatedLayer
from genimg_desktop.engine.pixelcnn.network import PixelCNN
from genimg_desktop.engine.pixelcnn.sample_job import RowCallback, SampleJob

# How far the cached output may be from the naive one, in epsilons of the network's dtype relative to
# 1 + max |output| of the pixel. Measured: at most 4 on a trained 8-layer, 32-hidden model (mean 0.9),
# up to 16 on random networks with tripled weights. A miss would silently break exactness, a false
# alarm costs one reference pass (about as long as 40 cached positions), hence 8x the trained maximum.
OUTPUT_EPS = 32.0
# Rounding of the draw's own arithmetic (cumsum over 256 levels, the logistic value), in float32 eps
# relative to the quantity: both passes round differently once their inputs differ at all.
DRAW_EPS = 32.0


@dataclass
class _Layer:
    """One gated layer, reshaped for single-row and single-position work. F = hidden, k = kernel,
    K = k//2 + 1, cin = input channels; row caches are channels-last so one column is contiguous."""

    offset: int  # padded position of column 0 in `h_in`
    v_matrix: torch.Tensor  # (K * k * cin, 2F): v_conv as a product with a flattened (K, k, cin) window
    v_bias: torch.Tensor  # (2F,)
    v_to_h_matrix: torch.Tensor  # (2F, 2F)
    v_to_h_bias: torch.Tensor  # (2F,)
    h_bias: torch.Tensor  # (B, 2F): h_conv's bias plus the class bias of the horizontal gate
    v_cond: torch.Tensor | None  # (B, 1, 2F): class bias of the vertical gate
    v_spatial: torch.Tensor | None  # (B, H, W, 2F): context bias of the vertical gate (two scales)
    h_spatial: torch.Tensor | None  # (B, H, W, 2F): context bias of the horizontal gate (two scales)
    h_matrix: torch.Tensor  # (K * cin, 2F): h_conv as a product with a flattened (K, cin) window
    out_matrix: torch.Tensor  # (F + 1, F): h_out, its bias as the last row (meets the 1 in `gated`)
    v_rows: torch.Tensor  # (B, K, W + k - 1, cin): the last K vertical input rows, zero padded
    h_in: torch.Tensor  # (B, offset + W, cin): this row's horizontal input, zero padding on the left
    row_term: torch.Tensor  # (B, W, 2F): v_to_h(vertical row r-1) + biases, for the current row r
    h_pre: torch.Tensor  # (B, 2F): scratch, the pre-activation at one position
    gated: torch.Tensor  # (B, F + 1): scratch, the gate's output and a constant 1


def _layer(
    layer: GatedLayer, labels: torch.Tensor | None, features: torch.Tensor | None, batch: int, width: int
) -> _Layer:
    """Reshape one layer's weights and allocate its caches; zeros are exactly the convolutions' padding."""
    v_weight, h_weight = layer.v_conv.conv.weight, layer.h_conv.conv.weight
    two_f, cin, rows, kernel = v_weight.shape
    h_bias, v_cond = layer.h_conv.conv.bias.expand(batch, two_f), None
    bias = layer.class_bias(labels)
    if bias is not None:
        v_cond, h_cond = bias.chunk(2, dim=1)  # (B, 2F) each
        v_cond, h_bias = v_cond[:, None, :], h_bias + h_cond
    offset = rows if layer.first else rows - 1  # the first layer's input is also shifted right by one
    gated = v_weight.new_ones((batch, two_f // 2 + 1))
    spatial = layer.context_bias(features)  # (B, 4F, H, W) or None
    v_spatial, h_spatial = (None, None) if spatial is None else spatial.permute(0, 2, 3, 1).chunk(2, dim=-1)
    row_term = (layer.v_to_h.bias + h_bias)[:, None, :].repeat(1, width, 1)  # row 0: shift_down gave 0
    if h_spatial is not None:
        row_term += h_spatial[:, 0]
    return _Layer(
        offset=offset,
        # window[b, c, (i * k + j) * cin + ch] = v_rows[b, i, c + j, ch] meets v_weight[o, ch, i, j]
        v_matrix=v_weight.permute(2, 3, 1, 0).reshape(rows * kernel * cin, two_f).contiguous(),
        v_bias=layer.v_conv.conv.bias,
        v_to_h_matrix=layer.v_to_h.weight[:, :, 0, 0].t().contiguous(),
        v_to_h_bias=layer.v_to_h.bias,
        h_bias=h_bias,
        v_cond=v_cond,
        v_spatial=v_spatial,
        h_spatial=h_spatial,
        # window[b, p * cin + ch] = h_in[b, c + p, ch] meets h_weight[o, ch, 0, p]
        h_matrix=h_weight[:, :, 0, :].permute(2, 1, 0).reshape(rows * cin, two_f).contiguous(),
        out_matrix=torch.cat([layer.h_out.weight[:, :, 0, 0].t(), layer.h_out.bias[None]]).contiguous(),
        v_rows=v_weight.new_zeros((batch, rows, width + kernel - 1, cin)),
        h_in=v_weight.new_zeros((batch, offset + width, cin)),
        row_term=row_term,
        h_pre=v_weight.new_empty((batch, two_f)),
        gated=gated,
    )


def _row_gate(v_pre: torch.Tensor) -> torch.Tensor:
    """`gate` over the last axis: (..., 2F) -> (..., F)."""
    a, b = v_pre.chunk(2, dim=-1)
    return torch.tanh(a) * torch.sigmoid(b)


class _RowCache:
    """The caches of one sampling call, and the network evaluated one row or one position at a time.
    Per-column views of every buffer are made once, so the inner loop only launches kernels."""

    def __init__(self, net: PixelCNN, job: SampleJob) -> None:
        batch, channels, _, width = job.levels.shape
        self.batch, self.width, self.hidden = batch, width, net.config.hidden
        self.layers = [_layer(layer, job.labels, job.features, batch, width) for layer in net.layers]
        self.row = 0  # the image row `advance_vertical` takes next
        weight = self.layers[0].v_matrix
        # levels_to_unit as a table: elementwise, so exactly the values the naive pass feeds the network.
        self.unit = levels_to_unit(torch.arange(LEVELS, device=weight.device)).to(weight.dtype)
        _, conv1, _, conv2 = net.out
        self.head_1 = (conv1.bias, conv1.weight[:, :, 0, 0].t().contiguous())
        self.head_2 = (conv2.bias, conv2.weight[:, :, 0, 0].t().contiguous())
        self.last = weight.new_zeros((batch, self.hidden))  # the last layer's output at one position
        first = self.layers[0]
        first.h_in[:, first.offset :, channels] = 1.0  # the constant plane (its padding stays 0)
        # This row's state, (W, B, ...): head outputs, levels, which images draw, noise.
        self.outs = weight.new_zeros((width, batch, net.head.out_channels))
        self.levels = job.levels.new_zeros((width, batch, channels))
        self.todo = job.known.new_zeros((width, batch, 1))
        self.noise = job.noise.new_zeros((width, batch, job.noise.shape[1]))
        self._make_views(channels)

    def _make_views(self, channels: int) -> None:
        columns, hidden = range(self.width), self.hidden
        nothing = self.last.new_zeros((self.batch, hidden))  # the first layer has no residual
        self.windows, self.terms, self.residuals, self.targets = [], [], [], []
        for k, layer in enumerate(self.layers):
            size, span = layer.h_matrix.shape[0], layer.v_rows.shape[1]
            # .view, not .reshape: a copy would not follow the buffer
            self.windows.append([layer.h_in[:, c : c + span].view(-1, size) for c in columns])
            self.terms.append([layer.row_term[:, c] for c in columns])
            self.residuals.append([nothing if k == 0 else layer.h_in[:, layer.offset + c] for c in columns])
            following = self.layers[k + 1] if k + 1 < len(self.layers) else None
            self.targets.append(
                [self.last if following is None else following.h_in[:, following.offset + c] for c in columns]
            )
        self.gates = [
            (layer.h_pre[:, :hidden], layer.h_pre[:, hidden:], layer.gated[:, :hidden])
            for layer in self.layers
        ]
        first = self.layers[0]
        self.pixels = [first.h_in[:, first.offset + c, :channels] for c in columns]
        self.column = [(self.outs[c], self.levels[c], self.todo[c], self.noise[c]) for c in columns]

    @property
    def rows_seen(self) -> int:
        """How many rows above a pixel its network output can see: one for shift_down, then each
        layer's vertical stack looks k//2 further up (the layer offsets are k//2, +1 for the first)."""
        return sum(layer.offset for layer in self.layers)

    @property
    def reach(self) -> int:
        """How many columns left of a position can still change the last layer's output there, beyond
        the first layer's window (which reads the image, always up to date)."""
        return sum(layer.offset for layer in self.layers[1:])

    def advance_vertical(self, image_row: torch.Tensor) -> None:
        """Image row r (B, C, W) in unit scale is final: push it through every layer's vertical stack
        and set the row terms that the horizontal stack uses in row r + 1."""
        row = torch.cat([image_row, torch.ones_like(image_row[:, :1])], dim=1).transpose(1, 2)  # (B, W, C+1)
        batch, width, image_row_index = self.batch, self.width, self.row
        self.row += 1
        for layer in self.layers:
            rows = layer.v_rows  # (B, K, W + k - 1, cin)
            _, span, padded, cin = rows.shape
            pad = (padded - width) // 2
            rows[:, :-1] = rows[:, 1:].clone()
            rows[:, -1, pad : pad + width] = row
            # im2col: (B, W, K, k, cin) windows, one per output column, as strides over the cache.
            strides = (span * padded * cin, cin, padded * cin, cin, 1)
            windows = rows.as_strided((batch, width, span, padded - width + 1, cin), strides)
            v_pre = torch.addmm(layer.v_bias, windows.reshape(batch * width, -1), layer.v_matrix)
            to_h = torch.addmm(layer.v_to_h_bias, v_pre, layer.v_to_h_matrix).view(batch, width, -1)
            torch.add(to_h, layer.h_bias[:, None, :], out=layer.row_term)
            if layer.h_spatial is not None and self.row < layer.h_spatial.shape[1]:
                layer.row_term += layer.h_spatial[:, self.row]  # the next image row's own position bias
            v_pre = v_pre.view(batch, width, -1)
            if layer.v_cond is not None:
                v_pre = v_pre + layer.v_cond
            if layer.v_spatial is not None:
                v_pre = v_pre + layer.v_spatial[:, image_row_index]
            row = _row_gate(v_pre)  # (B, W, F): the next layer's vertical input

    def start_row(self, levels: torch.Tensor, todo: torch.Tensor, noise: torch.Tensor) -> None:
        """Load one image row: levels (B, C, W), todo (B, W), noise (B, D, W). Known pixels are read from
        the first layer's input; unknown ones are overwritten by `set_pixel` before anything reads them."""
        self.levels.copy_(levels.permute(2, 0, 1))
        self.todo.copy_(todo.t()[:, :, None])
        self.noise.copy_(noise.permute(2, 0, 1))
        first, unit = self.layers[0], torch.take(self.unit, self.levels)  # (W, B, C)
        first.h_in[:, first.offset :, : unit.shape[2]] = unit.transpose(0, 1)

    def position(self, col: int) -> None:
        """Every layer's horizontal stack at one column of the current row; the result is in `last`."""
        for k, layer in enumerate(self.layers):
            torch.addmm(self.terms[k][col], self.windows[k][col], layer.h_matrix, out=layer.h_pre)
            a, b, gated = self.gates[k]
            torch.mul(a.tanh_(), b.sigmoid_(), out=gated)
            # residual + h_out(gate) + h_out's bias, in one product
            torch.addmm(self.residuals[k][col], layer.gated, layer.out_matrix, out=self.targets[k][col])

    def head(self, col: int) -> torch.Tensor:
        """The `out` head (ReLU, 1x1, ReLU, 1x1) on `last`, into this row's outputs: (B, O)."""
        hidden = torch.addmm(self.head_1[0], self.last.relu_(), self.head_1[1]).relu_()
        return torch.addmm(self.head_2[0], hidden, self.head_2[1], out=self.outs[col])

    def set_pixel(self, col: int, levels: torch.Tensor) -> None:
        """A pixel's final levels (B, C): what the positions to its right will see."""
        self.pixels[col].copy_(torch.take(self.unit, levels))


@torch.inference_mode()
def cached_sample(net: PixelCNN, job: SampleJob, on_row: RowCallback | None = None) -> torch.Tensor:
    """Exactly `naive_sample`, with the network evaluated once per image row for the vertical stacks
    and once per position for the horizontal ones (see the module docstring). Returns levels
    (B, C, H, W)."""
    levels = job.levels.clone()
    cache = _RowCache(net, job)
    needed = (~job.known).any(dim=0).cpu()  # (H, W): positions any image needs, one transfer
    last_row = max(needed.any(dim=1).nonzero()[:, 0].tolist(), default=-1)
    for row in range(levels.shape[2]):
        columns = needed[row].nonzero()[:, 0].tolist()
        if columns:
            _sample_row(net, job, cache, levels, row, columns)
        if on_row is not None:
            on_row(row, levels)
        if row < last_row:  # the vertical stacks only serve later rows
            cache.advance_vertical(cache.unit[levels[:, :, row]])
    return levels


def _sample_row(
    net: PixelCNN, job: SampleJob, cache: _RowCache, levels: torch.Tensor, row: int, columns: list[int]
) -> None:
    """Draw the pixels of one row that some image needs (`columns`, ascending) into `levels`."""
    cache.start_row(levels[:, :, row], ~job.known[:, row], job.noise[:, :, row])
    gumbel = row_gumbel(job, row)  # (B/2, W, C, 256) for a guided colour job, else None
    mixed = bool(job.known[:, row, columns].any())  # else every image draws at every wanted column
    wanted = set(columns)
    # A position further left than `reach` of the first wanted one cannot change it: skip those.
    start, stop = max(0, columns[0] - cache.reach), columns[-1] + 1
    checked = start  # draws before this column are final
    pending: list[tuple[int, torch.Tensor]] | None = None  # the last check's unsafe draws, in order
    while True:
        for col in range(start, stop):
            cache.position(col)
            if col in wanted:
                _, current, todo, noise = cache.column[col]
                extra = None if gumbel is None else gumbel[:, col]
                new = draw(net.head, cache.head(col), noise, job.temperature, job.guidance, extra)
                current.copy_(torch.where(todo, new, current) if mixed else new)
                cache.set_pixel(col, current)
        if pending is None:
            pending = _unsafe_draws(net, job, cache, [col for col in columns if col >= checked], gumbel)
        if not pending:
            break
        redo, images = pending.pop(0)
        extra = None if gumbel is None else gumbel[images[: len(images) // 2], redo]
        drawn, checked = _reference_pixel(net, job, cache, levels, row, redo, images, extra), redo + 1
        if torch.equal(drawn, cache.levels[redo]):
            start = stop  # the usual case: the same draw, so everything after it stands (verdicts too)
        else:
            cache.levels[redo] = drawn
            cache.set_pixel(redo, drawn)
            start, pending = redo + 1, None  # the positions after it are redone: check them again
    levels[:, :, row] = cache.levels.permute(1, 2, 0)


def _unsafe_draws(
    net: PixelCNN, job: SampleJob, cache: _RowCache, columns: list[int], gumbel: torch.Tensor | None
) -> list[tuple[int, torch.Tensor]]:
    """The columns (of `columns`) where some image's draw might differ from the naive pass, each with
    those images' indices (n,), in column order. One synchronisation per check: the row's draws are
    checked together. Under guidance both halves of a pair draw alike, so the indices come in pairs
    (i, i + B/2)."""
    if not columns:
        return []
    index = torch.tensor(columns, device=cache.outs.device)
    raw, noise = cache.outs[index], cache.noise[index]  # (N, B, O), (N, B, D)
    if job.guidance == 1.0:
        safe = _draws_are_safe(net.head, raw.flatten(0, 1), noise.flatten(0, 1), job.temperature)
    else:  # both halves of a pair draw alike, from the first half's noise
        cond, uncond = (part.flatten(0, 1) for part in raw.chunk(2, dim=1))
        half = noise[:, : cache.batch // 2].flatten(0, 1)
        extra = (
            None if gumbel is None else gumbel[:, index].transpose(0, 1).flatten(0, 1)
        )  # (N * B/2, C, 256)
        safe = _guided_draws_are_safe(net.head, cond, uncond, half, job.temperature, job.guidance, extra)
        safe = safe.view(len(columns), -1).repeat(1, 2)
    safe = safe.view(len(columns), cache.batch)
    unsafe = (cache.todo[index, :, 0] & ~safe).cpu()  # (N, B)
    return [(columns[i], unsafe[i].nonzero()[:, 0]) for i in unsafe.any(dim=1).nonzero()[:, 0].tolist()]


def _reference_pixel(
    net: PixelCNN,
    job: SampleJob,
    cache: _RowCache,
    levels: torch.Tensor,
    row: int,
    col: int,
    images: torch.Tensor,
    gumbel: torch.Tensor | None,
) -> torch.Tensor:
    """The row's levels at `col` (B, C), redrawn for `images` with the full network as the naive pass
    runs it, on the image state the naive pass has there. Like `rows_above_sample`, it runs on the rows
    that the pixel can see only (cutting rows that nothing at this pixel sees changes none of its
    values), and on the images concerned only."""
    top = max(0, row - cache.rows_seen)
    window = levels[images, :, top : row + 1]  # (n, C, rows, W), a copy: rows above are final
    window[:, :, -1, :col] = cache.levels[:col, images].permute(1, 2, 0)
    window[:, :, -1, col:] = job.levels[images, :, row, col:]  # as the naive pass left them
    labels = None if job.labels is None else job.labels[images]
    features = None if job.features is None else job.features[images, :, top : row + 1]
    out = net(levels_to_unit(window), labels, features)[:, :, -1, col]  # (n, O)
    drawn = cache.levels[col].clone()
    drawn[images] = draw(net.head, out, job.noise[images, :, row, col], job.temperature, job.guidance, gumbel)
    return drawn


# --- how far a draw is from changing -------------------------------------------------------------------


def _draws_are_safe(
    head: SoftmaxHead | LogisticMixtureHead, out: torch.Tensor, noise: torch.Tensor, temperature: float
) -> torch.Tensor:
    """(N,) bool: True where `head.sample` gives the same draw for every output within rounding of
    `out` (N, O); noise (N, D)."""
    # Output error allowed, per draw: OUTPUT_EPS epsilons of the network's dtype, relative to 1 + |out|.
    delta = OUTPUT_EPS * torch.finfo(out.dtype).eps * (1.0 + out.abs().amax(dim=1).float())  # (N,)
    out = out.float()
    if isinstance(head, SoftmaxHead):
        return _choice_is_safe(out / temperature, noise[:, 0], delta / temperature)
    if isinstance(head, LogisticMixtureHead):
        return _logistic_is_safe(head, out, noise, temperature, delta)
    raise TypeError(f"cached sampling does not know where {type(head).__name__}'s draws change")


def _guided_draws_are_safe(
    head: SoftmaxHead | LogisticMixtureHead,
    cond: torch.Tensor,
    uncond: torch.Tensor,
    noise: torch.Tensor,
    temperature: float,
    guidance: float,
    gumbel: torch.Tensor | None,
) -> torch.Tensor:
    """(N,) bool, like `_draws_are_safe`, for `guidance.draw` on a conditional and an unconditional
    output (N, O) each (and, for the colour head, their Gumbel noise (N, C, 256))."""
    size = torch.maximum(cond.abs().amax(dim=1), uncond.abs().amax(dim=1)).float()
    error = OUTPUT_EPS * torch.finfo(cond.dtype).eps * (1.0 + size)  # (N,): per raw output
    if isinstance(head, SoftmaxHead):  # u + g (c - u) carries |g| times c's error plus |1 - g| times u's
        logits = torch.lerp(uncond.float(), cond.float(), guidance) / temperature
        spread = abs(guidance) + abs(1 - guidance)
        return _choice_is_safe(logits, noise[:, 0], error * spread / temperature)
    assert gumbel is not None
    levels = torch.zeros((cond.shape[0], head.channels), dtype=torch.long, device=cond.device)
    safe = torch.ones(cond.shape[0], dtype=torch.bool, device=cond.device)
    steps = head.guided_channels(cond, uncond, temperature, guidance, levels, with_sensitivity=True)
    for c, logits, sensitivity in steps:
        assert sensitivity is not None
        scores = logits + gumbel[:, c]  # (N, 256): the draw is their argmax
        best = scores.argmax(dim=1, keepdim=True)
        deltas = error[:, None] * sensitivity
        # another level wins only if the gap to the best closes by both their errors (twice: margin)
        lead = scores.gather(1, best) - scores - 2 * (deltas.gather(1, best) + deltas)
        safe &= (lead > 0).scatter(1, best, True).all(dim=1)
        levels[:, c] = best[:, 0]
    return safe


def _choice_is_safe(logits: torch.Tensor, u: torch.Tensor, delta: torch.Tensor) -> torch.Tensor:
    """`inverse_cdf(softmax(logits), u)` with logits (N, K) known to within `delta` (N,): safe where u
    is far enough from every boundary cdf_i / total. Moving each logit by up to d moves the boundary
    f = cdf_i / total by at most about f (1 - f) * 2d."""
    cdf = F.softmax(logits, dim=1).cumsum(dim=1)
    frac = cdf / cdf[:, -1:]
    gap = (frac - u[:, None]).abs()
    slack = frac * (1 - frac) * (2 * delta[:, None]) + DRAW_EPS * torch.finfo(torch.float32).eps
    return (gap > slack).all(dim=1)


def _logistic_is_safe(
    head: LogisticMixtureHead, out: torch.Tensor, noise: torch.Tensor, temperature: float, delta: torch.Tensor
) -> torch.Tensor:
    """The component choice, then each channel's rounding to a level, as in `LogisticMixtureHead.sample`:
    safe where every value is far enough from the edge between two levels."""
    logits, means, scales, coeffs = (t[..., 0, 0] for t in head.split(out[:, :, None, None]))
    safe = _choice_is_safe(logits / temperature, noise[:, 0], delta / temperature)
    k = inverse_cdf(F.softmax(logits / temperature, dim=1), noise[:, 0])  # (N,)
    rows = torch.arange(out.shape[0], device=out.device)
    means, scales, coeffs = means[rows, k, None], scales[rows, k, None], coeffs[rows, k, None]
    u = noise[:, 1:].clamp(1e-6, 1.0 - 1e-6)
    logistic = torch.log(u) - torch.log1p(-u)  # (N, C)
    x = torch.zeros_like(logistic)
    for c in range(head.channels):
        mean = head.channel_mean(means, coeffs, x, c)[:, 0]  # (N,)
        spread = scales[:, 0, c].exp() * temperature * logistic[:, c].abs()
        value = mean + scales[:, 0, c].exp() * temperature * logistic[:, c]
        # The mean moves by delta per term (tanh and the clamp do not stretch), the spread by its own
        # relative delta; rounding of the sum itself scales with its terms.
        error = delta * (1 + c + spread) + DRAW_EPS * torch.finfo(torch.float32).eps * (
            1 + mean.abs() + spread
        )
        edge = ((value + 1.0) * 127.5 - 0.5).round().clamp(0, LEVELS - 2)  # nearest edge is edge + 0.5
        safe &= ((value + 1.0) * 127.5 - 0.5 - edge).abs() > error * 127.5
        x[:, c] = levels_to_unit(unit_to_levels(value))
    return safe
