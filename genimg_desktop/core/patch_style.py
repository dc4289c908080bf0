"""Patch-based style transfer: the picture re-drawn from the reference's own patches (image analogies).

Each pixel of the result is copied from a patch of the reference whose lightness pattern looks like
the picture's there (the guide, which keeps the picture's structure) and whose colours agree with
what the neighbouring pixels already copied (coherence, which brings the reference's brushwork and
texture along rather than single pixels). The matches are found by PatchMatch (Barnes et al. 2009),
vectorised over the whole picture: propagation from neighbours at halving distances (jump flooding)
and a random search at shrinking radii. Patches are compared on a few principal components of the
reference's patches, computed by filtering, so one comparison costs a dozen numbers per pixel. The
result is the average of the overlapping copied patches (Wexler et al. 2007), refined coarse to fine
on an image pyramid. The picture is first given the reference's colour statistics
(core/colour_transfer.py), so the guide speaks the reference's tones.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from genimg_desktop.core.colour_transfer import check_inputs, mask_region, match_colours
from genimg_desktop.core.rect import rect_slices

Progress = Callable[[float], None]

PATCH = 7  # compared patches are PATCH x PATCH pixels
COMPONENTS = 12  # principal components of the reference's patches that patches are compared on
GUIDE_WEIGHT = 6.0  # the picture's lightness against the copied colours: higher keeps more structure
MIN_LEVEL_SIDE = 48  # the pyramid stops before a level's shorter side falls under this
MAX_REFERENCE_PIXELS = 1 << 20  # a bigger reference is scaled down to about this many pixels
PCA_SAMPLES = 20_000
# A bigger picture is styled at about this size and its own fine detail added back: 4000 x 3000 took
# 33 s and 1.3 GB at peak on this CPU, where 8192 x 8192 at full size would take minutes and ~10 GB.
MAX_WORK_PIXELS = 1 << 22
VOTE_STEP = 2  # every other offset of the patch votes: nearly the same average, a quarter of the work
# The average of overlapping patches is soft; on the finest level each pixel is mostly the centre of
# its own match instead, which keeps the reference's grain and strokes (a little noisier).
CENTRE_SHARE = 0.75


def _no_progress(_fraction: float) -> None:
    pass


def style_with_patches(
    image: np.ndarray,
    reference: np.ndarray,
    strength: float = 1.0,
    mask: np.ndarray | None = None,
    seed: int = 0,
    progress: Progress = _no_progress,
) -> np.ndarray:
    """`image` (H, W, 3 or 4) uint8 re-drawn from `reference`'s patches, blended in by `strength`.

    With `mask` ((H, W) uint8) only the masked pixels change (a soft mask blends), every other pixel
    is bit-exact; the work is done on the mask's bounds and a margin. Alpha is kept.
    """
    check_inputs(image, reference, strength, mask)
    out = image.copy()
    region = mask_region(mask, image.shape[:2], margin=4 * PATCH)
    if strength == 0 or region is None:
        return out
    box = rect_slices(region)
    rgb = image[box][..., :3]
    styled = _bounded(np.ascontiguousarray(rgb), reference[..., :3], seed, progress)
    share = np.float32(strength)
    if mask is not None:
        share = share * mask[box].astype(np.float32)[..., None] / 255.0
    mixed = rgb + (styled - rgb) * share
    out[box][..., :3] = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)
    if mask is not None:  # rounding aside, unmasked pixels are untouched: keep them bit-exact
        outside = mask == 0
        out[outside] = image[outside]
    return out


def _bounded(rgb: np.ndarray, reference: np.ndarray, seed: int, progress: Progress) -> np.ndarray:
    """patch_style as float32, on a picture over MAX_WORK_PIXELS scaled down to it: the result is
    scaled back up and the picture's own fine detail (what the scaling lost) added back, so time and
    memory stay bounded at any size and edges stay sharp."""
    h, w = rgb.shape[:2]
    scale = (MAX_WORK_PIXELS / (h * w)) ** 0.5
    if scale >= 1.0:
        return patch_style(rgb, reference, seed, progress).astype(np.float32)
    small = _scaled(rgb, scale)
    styled = patch_style(small, reference, seed, progress)
    up = cv2.resize(styled, (w, h), interpolation=cv2.INTER_CUBIC).astype(np.float32)
    blurred = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC).astype(np.float32)
    return up + (rgb.astype(np.float32) - blurred)


def patch_style(
    rgb: np.ndarray, reference: np.ndarray, seed: int = 0, progress: Progress = _no_progress
) -> np.ndarray:
    """(H, W, 3) uint8 `rgb` re-drawn from the patches of `reference` ((h, w, 3) uint8).

    `progress` hears the share done after each pyramid level (it may raise to stop the work).
    ValueError when either picture is smaller than a patch.
    """
    for name, array in (("picture", rgb), ("reference", reference)):
        if min(array.shape[:2]) < PATCH:
            raise ValueError(f"the {name} is under {PATCH} px on a side: too small for patch-based style")
    rng = np.random.default_rng(seed)
    ref = _fit_reference(reference)
    guide = cv2.cvtColor(match_colours(rgb, ref), cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    levels = _levels(rgb.shape[:2], ref.shape[:2])
    out: np.ndarray | None = None
    nnf: np.ndarray | None = None
    for depth in reversed(range(levels)):  # coarsest first
        level_ref = _scaled(ref, 0.5**depth).astype(np.float32) / 255.0
        level_guide = _scaled(guide, 0.5**depth)
        size = level_guide.shape[:2]
        fresh = out is None or nnf is None
        if out is None or nnf is None:
            out = _scaled(match_colours(rgb, ref), 0.5**depth).astype(np.float32) / 255.0
            nnf = _random_field(size, level_ref.shape[:2], rng)
        else:
            nnf = _upsample_field(nnf, size, level_ref.shape[:2])
            out = cv2.resize(out, size[::-1], interpolation=cv2.INTER_LINEAR)
        iterations = 1 if depth == 0 else 3  # the finest level is the costliest and nearly settled
        out, nnf = _synthesise(level_guide, level_ref, out, nnf, rng, iterations, fresh)
        progress((levels - depth) / levels)
    assert out is not None and nnf is not None
    out = out * (1 - CENTRE_SHARE) + level_ref[nnf[..., 0], nnf[..., 1]] * CENTRE_SHARE
    return np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8)


def _synthesise(
    guide: np.ndarray,
    ref: np.ndarray,
    out: np.ndarray,
    nnf: np.ndarray,
    rng: np.random.Generator,
    iterations: int,
    fresh: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """EM iterations on one level: match every patch of the result, then re-paint it by the votes."""
    ref_lum = cv2.cvtColor(ref, cv2.COLOR_RGB2GRAY)
    basis = _pca_basis(_stack(ref_lum, ref), rng)
    ref_desc = _describe(_stack(ref_lum, ref), basis).reshape(-1, basis.shape[1])
    for i in range(iterations):
        desc = _describe(_stack(guide, out), basis)
        # Random matches need long jumps to spread the good ones; carried-up matches only settle.
        jump = max(1, min(guide.shape[:2]) // 8) if fresh and i == 0 else 2
        nnf = _patchmatch(desc, ref_desc, nnf, ref.shape[:2], rng, jump)
        out = _vote(ref, nnf)
    return out, nnf


def _stack(lum: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """The channels patches are compared on: the weighted lightness (structure), then the colour."""
    return np.dstack([lum * GUIDE_WEIGHT, rgb])


def _pca_basis(channels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(PATCH*PATCH*C, COMPONENTS) principal directions of random patches of `channels`."""
    h, w, c = channels.shape
    ys = rng.integers(0, h - PATCH + 1, PCA_SAMPLES)
    xs = rng.integers(0, w - PATCH + 1, PCA_SAMPLES)
    offsets = np.arange(PATCH)
    patches = channels[
        (ys[:, None, None] + offsets[None, :, None]), (xs[:, None, None] + offsets[None, None, :])
    ]
    flat = patches.reshape(PCA_SAMPLES, -1)
    flat = flat - flat.mean(axis=0)
    _, vectors = np.linalg.eigh(flat.T @ flat)  # ascending eigenvalues: the last are the principal
    return np.ascontiguousarray(vectors[:, ::-1][:, :COMPONENTS]).astype(np.float32)


def _describe(channels: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """(H, W, COMPONENTS): each pixel's centred patch projected on the basis, by filtering."""
    h, w, c = channels.shape
    kernels = basis.reshape(PATCH, PATCH, c, -1)
    out = np.zeros((h, w, kernels.shape[3]), np.float32)
    for k in range(kernels.shape[3]):
        for ch in range(c):
            # filter2D correlates, as the projection of a patch on a basis vector does
            out[..., k] += cv2.filter2D(
                channels[..., ch], cv2.CV_32F, kernels[..., ch, k], borderType=cv2.BORDER_REFLECT
            )
    return out


def _patchmatch(
    desc: np.ndarray,
    ref_desc: np.ndarray,
    nnf: np.ndarray,
    ref_size: tuple[int, int],
    rng: np.random.Generator,
    longest_jump: int,
) -> np.ndarray:
    """Improve `nnf` ((H, W, 2) int32 reference coordinates) for `desc` against `ref_desc`,
    propagating matches from neighbours `longest_jump` px away, then half as far, ... down to 1."""
    rh, rw = ref_size
    cost = _cost(desc, ref_desc, nnf, rw)
    limit = np.array([rh - 1, rw - 1], np.int32)

    def consider(candidate: np.ndarray) -> None:
        np.clip(candidate, 0, limit, out=candidate)
        new = _cost(desc, ref_desc, candidate, rw)
        better = new < cost
        nnf[better] = candidate[better]
        cost[better] = new[better]

    jump = 1 << int(np.log2(longest_jump))
    while jump >= 1:
        for axis in (0, 1):
            for sign in (1, -1):
                # the neighbour `jump` away matched q; this pixel may match q shifted by the same step
                shifted = np.roll(nnf, sign * jump, axis=axis)
                shifted[..., axis] -= sign * jump
                consider(shifted)
        radius = max(rh, rw) // 2
        while radius >= 2:
            consider(nnf + rng.integers(-radius, radius + 1, nnf.shape, dtype=np.int32))
            radius //= 4
        jump //= 2
    return nnf


def _cost(desc: np.ndarray, ref_desc: np.ndarray, nnf: np.ndarray, ref_width: int) -> np.ndarray:
    matched = np.take(ref_desc, nnf[..., 0] * ref_width + nnf[..., 1], axis=0)
    return np.square(desc - matched).sum(axis=-1)


def _vote(ref: np.ndarray, nnf: np.ndarray) -> np.ndarray:
    """Each pixel the average of what the patches over it copied from the reference there."""
    rh, rw = ref.shape[:2]
    h, w = nnf.shape[:2]
    flat = ref.reshape(-1, 3)
    half = PATCH // 2
    padded = np.pad(nnf, ((half, half), (half, half), (0, 0)), mode="edge")
    total = np.zeros((h, w, 3), np.float32)
    count = 0
    for dy in range(-half, half + 1, VOTE_STEP):
        for dx in range(-half, half + 1, VOTE_STEP):
            # the patch centred at p - (dy, dx) copies its (dy, dx) pixel onto p
            source = padded[half - dy : half - dy + h, half - dx : half - dx + w]
            ys = np.clip(source[..., 0] + dy, 0, rh - 1)
            xs = np.clip(source[..., 1] + dx, 0, rw - 1)
            total += np.take(flat, ys * rw + xs, axis=0)
            count += 1
    return total / count


def _random_field(size: tuple[int, int], ref_size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    ys = rng.integers(0, ref_size[0], size, dtype=np.int32)
    xs = rng.integers(0, ref_size[1], size, dtype=np.int32)
    return np.stack([ys, xs], axis=-1)


def _upsample_field(nnf: np.ndarray, size: tuple[int, int], ref_size: tuple[int, int]) -> np.ndarray:
    """The coarser level's matches carried to this level: doubled, plus the pixel's place in its 2x2."""
    h, w = size
    coarse = nnf[np.minimum(np.arange(h) // 2, nnf.shape[0] - 1)][
        :, np.minimum(np.arange(w) // 2, nnf.shape[1] - 1)
    ]
    fine = coarse * 2
    fine[..., 0] += (np.arange(h) % 2)[:, None]
    fine[..., 1] += (np.arange(w) % 2)[None, :]
    return np.minimum(fine, np.array([ref_size[0] - 1, ref_size[1] - 1], np.int32)).astype(np.int32)


def _levels(size: tuple[int, int], ref_size: tuple[int, int]) -> int:
    """How many pyramid levels: halve until the smaller of both pictures' short sides nears the minimum."""
    side = min(*size, *ref_size)
    levels = 1
    while side // 2 >= MIN_LEVEL_SIDE and levels < 5:
        side //= 2
        levels += 1
    return levels


def _fit_reference(reference: np.ndarray) -> np.ndarray:
    h, w = reference.shape[:2]
    scale = min(1.0, (MAX_REFERENCE_PIXELS / (h * w)) ** 0.5)
    return _scaled(np.ascontiguousarray(reference[..., :3]), scale)


def _scaled(array: np.ndarray, scale: float) -> np.ndarray:
    if scale >= 1.0:
        return array
    h, w = array.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(array, size, interpolation=cv2.INTER_AREA)
