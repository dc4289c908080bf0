"""`genimg style`: a picture given the colours and tone of a reference picture (core/colour_transfer.py)
or re-drawn from its patches (core/patch_style.py), on the whole picture or through a mask."""

from __future__ import annotations

import argparse
from typing import Any

from genimg_desktop.cli.common import UsageError, load_mask

METHODS = ("colour", "patch")


def add_parser(sub: Any) -> None:
    style = sub.add_parser("style", help="give a picture the colours of a reference picture")
    style.add_argument("--reference", required=True, help="the picture whose colours to take")
    style.add_argument("--image", required=True, help="input picture")
    style.add_argument("--out", required=True, help="output file (PNG, JPEG, WebP)")
    style.add_argument(
        "--strength",
        type=float,
        default=1.0,
        help="0 = unchanged .. 1 = fully the reference's style (default 1)",
    )
    style.add_argument("--mask", help="same-size picture; only the white part changes (soft edges blend)")
    style.add_argument(
        "--method",
        choices=METHODS,
        default="colour",
        help="colour: mean and spread of each CIELAB channel moved to the reference's (Reinhard), "
        "milliseconds; patch: re-drawn from the reference's patches, its texture and brushwork too "
        "(seconds: ~11 s at 1920x1080 on a laptop CPU)",
    )
    style.add_argument("--seed", type=int, default=0, help="the patch method's random search (default 0)")
    style.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from genimg_desktop.core.colour_transfer import match_colours
    from genimg_desktop.core.imageio import load_image, save_image
    from genimg_desktop.core.patch_style import style_with_patches

    if not 0.0 <= args.strength <= 1.0:
        raise UsageError(f"--strength must be between 0 and 1, got {args.strength}")
    image = load_image(args.image).rgba
    reference = load_image(args.reference).rgba
    mask = None
    if args.mask is not None:
        mask = load_mask(args.mask)
        if mask.shape != image.shape[:2]:
            raise UsageError(
                f"the mask is {mask.shape[1]}x{mask.shape[0]} but the image is "
                f"{image.shape[1]}x{image.shape[0]}"
            )
        if not mask.any():
            raise UsageError(
                "the mask is empty: nothing would change (leave out --mask for the whole picture)"
            )
    if args.method == "patch":
        out = style_with_patches(image, reference, args.strength, mask, args.seed)
    else:
        out = match_colours(image, reference, args.strength, mask)
    if (out[..., 3] == 255).all():
        out = out[..., :3]
    save_image(args.out, out)
    print(args.out)
    return 0
