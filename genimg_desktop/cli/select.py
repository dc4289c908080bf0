"""`genimg select`: the mask of the object inside a box (Select subject, core/subject.py), as a PNG."""

from __future__ import annotations

import argparse
from typing import Any

from genimg_desktop.cli.common import UsageError


def add_parser(sub: Any) -> None:
    from genimg_desktop.core.subject import GROW_PX  # core/subject.py imports only numpy and OpenCV

    select = sub.add_parser("select", help="mask the object inside a box (GrabCut), for `genimg inpaint`")
    select.add_argument("--image", required=True, help="input picture")
    select.add_argument("--box", required=True, metavar="X,Y,W,H", help="a box around the object, in pixels")
    select.add_argument("--out", required=True, help="the mask to write (white = the object)")
    select.add_argument(
        "--grow", type=float, default=GROW_PX, help=f"px to grow past the outline (default {GROW_PX})"
    )
    select.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from genimg_desktop.core.imageio import load_image, save_image
    from genimg_desktop.core.subject import select_subject

    try:
        x, y, w, h = (int(part) for part in args.box.split(","))
    except ValueError:
        raise UsageError(
            f"--box '{args.box}' is not four whole numbers X,Y,W,H (e.g. 60,10,440,380)"
        ) from None
    image = load_image(args.image)
    mask = select_subject(image.rgba[..., :3], (x, y, w, h), args.grow)
    if not mask.any():
        raise UsageError("no object told apart from its background in the box; draw it closer")
    save_image(args.out, mask)
    print(args.out)
    return 0
