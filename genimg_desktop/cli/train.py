"""`genimg train`: the command-line face of engine.training.loop (argparse here, no torch at import)."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from genimg_desktop.cli.common import parse_settings
from genimg_desktop.core.run_folder import EXIT_STOPPED, STOP_REQUEST

STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def add_parser(sub: Any) -> None:
    train = sub.add_parser(
        "train",
        help="train a model on a built-in dataset or a folder of your images",
        description="Train a model; the finished model goes into your models folder, where the app finds it. "
        "Running the same command again resumes from the checkpoint in --out. Ctrl-C stops after the "
        "current step with a checkpoint, and so does creating the file OUT/stop-request (deleted when a run "
        f"starts); a stopped run exits with code {EXIT_STOPPED}. Under torchrun it trains in several "
        "processes (DDP).",
    )
    train.add_argument(
        "--family",
        required=True,
        help="gan, vae, pixelcnn, inpaint, texture, singan, upscale, restore or classifier",
    )
    train.add_argument(
        "--data",
        required=True,
        help="fashion-mnist, mnist, emoji, openclipart, photos, debian-photos, a folder, or A+B",
    )
    train.add_argument("--size", type=int, required=True, help="image side in pixels")
    train.add_argument("--out", required=True, help="run folder: checkpoint, samples, loss log")
    train.add_argument("--steps", type=int, default=2000)
    train.add_argument("--batch-size", type=int, default=64, help="images per step, over all processes")
    train.add_argument("--lr", type=float, help="learning rate (default: the family's own)")
    train.add_argument(
        "--lr-decay-from",
        type=int,
        metavar="STEP",
        help="decay the learning rate linearly to zero from STEP to --steps (may be added on a resume)",
    )
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--channels", type=int, choices=(1, 3), help="default: the dataset's own")
    train.add_argument("--limit", type=int, help="use only N training images, spread over the set")
    train.add_argument("--sample-every", type=int, default=500, help="steps between sample grids")
    train.add_argument(
        "--sample-minutes",
        type=float,
        default=0.0,
        help="also a sample grid every M minutes of training (0: off)",
    )
    train.add_argument("--checkpoint-every", type=int, default=500, help="steps between checkpoints")
    train.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="family setting")
    train.add_argument(
        "--init-from",
        metavar="MODEL",
        help="start from this model's weights (same family and size): fine-tune it on your images; its "
        "architecture settings are the default --set ones",
    )
    train.add_argument("--id", default="", help="model id (default: FAMILY-DATA-SIZE)")
    train.add_argument("--name", default="", help="name shown in the app")
    train.add_argument("--models-dir", help="where to put the model (default: your models folder)")
    train.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    train.add_argument(
        "--precision",
        default="float32",
        choices=("float32", "bfloat16", "auto"),
        help="forward passes in bfloat16 mixed precision (auto: where the CPU or GPU has it natively)",
    )
    train.add_argument(
        "--time-steps",
        type=int,
        metavar="N",
        help="only measure: time N steps of this run on this machine now (after a warm-up step, in each "
        "phase of the run), print the seconds per step and the whole run's estimate as JSON, write nothing",
    )
    train.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from genimg_desktop.engine.training.events import TrainingStopped
    from genimg_desktop.engine.training.loop import train
    from genimg_desktop.engine.training.progress_bar import ProgressBar

    config = config_from_args(args)
    if args.time_steps is not None:
        return _print_timing(config, args.time_steps)
    stop_file = Path(args.out) / STOP_REQUEST
    if _is_rank_zero():  # a request left from an earlier run must not stop this one at its first step
        stop_file.unlink(missing_ok=True)
    with _ctrl_c_stops() as ctrl_c:
        try:
            card = train(config, ProgressBar(), stop_when(ctrl_c, stop_file))
        except TrainingStopped as exc:
            stop_file.unlink(missing_ok=True)
            print(f"genimg: {exc} (checkpoint: {exc.checkpoint})", file=sys.stderr)
            return EXIT_STOPPED
    if card != Path():  # rank 0 prints the card; other DDP ranks stay quiet
        print(card)
    return 0


def _print_timing(config: Any, steps: int) -> int:
    from genimg_desktop.engine.training.step_timing import time_steps

    if steps < 1:
        raise ValueError("--time-steps must be at least 1")
    print(json.dumps(time_steps(config, timed=steps).to_json()))
    return 0


def stop_when(ctrl_c: Callable[[], bool], stop_file: Path) -> Callable[[], bool]:
    """The loop's `should_stop`, asked once a step: after Ctrl-C, or once `stop_file` exists (a stat
    call, cheap next to a training step)."""
    path = os.fspath(stop_file)
    return lambda: ctrl_c() or os.path.exists(path)


def _is_rank_zero() -> bool:
    """Outside torchrun, or its first process (only that one asks `should_stop`)."""
    return int(os.environ.get("RANK", "0") or 0) == 0


def config_from_args(args: argparse.Namespace) -> Any:
    from genimg_desktop.engine.training.family_trainer import TrainConfig

    return TrainConfig(
        family=args.family,
        data=args.data,
        size=args.size,
        out=Path(args.out),
        steps=args.steps,
        batch_size=args.batch_size,
        lr=learning_rate(args),
        lr_decay_from=args.lr_decay_from,
        seed=args.seed,
        channels=args.channels,
        sample_every=args.sample_every,
        sample_every_s=max(args.sample_minutes, 0.0) * 60.0,
        checkpoint_every=args.checkpoint_every,
        model_id=args.id,
        name=args.name,
        extra=parse_settings(args.set),
        limit=args.limit,
        device=args.device,
        precision=args.precision,
        models_dir=Path(args.models_dir) if args.models_dir else None,
        command=command_line(args),
        init_from=args.init_from or None,
    )


def learning_rate(args: argparse.Namespace) -> float:
    """--lr, or the family's default (engine/families.py): the card's command line spells it out."""
    if args.lr is not None:
        return float(args.lr)
    from genimg_desktop.engine.families import trainable

    return float(trainable(args.family).lr or 0.0)


def command_line(args: argparse.Namespace) -> str:
    """The command that reproduces this run, every option spelled out (defaults included)."""
    words = ["genimg", "train", "--family", args.family, "--data", args.data, "--size", str(args.size)]
    words += ["--out", args.out, "--steps", str(args.steps), "--batch-size", str(args.batch_size)]
    words += ["--lr", repr(learning_rate(args))]
    if args.lr_decay_from is not None:
        words += ["--lr-decay-from", str(args.lr_decay_from)]
    words += ["--seed", str(args.seed)]
    optional = (("--channels", args.channels), ("--limit", args.limit), ("--init-from", args.init_from),
                ("--id", args.id), ("--name", args.name), ("--models-dir", args.models_dir))  # fmt: skip
    for flag, value in optional:
        if value:
            words += [flag, str(value)]
    if args.device != "auto":
        words += ["--device", args.device]
    if args.precision != "float32":
        words += ["--precision", args.precision]
    words += ["--sample-every", str(args.sample_every), "--checkpoint-every", str(args.checkpoint_every)]
    if args.sample_minutes > 0:
        words += ["--sample-minutes", repr(args.sample_minutes)]
    for pair in args.set:
        words += ["--set", pair]
    world = int(os.environ.get("WORLD_SIZE", "1") or 1)
    if world > 1:  # under torchrun
        words = ["torchrun", "--nproc_per_node", str(world), "-m", "genimg_desktop", *words[1:]]
    return shlex.join(words)


@contextmanager
def _ctrl_c_stops() -> Iterator[Callable[[], bool]]:
    """The first Ctrl-C asks the loop to checkpoint and stop; a second one aborts at once. SIGTERM and
    SIGHUP do the same: a logout or a shutdown sends them to every process of the session, the app's
    training child included, which would otherwise die without its checkpoint."""
    asked = [False]
    previous = {number: signal.getsignal(number) for number in STOP_SIGNALS}

    def on_signal(number: int, _frame: Any) -> None:
        if asked[0]:
            raise KeyboardInterrupt
        asked[0] = True
        what = "Ctrl-C" if number == signal.SIGINT else signal.Signals(number).name
        print(f"\ngenimg: {what}: stopping after this step (Ctrl-C again to abort)", file=sys.stderr)

    try:
        for number in STOP_SIGNALS:
            signal.signal(number, on_signal)
    except ValueError:  # not the main thread: no handler, Ctrl-C behaves as usual
        yield lambda: False
        return
    try:
        yield lambda: asked[0]
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
