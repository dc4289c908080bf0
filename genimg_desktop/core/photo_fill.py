"""Which inpainting model the app offers first for a photo (Image > Extend canvas, the README's demo
scene): the hybrid fill (the fill network's structure with the photo's own texture; the best hole
PSNR on photos in `genimg bench inpaint` while as detailed as the photo, docs/INPAINTING.md), then
PatchMatch where the hybrid is not installed (it needs the pypatchmatch library, as PatchMatch does,
and the fill network's weights), then OpenCV Telea, which needs nothing."""

from __future__ import annotations

from collections.abc import Iterable

PHOTO_FILLS = ("hybrid-fill", "patchmatch", "opencv-telea")  # best first


def rank(model_id: str) -> int:
    """Sort key: the photo fills in PHOTO_FILLS's order, every other model after them."""
    return PHOTO_FILLS.index(model_id) if model_id in PHOTO_FILLS else len(PHOTO_FILLS)


def preferred(model_ids: Iterable[str]) -> str | None:
    """The best photo fill among `model_ids`; None when none of them is one."""
    found = [m for m in model_ids if m in PHOTO_FILLS]
    return min(found, key=rank) if found else None
