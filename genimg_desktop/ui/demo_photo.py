"""The photo the scripted demos open (ui/demo.py's inpainting scene, ui/demo_studio.py's scenes)."""

from __future__ import annotations

import numpy as np


def demo_photo(name: str = "chelsea") -> np.ndarray:
    """A real photo when scikit-image is installed (its sample data `name`), else a synthetic gradient."""
    try:
        from skimage import data

        return getattr(data, name)()
    except ImportError:
        y, x = np.mgrid[0:400, 0:600]
        return np.dstack([x * 255 // 600, y * 255 // 400, np.full_like(x, 128)]).astype(np.uint8)
