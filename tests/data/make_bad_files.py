"""Regenerate the small awkward/damaged image files in tests/data/bad/ (committed; run by hand).

.venv/bin/python tests/data/make_bad_files.py
"""

from __future__ import annotations

import bz2
import io
import json
import struct
import zipfile
import zlib
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, PngImagePlugin

OUT = Path(__file__).resolve().parent / "bad"


def _noise(w: int, h: int, channels: int = 3, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, channels), dtype=np.uint8)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _truncated(name: str, fmt: str, **options) -> None:
    path = OUT / name
    Image.fromarray(_noise(48, 48)).save(path, fmt, **options)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def bomb_png() -> bytes:
    """A valid-looking PNG header claiming 100000 x 100000 pixels, with a tiny compressed IDAT."""
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)  # 8-bit greyscale
    idat = zlib.compress(b"\0" * 100_001 * 4, 9)  # a few rows of black
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def _png_bytes(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", **options)
    return out.getvalue()


def _stack_xml(w: int, h: int) -> bytes:
    return (
        f'<?xml version="1.0"?><image version="0.0.5" w="{w}" h="{h}"><stack>'
        '<layer name="image" src="data/image.png" x="0" y="0"/></stack></image>'
    ).encode()


def ora_bytes(project: bytes | None, size: tuple[int, int] = (4, 4)) -> bytes:
    """A small OpenRaster file: an opaque grey picture of `size`, `project` as genimg/project.json."""
    png = _png_bytes(Image.new("RGBA", size, (90, 90, 90, 255)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", b"image/openraster", zipfile.ZIP_STORED)
        z.writestr("stack.xml", _stack_xml(*size), zipfile.ZIP_DEFLATED)
        z.writestr("data/image.png", png, zipfile.ZIP_STORED)
        z.writestr("mergedimage.png", png, zipfile.ZIP_STORED)
        if project is not None:
            z.writestr("genimg/project.json", project, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def lying_entry_ora(method: int, size: int, canvas: tuple[int, int]) -> bytes:
    """A canvas whose merged image entry claims `size` bytes (under what a PNG of the canvas may
    take) and really inflates to that many zeros, packed by `method` (bzip2: a few hundred bytes for
    1 GiB); its CRC is wrong. Not a PNG: a reader that looks first reads little."""
    packer = bz2.BZ2Compressor(9) if method == zipfile.ZIP_BZIP2 else zlib.compressobj(9, zlib.DEFLATED, -15)
    block = b"\0" * (1 << 20)
    packed = b"".join(packer.compress(block) for _ in range(size // len(block))) + packer.flush()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", b"image/openraster", zipfile.ZIP_STORED)
        z.writestr("stack.xml", _stack_xml(*canvas), zipfile.ZIP_DEFLATED)
        z.writestr("data/image.png", _png_bytes(Image.new("RGBA", (1, 1))), zipfile.ZIP_STORED)
        z.writestr("mergedimage.png", packed, zipfile.ZIP_STORED)  # headers patched below
    data = bytearray(out.getvalue())
    # Local header: method at +8, CRC at +14, sizes at +18/+22; central header: +10, +16, +20/+24.
    for signature, method_at in ((b"PK\3\4", 8), (b"PK\1\2", 10)):
        at = data.rindex(signature)  # the last entry's header of each kind
        struct.pack_into("<H", data, at + method_at, method)
        struct.pack_into("<3L", data, at + method_at + 6, 0x12345678, len(packed), size)
    return bytes(data)


def huge_canvas_ora() -> bytes:
    """5 KB declaring 16384 x 8192: a merged PNG of one flat colour, itself deflated by the zip."""
    flat = _png_bytes(Image.new("RGBA", (16384, 8192), (0, 0, 0, 255)), compress_level=9)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("mimetype", b"image/openraster", zipfile.ZIP_STORED)
        z.writestr("stack.xml", _stack_xml(16384, 8192))
        z.writestr("data/image.png", flat)
        z.writestr("mergedimage.png", flat)
    return out.getvalue()


def big_text_png() -> bytes:
    """A 4 x 4 PNG with a 1.2 MB `parameters` text chunk, zTXt-compressed to about 1 KB."""
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", "Steps: 20, " + "x" * 1_200_000, zip=True)
    return _png_bytes(Image.new("RGB", (4, 4), (200, 30, 30)), pnginfo=info)


def a1111_png(text: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", text)
    return _png_bytes(Image.new("RGB", (4, 4), (30, 30, 200)), pnginfo=info)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    (OUT / "zero-byte.png").write_bytes(b"")
    (OUT / "not_an_image.png").write_text("This is a text file with a .png name.\n")
    _truncated("truncated.png", "PNG")
    _truncated("truncated.jpg", "JPEG", quality=90)
    _truncated("truncated.webp", "WEBP", quality=90)
    Image.new("RGB", (1, 1), (12, 34, 56)).save(OUT / "one_by_one.png")
    (OUT / "bomb.png").write_bytes(bomb_png())

    # 16-bit greyscale ramp 0..65535 across 16 columns (Pillow opens it as I;16).
    ramp = np.tile(np.linspace(0, 65535, 16).round().astype(np.uint16), (4, 1))
    Image.fromarray(ramp).save(OUT / "gray16.png")
    # 16-bit RGB (Pillow cannot write it; OpenCV can, in BGR order): red = 65535, green = 32896.
    rgb16 = np.zeros((4, 4, 3), np.uint16)
    rgb16[..., 2], rgb16[..., 1] = 65535, 32896
    cv2.imwrite(str(OUT / "rgb16.png"), rgb16)

    Image.new("CMYK", (8, 8), (0, 255, 255, 0)).save(OUT / "cmyk.jpg", quality=95)  # red ink

    palette = Image.new("P", (8, 8), 0)
    palette.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    palette.paste(1, (4, 0, 8, 8))
    palette.save(OUT / "palette_alpha.png", transparency=0)  # left half transparent red, right blue

    frames = [Image.new("RGB", (8, 8), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    frames[0].save(OUT / "animated.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)

    # Stored 8 wide x 4 high with a red top-left pixel; orientation 6 = rotate 90 degrees clockwise to
    # display, so it shows 4 wide x 8 high with the red pixel at the top right.
    stored = np.zeros((4, 8, 3), np.uint8)
    stored[:2, :2] = (255, 0, 0)
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(stored).save(OUT / "exif_rotated.jpg", quality=100, exif=exif.tobytes())

    info = PngImagePlugin.PngInfo()
    info.add_text("genimg", '{"model": "broken", "seed": 4')  # cut-off JSON
    info.add_text("parameters", "Steps: 20, Seed: 42, Model: opencv-telea, Task: inpaint, radius: 5")
    Image.new("RGB", (4, 4), (0, 128, 0)).save(OUT / "garbage_json.png", pnginfo=info)

    # Untrusted generation parameters (issue 24): numbers JSON cannot hold, wrong types, deep nesting.
    telea = "Steps: 20, Seed: 42, Model: opencv-telea, Task: inpaint, radius: "
    (OUT / "a1111_radius_inf.png").write_bytes(a1111_png(telea + "inf"))
    (OUT / "a1111_seed_huge.png").write_bytes(a1111_png(telea.replace("42", "1" + "0" * 400) + "5"))
    base = '{"format": "genimg-ora", "version": 1, "metadata": {"model": "opencv-telea", "task": "inpaint", '
    (OUT / "ora_seed_1e999.ora").write_bytes(ora_bytes((base + '"seed": 1e999, "params": {}}}').encode()))
    nan = base + '"seed": NaN, "params": {"radius": NaN}}}'
    (OUT / "ora_seed_nan.ora").write_bytes(ora_bytes(nan.encode()))
    (OUT / "ora_params_list.ora").write_bytes(ora_bytes((base + '"seed": 3, "params": [1, 2]}}').encode()))
    nested = b'{"metadata": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    (OUT / "ora_params_nested.ora").write_bytes(ora_bytes(nested))
    bzip2 = lying_entry_ora(zipfile.ZIP_BZIP2, 1 << 30, (16384, 8192))
    (OUT / "ora_lying_entry_bzip2.ora").write_bytes(bzip2)
    deflate = lying_entry_ora(zipfile.ZIP_DEFLATED, 48 << 20, (2048, 2048))
    (OUT / "ora_lying_entry_deflate.ora").write_bytes(deflate)
    (OUT / "ora_huge_canvas.ora").write_bytes(huge_canvas_ora())
    (OUT / "big_text_chunk.png").write_bytes(big_text_png())
    _bad_masks()


def _bad_masks() -> None:
    """Masks other tools write: 0/1 values (a label map), or the selection only in the red channel."""
    labels = np.zeros((8, 8), np.uint8)
    labels[2:6, 2:6] = 1
    Image.fromarray(labels).save(OUT / "mask_0_1.png")
    red = np.zeros((8, 8, 3), np.uint8)
    red[2:6, 2:6, 0] = 255
    Image.fromarray(red).save(OUT / "mask_red_only.png")

    bad_model_cards(OUT / "models")


# The shipped Fashion-MNIST GAN's card settings; the hostile cards below name its weights (a test copies
# them in beside the card), so only what the card declares is wrong.
GAN_CONFIG = {"resolution": 28, "channels": 1, "num_classes": 10, "z_dim": 128, "w_dim": 128,
              "mapping_layers": 2, "embed_dim": 64, "g_width": 32, "d_width": 32, "max_width": 256,
              "directions": 10, "direction_samples": 4096}  # fmt: skip
GAN_WEIGHTS = "gan-fashion-mnist-28.safetensors"


def bad_model_cards(folder: Path) -> None:
    """Model cards that once broke listing or loading (issue 24); FIFOs and links to /dev/zero named
    *.json cannot be committed, tests make them on the spot."""
    folder.mkdir(exist_ok=True)
    texts = {
        # JSON's 1e400 is infinity: int() of it raised OverflowError and every model was lost.
        "resolution_inf.json": _telea("bad-resolution-inf", '"resolution": 1e400'),
        "channels_nan.json": _telea("bad-channels-nan", '"channels": NaN'),
        "config_inf.json": '{"id": "bad-config-inf", "family": "gan", "config": {"num_classes": 1e400}}',
        # Python's JSON reader refuses integers over 4300 digits with a bare ValueError.
        "long_integer.json": _telea("bad-long-integer", '"resolution": ' + "9" * 5000),
        # Deeper than the JSON reader's recursion limit: RecursionError.
        "deep_nesting.json": _telea("bad-deep", '"extra": ' + "[" * 50_000 + "]" * 50_000),
        "class_names_text.json": _telea("bad-class-text", '"class_names": "abc"'),
        "id_two_lines.json": _telea("bad\\nid", '"name": "two lines"'),
        # A NUL in a file name ended up in messages and paths.
        "weights_nul.json": '{"id": "bad-nul", "family": "gan", "weights": "a\\u0000b.safetensors"}',
    }
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    # Sizes the weights do not hold: building them first would allocate gigabytes.
    lies = {
        "gan_million_classes.json": {"num_classes": 1_000_000, "embed_dim": 512},
        "gan_direction_samples.json": {"direction_samples": 1_000_000},
        "gan_wide.json": {"g_width": 65_536, "max_width": 65_536},
        "gan_deep_mapping.json": {"mapping_layers": 100_000},
    }
    for name, change in lies.items():
        card = {"id": f"lying-{Path(name).stem}", "family": "gan", "resolution": 28, "channels": 1,
                "config": {**GAN_CONFIG, **change}, "weights": GAN_WEIGHTS}  # fmt: skip
        (folder / name).write_text(json.dumps(card, indent=1), encoding="utf-8")


def _telea(model_id: str, extra: str) -> str:
    """A classical (Telea) card's JSON text with `extra` fields written verbatim."""
    return '{"id": "' + model_id + '", "family": "classical", "config": {"method": "telea"}, ' + extra + "}"


if __name__ == "__main__":
    main()
