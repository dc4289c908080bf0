"""Noto Color Emoji (OFL) rendered with Pillow, labelled by their Unicode emoji group.

`emoji` takes every fully-qualified emoji of emoji-test.txt except the skin-tone variants (1,870:
otherwise People & Body would be 59% of the set, mostly the same figure five times); `emoji-all`
keeps them (3,655). Fully-qualified only also drops the Component group (bare skin tones, hair),
leaving 9 groups. The colour bitmaps exist at one size, 109 (136 x 128 px): each emoji is drawn at
that size, cropped to its outline, padded white to a square and resized. Identical drawings (a few
flags share one) are kept once per split.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from genimg_desktop.engine.training.data.dataset import ImageDataset
from genimg_desktop.engine.training.data.errors import require
from genimg_desktop.engine.training.data.imaging import WHITE, Skip, pad_square, resize_array
from genimg_desktop.engine.training.data.items import Progress, make_dataset, prepare_items

NAMES = ("emoji", "emoji-all")
VERSION = 1
FONT = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
EMOJI_TEST = Path("/usr/share/unicode/emoji/emoji-test.txt")
FONT_SIZE = 109  # the only size of the font's colour bitmaps
SKIN_TONES = frozenset(chr(c) for c in range(0x1F3FB, 0x1F400))


def available() -> bool:
    return FONT.exists() and EMOJI_TEST.exists()


def read_emoji_test(path: Path, skin_tones: bool) -> tuple[list[str], list[str]]:
    """(emoji strings, their group names) of the fully-qualified lines, in the file's order."""
    emojis, groups, group = [], [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# group:"):
            group = line.split(":", 1)[1].strip()
        elif not line.startswith("#") and "; fully-qualified" in line:
            text = "".join(chr(int(cp, 16)) for cp in line.split(";", 1)[0].split())
            if skin_tones or not SKIN_TONES.intersection(text):
                emojis.append(text)
                groups.append(group)
    return emojis, groups


def build(
    name: str, split: str, size: int, limit: int | None, fit: str, progress: Progress | None = None
) -> ImageDataset:
    font_path = require(FONT, "The Noto Color Emoji font", "apt-get install fonts-noto-color-emoji")
    table = require(EMOJI_TEST, "Unicode's emoji-test.txt", "apt-get install unicode-data")
    emojis, groups = read_emoji_test(table, skin_tones=name == "emoji-all")
    class_names = tuple(dict.fromkeys(groups))  # the file's group order
    labels = np.array([class_names.index(g) for g in groups], dtype=np.int64)
    font = _font(str(font_path))

    def prepare(text: str) -> np.ndarray:
        return resize_array(render(text, font), size)

    images, kept, skipped = prepare_items(emojis, labels, split, limit, prepare, progress)
    return make_dataset(
        images,
        kept,
        size,
        skipped,
        class_names=class_names,
        name=name,
        split=split,
        source="Noto Color Emoji (Google, OFL) from Debian fonts-noto-color-emoji, "
        "groups from Unicode emoji-test.txt (unicode-data)",
    )


@lru_cache(maxsize=2)
def _font(path: str) -> ImageFont.FreeTypeFont:
    # RAQM shapes ZWJ sequences and flags into one glyph; without it they would fall apart.
    layout = ImageFont.Layout.RAQM if _has_raqm() else ImageFont.Layout.BASIC
    return ImageFont.truetype(path, FONT_SIZE, layout_engine=layout)


def _has_raqm() -> bool:
    from PIL import features

    return bool(features.check("raqm"))


def render(emoji: str, font: ImageFont.FreeTypeFont) -> Image.Image:
    """The emoji on white, cropped to its outline and padded to a square."""
    _, _, right, bottom = font.getbbox(emoji)
    if right > 1.5 * bottom:  # one glyph is 136 x 128: this sequence was laid out as several glyphs
        raise Skip("unsupported")  # (the font lacks it, or Pillow has no RAQM to shape it)
    canvas = Image.new("RGBA", (right, bottom), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((0, 0), emoji, font=font, embedded_color=True)
    box = canvas.getchannel("A").getbbox()
    if box is None:
        raise Skip("blank")
    glyph = canvas.crop(box)
    flat = Image.new("RGBA", glyph.size, WHITE + (255,))
    return pad_square(Image.alpha_composite(flat, glyph).convert("RGB"))
