"""`genimg upscale` and `genimg denoise`: enlarge or clean a picture with an "upscale" or "restore"
model, as Image > Upscale and Filter > Denoise / Restore do in the window (alpha kept)."""

from __future__ import annotations

import argparse
from typing import Any

from genimg_desktop.cli.common import load_mask, progress_printer


def add_parser(sub: Any) -> None:
    up = sub.add_parser("upscale", help="enlarge a picture with an upscaling model")
    _common(up)
    up.add_argument("--scale", type=float, help="factor, 1 to 8 (default: the model's own, e.g. 2 or 4)")
    up.set_defaults(handler=run_upscale)
    clean = sub.add_parser("denoise", help="remove noise and JPEG artefacts with a restore model")
    _common(clean)
    clean.add_argument("--strength", type=float, help="0 to 1: lower keeps some grain (default: the model's)")
    clean.add_argument("--mask", help="same-size picture; only the white part is cleaned")
    clean.set_defaults(handler=run_denoise)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, help="model id (see `genimg models`)")
    parser.add_argument("--image", required=True, help="input picture")
    parser.add_argument("--out", required=True, help="output file (.png keeps the parameters)")
    parser.add_argument("--tile", type=int, help="tile size in pixels (smaller needs less memory)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")


def run_upscale(args: argparse.Namespace) -> int:
    return _run(args, "upscale", {"scale": args.scale}, None)


def run_denoise(args: argparse.Namespace) -> int:
    return _run(args, "denoise", {"strength": args.strength}, args.mask)


def _run(args: argparse.Namespace, task: str, params: dict[str, Any], mask_path: str | None) -> int:
    import numpy as np

    from genimg_desktop.cli.common import UsageError
    from genimg_desktop.core.imageio import load_image, save_image
    from genimg_desktop.core.progress import JobControl
    from genimg_desktop.core.request import GenerationRequest
    from genimg_desktop.core.upscale import attach_alpha, opaque_alpha
    from genimg_desktop.engine.device import resolve_device
    from genimg_desktop.engine.registry import ModelRegistry

    params = {name: value for name, value in {**params, "tile": args.tile}.items() if value is not None}
    registry = ModelRegistry()
    registry.descriptor(args.model).task(task)  # an unknown model or task fails before any loading
    image = load_image(args.image)
    mask = load_mask(mask_path) if mask_path is not None else None
    if mask is not None and mask.shape != image.rgba.shape[:2]:
        raise UsageError(
            f"the mask is {mask.shape[1]}x{mask.shape[0]} but the image is {image.size[0]}x{image.size[1]}"
        )
    model = registry.load(args.model, resolve_device(args.device))
    rgb = np.ascontiguousarray(image.rgba[..., :3])
    result = model.run(
        GenerationRequest(args.model, task, params, 0, rgb, mask), JobControl(progress_printer())
    )
    out = attach_alpha(result.images[0], opaque_alpha(image.rgba))
    save_image(args.out, out if (out[..., 3] < 255).any() else out[..., :3], metadata=result.metadata())
    print(args.out)
    return 0
