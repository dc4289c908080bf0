"""`genimg bench ...`: benchmarks, not tests (argparse here; Qt and torch load only when one runs).

`genimg bench soak`: see jobs/soak.py. Exit code 1 when the soak finds lost jobs or leftover threads.
"""

from __future__ import annotations

import argparse
import json
from typing import Any


def add_parser(sub: Any) -> None:
    bench = sub.add_parser("bench", help="benchmarks: `genimg bench soak`")
    kinds = bench.add_subparsers(dest="bench", metavar="BENCHMARK", required=True)
    soak = kinds.add_parser("soak", help="hundreds of jobs with cancels and model switches: leaks?")
    soak.add_argument("--jobs", type=int, default=300, help="how many jobs (default 300)")
    soak.add_argument("--image", help="photo to inpaint (default: scikit-image's astronaut if installed)")
    soak.add_argument("--seed", type=int, default=0)
    soak.add_argument("--cancel-rate", type=float, default=0.2, help="share of jobs cancelled (0..1)")
    soak.add_argument("--json", action="store_true", help="machine-readable output")
    soak.set_defaults(handler=run_soak)


def run_soak(args: argparse.Namespace) -> int:
    from genimg_desktop.jobs import soak

    if args.jobs < 1 or not 0 <= args.cancel_rate <= 1:
        raise ValueError("--jobs must be at least 1 and --cancel-rate between 0 and 1")
    report = soak.run_soak(args.jobs, soak.load_photo(args.image), args.seed, args.cancel_rate)
    print(json.dumps(report.as_dict(), indent=2) if args.json else soak.format_report(report))
    return 0 if report.healthy else 1
