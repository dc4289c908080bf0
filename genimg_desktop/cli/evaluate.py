"""`genimg eval`: the command-line face of engine.evaluation (argparse here, no torch at import)."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from typing import Any


def add_parser(sub: Any) -> None:
    ev = sub.add_parser("eval", help="measure a model on its dataset's held-out test split")
    ev.add_argument("--model", required=True, help="model id (see `genimg models`)")
    ev.add_argument("--json", action="store_true", help="print one JSON object")
    ev.add_argument("--samples", type=int, default=1000, help="generated images to judge (default 1000)")
    ev.add_argument("--limit", type=int, help="use only N test images, spread over the split")
    ev.add_argument("--seed", type=int, default=0)
    ev.add_argument(
        "--classifier",
        action="append",
        default=[],
        help="evaluation classifier id, the first one leading; repeat for more opinions "
        "(default: every evaluation classifier of the dataset)",
    )
    ev.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a 'sample' task parameter for the judged samples (guidance=2, truncation=0.5, ...)",
    )
    ev.add_argument("--write-card", action="store_true", help="store the metrics in the model card")
    ev.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    ev.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from genimg_desktop.cli.common import parse_settings
    from genimg_desktop.engine.evaluation import EvalOptions, evaluate, write_card_metrics
    from genimg_desktop.engine.registry import ModelRegistry

    if args.samples < 1 or (args.limit is not None and args.limit < 4):
        raise ValueError("--samples must be positive and --limit at least 4")
    registry = ModelRegistry()
    sampling = parse_settings(args.param)
    options = EvalOptions(
        args.samples, args.limit, args.seed, classifiers=tuple(args.classifier), sampling=sampling
    )
    result = evaluate(args.model, registry, args.device, options, _reporter())
    if args.write_card:
        write_card_metrics(registry.descriptor(args.model).card.card_path, result, command_line(args))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0


def command_line(args: argparse.Namespace) -> str:
    words = [
        "genimg",
        "eval",
        "--model",
        args.model,
        "--samples",
        str(args.samples),
        "--seed",
        str(args.seed),
    ]
    if args.limit:
        words += ["--limit", str(args.limit)]
    for classifier in args.classifier:
        words += ["--classifier", classifier]
    for pair in args.param:
        words += ["--param", pair]
    return shlex.join(words)


def _reporter() -> Any:
    """Stages on stderr when it is a terminal; scripts reading --json get clean stdout either way."""
    if not sys.stderr.isatty():
        return None
    return lambda text: print(f"genimg eval: {text}", file=sys.stderr, flush=True)
