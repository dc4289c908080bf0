"""Writing a sequence of frames (an interpolation, a latent walk) as an animated GIF or WebP."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from genimg_desktop.core.imageio import ImageSaveError, write_file

ANIMATION_FORMATS = {".gif": "GIF", ".webp": "WEBP"}
MIN_SIDE = 256  # small model outputs (28 px) are enlarged to at least this, crisply


def save_animation(
    path: Path | str, frames: Sequence[np.ndarray], frame_ms: int = 100, boomerang: bool = True
) -> Path:
    """Write (H, W, 3) uint8 frames as a looping animation; `boomerang` plays them forward then back
    (an interpolation then returns smoothly to its start). Atomic like every save."""
    path = Path(path)
    fmt = ANIMATION_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ImageSaveError(f"Cannot save an animation as '{path.suffix or path.name}': use .gif or .webp.")
    if len(frames) < 2:
        raise ImageSaveError("An animation needs at least two frames.")
    order = list(frames) + (list(frames[-2:0:-1]) if boomerang else [])
    images = [_enlarged(frame) for frame in order]
    options = {"save_all": True, "append_images": images[1:], "duration": int(frame_ms), "loop": 0}
    if fmt == "WEBP":
        options["lossless"] = True
    write_file(path, lambda f: images[0].save(f, format=fmt, **options))
    return path


def _enlarged(frame: np.ndarray) -> Image.Image:
    image = Image.fromarray(np.ascontiguousarray(frame[..., :3]))
    factor = max(1, MIN_SIDE // max(image.size))
    return image.resize((image.width * factor, image.height * factor), Image.NEAREST) if factor > 1 else image
