"""`genimg import-model`: install an upscaler published as an ncnn pair (.param + .bin, or their
folder) or an ESRGAN/SRVGGNetCompact .pth, converted once into our safetensors + card; or a model
card (.json) with its files. `--out DIR` writes the converted model into DIR instead (how the
shipped models in models/ are made, see docs/MODELS.md)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from genimg_desktop.cli.common import UsageError


def add_parser(sub: Any) -> None:
    command = sub.add_parser(
        "import-model",
        help="install a model: a card (.json), an ncnn .param/.bin pair or an ESRGAN/SRVGG .pth",
    )
    command.add_argument("paths", nargs="+", metavar="PATH", help="the files, or a folder with one ncnn pair")
    command.add_argument("--id", dest="model_id", help="the model's id (default: known name or file name)")
    command.add_argument("--replace", action="store_true", help="replace an installed model of that id")
    command.add_argument("--out", metavar="DIR", help="write the converted model into DIR, install nothing")
    command.add_argument(
        "--check", action="store_true", help="with --out: run the ncnn original too and record the difference"
    )
    command.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from genimg_desktop.core.model_files import ImportQuestion
    from genimg_desktop.engine.restore.imported import importer

    paths = [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"not found: {', '.join(missing)}")
    if args.check and not args.out:
        raise UsageError("--check goes with --out (the check needs the ncnn package, a test dependency)")
    try:
        if args.out:
            card = importer.convert_to_card(paths, Path(args.out), args.model_id, check=args.check)
        else:
            card = importer.install_any(paths, args.model_id, replace=args.replace)
    except ImportQuestion as question:
        raise UsageError(f"{question} (add --{question.option})") from None
    print(card)
    return 0
