"""The `genimg` command: the desktop app by default, plus scriptable subcommands on the same engine.

Heavy imports (torch, Qt) happen inside the subcommand that needs them, so `genimg --help` is instant.
Errors are one line on stderr and a non-zero exit code: 2 for a bad invocation, 1 when the work failed.
Set GENIMG_DEBUG=1 to get the traceback instead.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from genimg_desktop import __version__
from genimg_desktop.cli import (
    bench,
    evaluate,
    generate,
    import_model,
    inpaint,
    restore,
    select,
    style,
    train,
)
from genimg_desktop.cli.common import UsageError
from genimg_desktop.core.errors import one_line

COMMANDS = (
    "gui",
    "models",
    "generate",
    "inpaint",
    "upscale",
    "denoise",
    "select",
    "style",
    "self-test",
    "bench",
    "train",
    "eval",
    "import-model",
)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["--self-test"]:  # what installers and CI call on the packaged app
        args_list[0] = "self-test"
    if not args_list or (args_list[0] not in COMMANDS and args_list[0] not in ("-h", "--help", "--version")):
        args_list.insert(0, "gui")  # `genimg` and `genimg photo.jpg` open the window
    if args_list[0] == "gui":  # the app parses its own options (Qt's included), so argparse must not
        return _run(_cmd_gui, args_list[1:])
    try:
        args = build_parser().parse_args(args_list)
    except SystemExit as exc:  # argparse exits on --help and on errors; main() returns instead
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    return _run(args.handler, args)


def _run(handler: Any, payload: Any) -> int:
    """Call a subcommand; any error becomes one line on stderr and an exit code."""
    try:
        return int(handler(payload) or 0)
    except KeyboardInterrupt:
        print("genimg: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `genimg models | head`: the reader left; stay quiet at exit too
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:
        if os.environ.get("GENIMG_DEBUG"):
            raise
        print(f"genimg: error: {one_line(exc)}", file=sys.stderr)
        return 2 if _is_usage_error(exc) else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="genimg", description="Create and edit images with your own models."
    )
    parser.add_argument("--version", action="version", version=f"genimg {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    # Listed for --help only: main() hands everything after `gui` to the app untouched.
    sub.add_parser("gui", help="open the desktop app (the default); other arguments go to the app")

    models = sub.add_parser("models", help="list the installed models")
    models.add_argument("--json", action="store_true", help="machine-readable output")
    models.set_defaults(handler=_cmd_models)

    selftest = sub.add_parser(
        "self-test", help="check this installation: run every built-in model once (also --self-test)"
    )
    selftest.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    selftest.add_argument("--out", metavar="DIR", help="keep the result images in DIR")
    selftest.add_argument("--no-qt", action="store_true", help="skip the Qt library check")
    selftest.set_defaults(handler=_cmd_self_test)
    # Each subcommand in its own module: its options and its logic.
    for command in (inpaint, restore, select, style, train, generate, evaluate, bench, import_model):
        command.add_parser(sub)
    return parser


def _cmd_gui(app_args: list[str]) -> int:
    try:
        from genimg_desktop.app import main as app_main
    except ImportError as exc:
        raise RuntimeError(f"the desktop app cannot start: {exc}") from exc

    return int(app_main(app_args) or 0)


def _cmd_models(args: argparse.Namespace) -> int:
    from genimg_desktop.engine.registry import ModelRegistry

    registry = ModelRegistry()
    rows = [_model_row(d) for d in registry.refresh()]
    if args.json:
        print(json.dumps({"models": rows, "errors": registry.errors}, indent=2))
        return 0
    for error in registry.errors:
        print(f"genimg: skipped {error}", file=sys.stderr)
    header = {"id": "ID", "family": "FAMILY", "tasks": "TASKS", "origin": "ORIGIN", "path": "CARD"}
    table = [header] + [{**r, "tasks": ",".join(r["tasks"])} for r in rows]
    widths = {key: max(len(str(row[key])) for row in table) for key in header}
    for row in table:
        print("  ".join(str(row[key]).ljust(widths[key]) for key in header).rstrip())
    return 0


def _cmd_self_test(args: argparse.Namespace) -> int:
    from genimg_desktop.selftest import main as self_test

    return self_test(device=args.device, out_dir=args.out, qt=not args.no_qt)


def _model_row(descriptor: Any) -> dict[str, Any]:
    card = descriptor.card
    return {
        "id": card.id,
        "name": card.name,
        "family": card.family,
        "tasks": [task.name for task in descriptor.tasks],
        "origin": "builtin" if descriptor.builtin else "user",
        "path": str(card.card_path),
        "weights": str(card.weights) if card.weights else None,
    }


def _is_usage_error(exc: Exception) -> bool:
    from genimg_desktop.core.imageio import ImageLoadError, ImageSaveError

    if isinstance(exc, (ImageLoadError, ImageSaveError)):
        return False
    # Unknown models (LookupError), bad parameters, devices and masks (ValueError) are the caller's to fix.
    return isinstance(exc, (UsageError, LookupError, ValueError))
