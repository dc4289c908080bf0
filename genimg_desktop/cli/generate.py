"""`genimg generate`: run any task of a model without the window and write the results as PNGs.

The same engine path as the window (ModelRegistry -> model.run(GenerationRequest, JobControl)), so the
same model, task, parameters and seed give the same images. argparse here; torch loads only in `run`.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from genimg_desktop.core.model_card import ModelDescriptor
    from genimg_desktop.core.params import TaskSpec
    from genimg_desktop.core.request import GenerationResult
    from genimg_desktop.engine.registry import ModelRegistry

# `--class` and `--count` are shorthands for the task parameters of these names.
SHORTHANDS = (("class_name", "--class", "class"), ("count", "--count", "count"))
DEFAULT_TASK = "sample"
# result.info keys every result has; they go into the PNGs, only the rest is worth a line of its own.
_COMMON_INFO = ("params", "device", "precision", "family")


def add_parser(sub: Any) -> None:
    gen = sub.add_parser(
        "generate",
        help="run a model's task without the window and write the images as PNGs",
        description="Run a task of a model (see `genimg models`) and write each result image to DIR as "
        "MODEL-TASK-sSEED-NNN.png with its parameters embedded. The same seed gives the same images, "
        "here and in the app. Other information a task computes (e.g. a likelihood) is printed as JSON.",
    )
    gen.add_argument("--model", required=True, help="model id (see `genimg models`)")
    gen.add_argument("--task", help=f"what to do (default: {DEFAULT_TASK}); `genimg models` lists tasks")
    gen.add_argument("--class", dest="class_name", metavar="NAME", help="the task's 'class' parameter")
    gen.add_argument("--count", type=int, metavar="N", help="the task's 'count' parameter")
    gen.add_argument(
        "--size", metavar="WxH", type=parse_size, help="the task's 'width' and 'height' (textures: any size)"
    )
    gen.add_argument("--tile", action="store_true", help="the task's 'tile' parameter: a seamless tile")
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="repeatable")
    gen.add_argument("--image", metavar="IN", help="input picture, for tasks that start from one")
    gen.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    gen.add_argument("--out", required=True, metavar="DIR", help="folder for the PNGs (created)")
    gen.add_argument(
        "--animation",
        metavar="FILE",
        help="also write the images as one looping animation (.gif or .webp), forward then back, as "
        "Samples > Animation… does: e.g. the frames of an interpolation",
    )
    gen.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from genimg_desktop.cli.common import parse_params, progress_printer
    from genimg_desktop.core.progress import JobControl
    from genimg_desktop.core.request import GenerationRequest
    from genimg_desktop.engine.device import resolve_device
    from genimg_desktop.engine.registry import ModelRegistry

    registry = ModelRegistry()
    descriptor = choose_model(registry, args.model)
    task = choose_task(descriptor, args.task)
    params = with_shorthands(task, parse_params(args.param), args)
    task.resolve(params)  # bad names and values fail now, before the model loads
    image = _input_image(task, args.image)
    _check_animation(args.animation)
    out_dir = _output_dir(args.out)  # before the run, which may take minutes
    model = registry.load(args.model, resolve_device(args.device))
    request = GenerationRequest(args.model, task.name, params, args.seed, image)
    result = model.run(request, JobControl(progress_printer()))
    for path in write_results(result, out_dir):
        print(path)
    if args.animation:
        print(_write_animation(Path(args.animation), result))
    extra = extra_info(result.info)
    if extra:
        print(json.dumps(extra, default=_plain))
    return 0


def choose_model(registry: ModelRegistry, model_id: str) -> ModelDescriptor:
    """The model's descriptor; a usage error lists the ones there are. Only generative models count:
    the registry also knows the evaluation classifiers, which make no images."""
    from genimg_desktop.cli.common import UsageError

    models = {descriptor.id: descriptor for descriptor in registry.refresh()}
    if model_id not in models:
        known = ", ".join(sorted(models)) or "none"
        # A broken card is skipped at listing; say so, or its model seems simply missing.
        skipped = f"; {len(registry.errors)} card(s) skipped, see `genimg models`" if registry.errors else ""
        raise UsageError(f"no model '{model_id}' (installed: {known}{skipped})")
    return models[model_id]


def choose_task(descriptor: ModelDescriptor, name: str | None) -> TaskSpec:
    """The TaskSpec asked for, else `sample`; a usage error names the tasks the model offers."""
    from genimg_desktop.cli.common import UsageError

    offered = ", ".join(spec.name for spec in descriptor.tasks)
    wanted = name or DEFAULT_TASK
    for spec in descriptor.tasks:
        if spec.name == wanted:
            if spec.needs_mask:
                raise UsageError(
                    f"task '{spec.name}' needs a mask: use `genimg inpaint --model {descriptor.id} "
                    "--image IN --mask MASK --out OUT.png`"
                )
            return spec
    if name is None:
        raise UsageError(
            f"model '{descriptor.id}' has no '{DEFAULT_TASK}' task; choose one with --task: {offered}"
        )
    raise UsageError(f"model '{descriptor.id}' has no task '{name}' (it offers: {offered})")


def with_shorthands(task: TaskSpec, params: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """`params` plus --class / --count, each mapped onto the task's parameter of that name."""
    from genimg_desktop.cli.common import UsageError

    names = [spec.name for spec in task.params]
    out = dict(params)
    for attr, flag, param in SHORTHANDS:
        value = getattr(args, attr)
        if value is None:
            continue
        if param not in names:
            listed = ", ".join(names) or "none"
            raise UsageError(
                f"task '{task.name}' has no '{param}' parameter for {flag} "
                f"(its parameters: {listed}; set them with --param NAME=VALUE)"
            )
        if param in out:
            raise UsageError(f"{flag} and --param {param}= both given; use one")
        out[param] = value
    for param, value in _size_and_tile(args):
        if param not in names:
            flag = "--tile" if param == "tile" else "--size"
            raise UsageError(
                f"task '{task.name}' has no '{param}' parameter for {flag} (it draws at its own size)"
            )
        if param in out:
            raise UsageError(f"--size/--tile and --param {param}= both given; use one")
        if param != "tile":
            _check_in_range(task, param, int(value), f"--size {param}")  # type: ignore[call-overload]
        out[param] = value
    _check_count(task, out, args.count)
    return out


def parse_size(text: str) -> tuple[int, int]:
    """'1024x768' -> (1024, 768); argparse turns the ValueError into a usage error naming --size."""
    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
    if match is None or min(int(match[1]), int(match[2])) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT in pixels, e.g. 1024x768")
    return int(match[1]), int(match[2])


def _size_and_tile(args: argparse.Namespace) -> list[tuple[str, object]]:
    """(parameter, value) pairs --size and --tile stand for."""
    pairs: list[tuple[str, object]] = []
    if getattr(args, "size", None) is not None:
        pairs += [("width", args.size[0]), ("height", args.size[1])]
    if getattr(args, "tile", False):
        pairs.append(("tile", True))
    return pairs


def _check_count(task: TaskSpec, params: dict[str, Any], count: int | None) -> None:
    """ParamSpec clamps numbers silently (right for a spin box); asking for N images and getting fewer
    deserves an error instead."""
    if count is not None:
        _check_in_range(task, "count", count, "--count")


def _check_in_range(task: TaskSpec, param: str, value: int, flag: str) -> None:
    from genimg_desktop.cli.common import UsageError

    spec = task.param(param)
    low = int(spec.minimum) if spec.minimum is not None else 1
    high = int(spec.maximum) if spec.maximum is not None else None
    if value < low or (high is not None and value > high):
        limit = f"{low}..{high}" if high is not None else f"at least {low}"
        raise UsageError(f"{flag} must be {limit} for task '{task.name}', got {value}")


def _input_image(task: TaskSpec, path: str | None) -> Any:
    """The --image picture as (H, W, 3) uint8 RGB (alpha dropped, as `genimg inpaint` does), or None."""
    from genimg_desktop.cli.common import UsageError
    from genimg_desktop.core.imageio import load_rgb

    if path is None:
        if task.needs_image:
            raise UsageError(f"task '{task.name}' needs an input picture: add --image IN.png")
        return None
    return load_rgb(path)


def _output_dir(path: str) -> Path:
    from genimg_desktop.cli.common import UsageError

    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--out must be a folder, but '{folder}' is a file")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _check_animation(path: str | None) -> None:
    from genimg_desktop.cli.common import UsageError
    from genimg_desktop.core.animation import ANIMATION_FORMATS

    if path is not None and Path(path).suffix.lower() not in ANIMATION_FORMATS:
        raise UsageError(f"--animation must end in .gif or .webp, not '{Path(path).name}'")


def _write_animation(path: Path, result: GenerationResult) -> Path:
    from genimg_desktop.cli.common import UsageError
    from genimg_desktop.core.animation import save_animation

    if len(result.images) < 2:
        raise UsageError(f"--animation needs two or more images; task '{result.request.task}' made one")
    return save_animation(path, result.images)


def write_results(result: GenerationResult, out_dir: Path) -> list[Path]:
    """Each result image as MODEL-TASK-sSEED-NNN.png with the job's metadata and its index."""
    from genimg_desktop.core.imageio import save_image

    request = result.request
    stem = f"{_safe(request.model_id)}-{_safe(request.task)}-s{request.seed}"
    meta = result.metadata()
    # The run time differs on every run; left in, the same seed would not give byte-identical files.
    meta.pop("elapsed_s", None)
    paths = []
    for index, image in enumerate(result.images):
        path = out_dir / f"{stem}-{index:03d}.png"
        save_image(path, image, metadata={**meta, "index": index})
        paths.append(path)
    return paths


def extra_info(info: dict[str, Any]) -> dict[str, Any]:
    """What a task computed besides images (scores, chosen classes), without arrays: JSON-able."""
    import numpy as np

    return {
        key: value
        for key, value in info.items()
        if key not in _COMMON_INFO and not isinstance(value, np.ndarray)
    }


def _plain(value: Any) -> Any:
    """json.dumps fallback: numpy scalars and arrays nested in info become plain numbers and lists."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def _safe(text: str) -> str:
    """A file-name-safe form of a model id or task name (ids come from cards, which anyone can write)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip(".") or "model"
