"""`genimg inpaint`: regenerate the masked part of a picture with a model, as the window does."""

from __future__ import annotations

import argparse
from typing import Any

from genimg_desktop.cli.common import UsageError, load_mask, parse_params, progress_printer


def add_parser(sub: Any) -> None:
    inpaint = sub.add_parser("inpaint", help="regenerate the masked part of an image")
    inpaint.add_argument("--model", required=True, help="model id (see `genimg models`)")
    inpaint.add_argument("--image", required=True, help="input picture")
    inpaint.add_argument("--mask", help="same-size picture; white = regenerate")
    inpaint.add_argument(
        "--extend",
        metavar="L,T,R,B",
        help="outpaint: add this many pixels left, top, right, bottom and fill them (with or without --mask)",
    )
    inpaint.add_argument("--out", required=True, help="output file (.png keeps the parameters)")
    inpaint.add_argument("--seed", type=int, default=0)
    inpaint.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="repeatable")
    inpaint.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    inpaint.add_argument("--task", default="inpaint", help=argparse.SUPPRESS)
    inpaint.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from genimg_desktop.core import outpaint
    from genimg_desktop.core.composite import composite_masked
    from genimg_desktop.core.imageio import load_image, save_image
    from genimg_desktop.core.progress import JobControl
    from genimg_desktop.core.request import GenerationRequest
    from genimg_desktop.engine.device import resolve_device
    from genimg_desktop.engine.registry import ModelRegistry

    if args.mask is None and args.extend is None:
        raise UsageError("give --mask (what to regenerate), --extend L,T,R,B (a border to fill) or both")
    border = outpaint.parse_border(args.extend) if args.extend is not None else None
    params = parse_params(args.param)
    image = load_image(args.image)
    rgba = image.rgba
    mask = load_mask(args.mask) if args.mask is not None else None
    if mask is not None and mask.shape != rgba.shape[:2]:
        raise UsageError(
            f"the mask is {mask.shape[1]}x{mask.shape[0]} but the image is {image.size[0]}x{image.size[1]}"
        )
    if border is not None:
        rgba, mask = outpaint.extend(rgba, border, mask)
    assert mask is not None
    registry = ModelRegistry()
    registry.descriptor(args.model)  # an unknown id fails before the device is set up
    model = registry.load(args.model, resolve_device(args.device))
    rgb = np.ascontiguousarray(rgba[..., :3])
    request = GenerationRequest(args.model, args.task, params, args.seed, rgb, mask)
    result = model.run(request, JobControl(progress_printer()))
    # The window applies results through core.composite too: soft mask edges blend, alpha is kept.
    out = composite_masked(rgba, result.images[0], mask)
    if border is not None:  # the new border was transparent: filled, it is opaque
        out = outpaint.fill_border(out, outpaint.extend(image.rgba, border)[1], result.images[0])
    if (out[..., 3] == 255).all():
        out = out[..., :3]
    save_image(args.out, out, metadata=result.metadata())
    print(args.out)
    return 0
