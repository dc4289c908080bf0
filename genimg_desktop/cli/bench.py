"""`genimg bench ...`: benchmarks, not tests (argparse here; Qt and torch load only when one runs).

`genimg bench [--json] [--quick] [--models ID ...] [--out FILE]`: the performance bench of issue 6
(see genimg_desktop/bench/): machine rate, model latency against the FLOP floor, PixelCNN naive vs
cached sampling, app start-up, UI stalls during a job, peak memory, each beside its target. Exit code 1
when a measurement failed or the samplers disagreed; targets not met are reported, not an error (the
numbers depend on the machine).

`genimg bench inpaint`: see bench/inpaint.py (quality and speed of every inpainting method).

`genimg bench restore`: see bench/restore.py (every upscaler and restorer on held-out photos).

`genimg bench soak`: see jobs/soak.py. Exit code 1 when the soak finds lost jobs or leftover threads.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> None:
    bench = sub.add_parser(
        "bench", help="benchmarks: `genimg bench` (performance vs targets), `genimg bench soak`"
    )
    bench.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    bench.add_argument("--quick", action="store_true", help="smaller jobs and fewer repeats (CI; < 1 min)")
    bench.add_argument("--models", nargs="+", metavar="ID", help="bench only these models (default: all)")
    bench.add_argument("--out", type=Path, metavar="FILE", help="also write the JSON result to FILE")
    bench.add_argument("--threads", type=int, metavar="N", help="torch threads (default: torch's own choice)")
    bench.set_defaults(handler=run_bench)
    kinds = bench.add_subparsers(dest="bench", metavar="[BENCHMARK]")  # none: the full bench
    soak = kinds.add_parser("soak", help="hundreds of jobs with cancels and model switches: leaks?")
    soak.add_argument("--jobs", type=int, default=300, help="how many jobs (default 300)")
    soak.add_argument("--image", help="photo to inpaint (default: scikit-image's astronaut if installed)")
    soak.add_argument("--seed", type=int, default=0)
    soak.add_argument("--cancel-rate", type=float, default=0.2, help="share of jobs cancelled (0..1)")
    soak.add_argument("--json", action="store_true", help="machine-readable output")
    soak.set_defaults(handler=run_soak)
    inpaint = kinds.add_parser("inpaint", help="inpainting methods on held-out images: quality and speed")
    inpaint.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    inpaint.add_argument("--quick", action="store_true", help="3 small images, one repeat (tests; seconds)")
    inpaint.add_argument("--methods", nargs="+", metavar="NAME", help="only these methods (default: all)")
    inpaint.add_argument("--out", type=Path, metavar="FILE", help="also write the JSON result to FILE")
    inpaint.add_argument(
        "--grid",
        type=Path,
        metavar="PNG",
        help="also write a picture grid: input, mask, each method; beside it NAME-photos.png, the "
        "object-sized holes on photos at 100%%, and NAME-before-after.png, the photo default's fills",
    )
    inpaint.add_argument(
        "--threads", type=int, metavar="N", help="torch threads (default: torch's own choice)"
    )
    inpaint.set_defaults(handler=run_inpaint)
    restore = kinds.add_parser(
        "restore", help="upscalers and restorers on held-out photos: quality, speed, memory"
    )
    restore.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    restore.add_argument(
        "--quick", action="store_true", help="2 tiny photos, a small memory case (tests; seconds)"
    )
    restore.add_argument(
        "--models", nargs="+", metavar="ID", help="only these models (default: every upscaler and restorer)"
    )
    restore.add_argument("--out", type=Path, metavar="FILE", help="also write the JSON result to FILE")
    restore.add_argument(
        "--threads", type=int, metavar="N", help="torch threads (default: torch's own choice)"
    )
    restore.add_argument(
        "--write-card",
        action="store_true",
        help="store each model's numbers in its card (metrics.bench_restore; docs/MODELS.md reads them)",
    )
    restore.set_defaults(handler=run_restore)
    texture = kinds.add_parser(
        "texture", help="texture models: seconds at 1024-4096 px, quality vs real crops"
    )
    texture.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    texture.add_argument("--quick", action="store_true", help="small sizes and few crops (tests; seconds)")
    texture.add_argument("--models", nargs="+", metavar="ID", help="only these models (default: all)")
    texture.add_argument("--out", type=Path, metavar="FILE", help="also write the JSON result to FILE")
    texture.add_argument(
        "--threads", type=int, metavar="N", help="torch threads (default: torch's own choice)"
    )
    texture.set_defaults(handler=run_texture)


def run_bench(args: argparse.Namespace) -> int:
    from genimg_desktop.bench import report, suite

    options = suite.BenchOptions(quick=args.quick, models=tuple(args.models or ()), threads=args.threads)
    # Progress on an interactive terminal only, so `--json > file` and CI logs stay clean.
    echo = (lambda line: print(line, file=sys.stderr, flush=True)) if sys.stderr.isatty() else None
    result = suite.run_bench(options, echo)
    _emit(result, args.out, args.json, report.format_report)
    return 0 if suite.healthy(result) else 1


def run_inpaint(args: argparse.Namespace) -> int:
    from genimg_desktop.bench.inpaint import run_inpaint_bench
    from genimg_desktop.bench.inpaint_methods import installed_methods
    from genimg_desktop.bench.inpaint_report import format_inpaint_report
    from genimg_desktop.engine.device import resolve_device

    echo = (lambda line: print(line, file=sys.stderr, flush=True)) if sys.stderr.isatty() else None
    from genimg_desktop.bench.suite import torch_threads

    methods = installed_methods(resolve_device("auto"), tuple(args.methods or ()))
    with torch_threads(args.threads):  # a loaded machine: oversubscribed threads distort every time
        result = run_inpaint_bench(methods, args.quick, echo)
        if args.grid is not None:
            from genimg_desktop.bench.inpaint_grid import write_grid
            from genimg_desktop.bench.inpaint_objects import write_before_after, write_photo_grid

            result["grid"] = str(write_grid(args.grid, methods, args.quick))
            photo_grid = args.grid.with_name(f"{args.grid.stem}-photos{args.grid.suffix}")
            result["photo_grid"] = str(write_photo_grid(photo_grid, methods, args.quick))
            before_after = args.grid.with_name(f"{args.grid.stem}-before-after{args.grid.suffix}")
            written = write_before_after(before_after, methods, args.quick)
            result["before_after"] = str(written) if written else None
    _emit(result, args.out, args.json, format_inpaint_report)
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from genimg_desktop.bench.restore import run_restore_bench
    from genimg_desktop.bench.restore_report import format_restore_report
    from genimg_desktop.bench.suite import torch_threads

    echo = (lambda line: print(line, file=sys.stderr, flush=True)) if sys.stderr.isatty() else None
    with torch_threads(args.threads):
        result = run_restore_bench(args.quick, echo, tuple(args.models or ()))
    if args.write_card:
        from genimg_desktop.bench.restore import write_cards

        words = ["genimg", "bench", "restore", *(["--quick"] if args.quick else [])]
        words += ["--models", *args.models] if args.models else []
        result["cards_written"] = write_cards(result, " ".join(words))
    _emit(result, args.out, args.json, format_restore_report)
    return 0


def run_texture(args: argparse.Namespace) -> int:
    from genimg_desktop.bench.suite import torch_threads
    from genimg_desktop.bench.texture import format_texture_report, run_texture_bench

    echo = (lambda line: print(line, file=sys.stderr, flush=True)) if sys.stderr.isatty() else None
    with torch_threads(args.threads):
        result = run_texture_bench(args.quick, echo, tuple(args.models or ()))
    _emit(result, args.out, args.json, format_texture_report)
    return 0


def _emit(result: dict[str, Any], out: Path | None, as_json: bool, table: Any) -> None:
    """Print the result as JSON or as `table(result)`, and write the JSON to `out` when asked."""
    text = json.dumps(result, indent=2)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
    print(text if as_json else table(result))


def run_soak(args: argparse.Namespace) -> int:
    from genimg_desktop.jobs import soak

    if args.jobs < 1 or not 0 <= args.cancel_rate <= 1:
        raise ValueError("--jobs must be at least 1 and --cancel-rate between 0 and 1")
    report = soak.run_soak(args.jobs, soak.load_photo(args.image), args.seed, args.cancel_rate)
    print(json.dumps(report.as_dict(), indent=2) if args.json else soak.format_report(report))
    return 0 if report.healthy else 1
