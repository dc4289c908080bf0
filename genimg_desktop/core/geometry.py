"""The picture's geometry: crop, resize, canvas size, rotate and flip, on the image and its mask together.

Pure functions over an RGBA image (H, W, 4) and its mask (H, W): each returns a new image and a new
mask of the same new size, never views of its inputs (an undo step keeps the old arrays, and an edit
of the new ones must not reach them). Alpha is kept as it is; canvas grown by `canvas_size` is
transparent. `masked_area` is the cut-out that Copy puts on the clipboard.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from genimg_desktop.core.imageio import ImageLoadError, check_size
from genimg_desktop.core.mask import mask_bbox
from genimg_desktop.core.rect import Rect, clip_rect, rect_slices

Arrays = tuple[np.ndarray, np.ndarray]  # (image RGBA, mask)
# Where the old picture sits in a grown or shrunk canvas: (0, 0) top left, (0.5, 0.5) centre, (1, 1)
# bottom right (fractions of the free width and height).
Anchor = tuple[float, float]
CENTRE: Anchor = (0.5, 0.5)


def _size(image: np.ndarray) -> tuple[int, int]:
    return int(image.shape[1]), int(image.shape[0])


def check_new_size(width: int, height: int, name: str) -> None:
    """ValueError naming the limit (pixels per side or megapixels) when width x height is outside it."""
    try:
        check_size(width, height, name)
    except ImageLoadError as exc:
        raise ValueError(str(exc)) from None


def crop(image: np.ndarray, mask: np.ndarray, rect: Rect) -> Arrays:
    """The part of the picture inside `rect` (clipped to the picture). ValueError when none is left."""
    box = clip_rect(rect, *_size(image))
    if box is None:
        raise ValueError(f"the crop rectangle {rect} lies outside the {_size(image)} picture")
    index = rect_slices(box)
    return image[index].copy(), mask[index].copy()


def crop_to_mask(image: np.ndarray, mask: np.ndarray) -> Arrays:
    """Crop to the bounding box of the mask's painted pixels. ValueError when no mask is painted."""
    box = mask_bbox(mask)
    if box is None:
        raise ValueError("no mask is painted")
    return crop(image, mask, box)


def resize(image: np.ndarray, mask: np.ndarray, width: int, height: int) -> Arrays:
    """Scale to width x height: the image with Lanczos, the mask bilinear.

    Pillow premultiplies RGBA by alpha while it resamples, so the colour of transparent pixels does
    not bleed into their neighbours. The mask is not resampled with Lanczos: its ripples outside a
    mask edge would select stray pixels. Both filters average over the source area when shrinking.
    """
    check_new_size(width, height, "The new size")
    size = (int(width), int(height))
    rgba = Image.fromarray(np.ascontiguousarray(image), "RGBA").resize(size, Image.Resampling.LANCZOS)
    grey = Image.fromarray(np.ascontiguousarray(mask), "L").resize(size, Image.Resampling.BILINEAR)
    return np.array(rgba, dtype=np.uint8), np.array(grey, dtype=np.uint8)


def canvas_size(
    image: np.ndarray,
    mask: np.ndarray,
    width: int,
    height: int,
    anchor: Anchor = CENTRE,
    mask_new: bool = False,
) -> Arrays:
    """A width x height canvas with the picture placed at `anchor`; a smaller one crops it.

    New area is transparent; `mask_new` paints it into the mask, ready to be filled by inpainting.
    """
    check_new_size(width, height, "The new canvas")
    w, h = _size(image)
    ox, oy = round((width - w) * anchor[0]), round((height - h) * anchor[1])
    out = np.zeros((height, width, 4), np.uint8)
    out_mask = np.full((height, width), 255 if mask_new else 0, np.uint8)
    kept = clip_rect((-ox, -oy, width, height), w, h)  # the old pixels that land on the new canvas
    if kept is not None:
        x, y, kw, kh = kept
        target = rect_slices((x + ox, y + oy, kw, kh))
        out[target] = image[rect_slices(kept)]
        out_mask[target] = mask[rect_slices(kept)]
    return out, out_mask


def rotate(image: np.ndarray, mask: np.ndarray, quarter_turns: int) -> Arrays:
    """Rotate by `quarter_turns` x 90 degrees clockwise (negative: anticlockwise). Exact: no resampling."""
    k = -int(quarter_turns) % 4  # np.rot90 turns anticlockwise as the picture is shown (row 0 on top)
    return np.ascontiguousarray(np.rot90(image, k)), np.ascontiguousarray(np.rot90(mask, k))


def flip(image: np.ndarray, mask: np.ndarray, horizontal: bool) -> Arrays:
    """Mirror left-right (`horizontal`) or top-bottom. Its own inverse."""
    axis = 1 if horizontal else 0
    return np.ascontiguousarray(np.flip(image, axis)), np.ascontiguousarray(np.flip(mask, axis))


def masked_area(image: np.ndarray, mask: np.ndarray) -> np.ndarray | None:
    """The mask's bounding box cut out of the image, the mask multiplied into its alpha (a soft mask
    edge stays soft); None when no mask is painted."""
    box = mask_bbox(mask)
    if box is None:
        return None
    index = rect_slices(box)
    out = image[index].copy()
    alpha = out[..., 3].astype(np.uint16) * mask[index] + 127
    out[..., 3] = (alpha // 255).astype(np.uint8)
    return out
