"""`genimg self-test` (also `genimg --self-test`): is this installation complete and working?

Loads every built-in model through the registry, runs each of its tasks once on a deterministic test
picture (made here with numpy, so nothing is read from the network or the user's files), saves each
result as a PNG with its parameters and reads it back. One line per model/task with timings; the exit
code is non-zero if anything failed. The user's own models are listed too (not run): each card the app
skips gets a "skip" line saying why, as `genimg models` does; those do not fail the installation.
Headless: no Qt widgets. A last check loads QtGui and encodes a result to PNG, so a packaged app whose
Qt libraries are missing fails here rather than at the artist's first click. Meant for installers
and CI (see packaging/smoke_test.sh) as much as for users.
"""

from __future__ import annotations

import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from genimg_desktop import __version__
from genimg_desktop.core.errors import one_line

SIZE = 256
SEED = 0
# The hole: a block of a colour that appears nowhere else in the picture, so a model that hands back
# its input unchanged is caught (the filled hole must differ from what was under it).
HOLE = (slice(96, 144), slice(104, 168))
HOLE_COLOUR = (255, 0, 255)

Echo = Callable[[str], None]

# The window needs its platform plugin: X11 (xcb) on Linux, plus offscreen for headless runs.
_PLATFORM_PLUGINS = (
    ("qxcb", "qoffscreen")
    if sys.platform.startswith("linux")
    else ("qwindows",)
    if sys.platform == "win32"
    else ("qcocoa",)
    if sys.platform == "darwin"
    else ()
)


@dataclass
class Check:
    """One line of the report."""

    model: str
    task: str
    ok: bool
    detail: str
    load_s: float = 0.0
    run_s: float = 0.0
    skipped: bool = False  # a user's card the app cannot use: reported, not a failed installation

    def line(self) -> str:
        status = "skip" if self.skipped else "ok  " if self.ok else "FAIL"
        timing = f"load {self.load_s * 1000:7.1f} ms  run {self.run_s * 1000:8.1f} ms  " if self.ok else ""
        return f"{status}  {self.model:<30} {self.task:<10} {timing}{self.detail}"


def test_picture(size: int = SIZE) -> np.ndarray:
    """A deterministic (size, size, 3) uint8 RGB picture: gradients, discs, stripes and fine noise, with
    a magenta block where `test_mask` marks the hole."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / max(size - 1, 1)
    img = np.stack([0.2 + 0.6 * xx, 0.3 + 0.5 * yy, 0.6 - 0.4 * xx * yy], axis=-1)
    for cx, cy, r, colour in ((0.3, 0.3, 0.18, (0.9, 0.7, 0.2)), (0.72, 0.65, 0.22, (0.1, 0.4, 0.8))):
        disc = (xx - cx) ** 2 + (yy - cy) ** 2 < r * r
        img[disc] = colour
    stripes = (np.floor(xx * 16) % 2 == 0) & (yy > 0.8)
    img[stripes] *= 0.5
    noise = np.random.default_rng(1234).normal(0.0, 0.02, img.shape).astype(np.float32)
    out = np.clip((img + noise) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    out[_scaled(HOLE, size)] = HOLE_COLOUR
    return out


def test_mask(size: int = SIZE) -> np.ndarray:
    """(size, size) uint8, 255 on the magenta block of `test_picture`."""
    mask = np.zeros((size, size), np.uint8)
    mask[_scaled(HOLE, size)] = 255
    return mask


def _scaled(region: tuple[slice, slice], size: int) -> tuple[slice, slice]:
    f = size / SIZE
    return tuple(slice(int(s.start * f), max(int(s.stop * f), int(s.start * f) + 1)) for s in region)  # type: ignore[return-value]


def run_self_test(
    device: str = "auto",
    out_dir: Path | None = None,
    models_dir: Path | None = None,
    qt: bool = True,
    echo: Echo = print,
) -> list[Check]:
    """Run every check, echoing one line each; returns the checks (all `.ok` when the install works)."""
    from genimg_desktop.core import paths

    start = time.perf_counter()
    folder = Path(models_dir) if models_dir is not None else paths.builtin_models_dir()
    torch_version, device_text, checks = "?", device, []
    try:
        import torch

        from genimg_desktop.engine.device import device_label, resolve_device

        torch_version = torch.__version__
        resolved = resolve_device(device)
        device_text = device_label(resolved)
    except Exception as exc:  # torch or its libraries missing: nothing else can work
        checks.append(Check("engine", "import", False, one_line(exc, with_type=True)))
        resolved = None
    echo(
        f"genimg {__version__} self-test: python {platform.python_version()}, torch {torch_version}, "
        f"device {device_text}, {'bundled' if getattr(sys, 'frozen', False) else 'source'} models in {folder}"
    )
    if resolved is not None:
        if out_dir is None:
            with tempfile.TemporaryDirectory(prefix="genimg-selftest-") as tmp:
                checks += _check_models(folder, resolved, Path(tmp), echo)
        else:
            Path(out_dir).mkdir(parents=True, exist_ok=True)
            checks += _check_models(folder, resolved, Path(out_dir), echo)
        for check in _list_user_models(folder, paths.user_models_dir()):
            checks.append(check)
            echo(check.line())
    else:
        echo(checks[-1].line())
    if qt:
        checks.append(_check_qt())
        echo(checks[-1].line())
    failed = [c for c in checks if not c.ok]
    total = time.perf_counter() - start
    verdict = "passed" if not failed else f"FAILED ({len(failed)} of {len(checks)})"
    skipped = sum(c.skipped for c in checks)
    note = f"; {skipped} of your model cards skipped (see above)" if skipped else ""
    echo(f"self-test {verdict}: {len(checks)} checks in {total:.2f} s{note}")
    return checks


def _check_models(folder: Path, device: Any, out_dir: Path, echo: Echo) -> list[Check]:
    from genimg_desktop.engine.registry import ModelRegistry

    checks: list[Check] = []

    def add(check: Check) -> None:
        checks.append(check)
        echo(check.line())

    registry = ModelRegistry([(folder, True)])
    descriptors = registry.refresh()
    # A card the registry skipped (a family engine/families.py does not list, missing weights, ...) is
    # a failure here, not a quiet omission; a family module missing from the bundle fails the import.
    for error in registry.errors:
        add(Check("registry", "list", False, error))
    cards = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not cards:
        add(Check("registry", "list", False, f"no built-in model cards in {folder}"))
    for descriptor in [*descriptors, *registry.components()]:  # a component runs its tasks alone here
        model_id = descriptor.id
        t0 = time.perf_counter()
        try:
            model = registry.load(model_id, device)
        except Exception as exc:
            add(Check(model_id, "load", False, one_line(exc, with_type=True)))
            continue
        load_s = time.perf_counter() - t0
        for task in model.tasks:
            add(_check_task(model, task, load_s, out_dir))
    for descriptor in registry.evaluation_models():  # classifiers: no tasks, scored directly
        add(_check_evaluation_model(registry, descriptor.id, device))
    return checks


def _list_user_models(builtin: Path, folder: Path) -> list[Check]:
    """List the user's models as the app does (beside the built-in ones, whose ids win): one line with
    the usable ones, and a "skip" line for each card of the user's the app cannot use, with why."""
    try:
        from genimg_desktop.engine.registry import ModelRegistry

        registry = ModelRegistry([(builtin, True), (folder, False)])
        usable = registry.refresh() + registry.components() + registry.evaluation_models()
    except Exception as exc:  # listing must never fail, whatever is in the folder
        return [Check("your models", "list", False, one_line(exc, with_type=True))]
    ids = sorted(d.id for d in usable if not d.builtin)
    shown = ", ".join(ids) if ids else "none"
    checks = [Check("your models", "list", True, f"{len(ids)} usable in {folder}: {shown}")]
    for card in registry.skipped:
        if not card.builtin:
            checks.append(Check(card.path.name, "list", True, card.reason, skipped=True))
    return checks


def _check_evaluation_model(registry: Any, model_id: str, device: Any) -> Check:
    """Load an evaluation model and classify the test picture once."""
    import torch

    t0 = time.perf_counter()
    try:
        model = registry.load(model_id, device)
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        channels = int(model.card.channels)
        picture = torch.from_numpy(test_picture()).permute(2, 0, 1).float() / 127.5 - 1.0
        picture = picture.mean(0, keepdim=True) if channels == 1 else picture[:channels]
        logits = model.logits(picture.unsqueeze(0))
        classes = len(model.card.class_names)
        if tuple(logits.shape) != (1, classes) or not bool(torch.isfinite(logits).all()):
            return Check(model_id, "classify", False, f"logits {tuple(logits.shape)}, want (1, {classes})")
    except Exception as exc:
        return Check(model_id, "classify", False, one_line(exc, with_type=True))
    return Check(model_id, "classify", True, f"{classes} classes", load_s, time.perf_counter() - t0)


def _check_task(model: Any, task: Any, load_s: float, out_dir: Path) -> Check:
    from genimg_desktop.core.imageio import load_image, save_image
    from genimg_desktop.core.progress import JobControl
    from genimg_desktop.core.request import GenerationRequest

    model_id = model.card.id
    image = test_picture() if task.needs_image else None
    mask = test_mask() if task.needs_mask else None
    request = GenerationRequest(model_id, task.name, {}, SEED, image, mask)
    t0 = time.perf_counter()
    try:
        result = model.run(request, JobControl())
        run_s = time.perf_counter() - t0
        problem = _output_problem(result.images, image, mask)
        if problem:
            return Check(model_id, task.name, False, problem)
        out = result.images[0]
        path = out_dir / f"{model_id}-{task.name}.png"
        save_image(path, out, metadata=result.metadata())
        back = load_image(path)
        if not np.array_equal(back.rgba[..., :3], out) or back.metadata.get("model") != model_id:
            return Check(model_id, task.name, False, f"{path.name} did not read back as written")
    except Exception as exc:
        return Check(model_id, task.name, False, one_line(exc, with_type=True))
    height, width = out.shape[:2]
    return Check(model_id, task.name, True, f"{width}x{height} -> {path}", load_s, run_s)


def _output_problem(images: Any, image: np.ndarray | None, mask: np.ndarray | None) -> str:
    """Why the model's output is unusable, or "" when it looks right."""
    if not isinstance(images, list) or not images:
        return "the model returned no image"
    for out in images:
        if not isinstance(out, np.ndarray) or out.dtype != np.uint8 or out.ndim != 3 or out.shape[2] != 3:
            got = f"{getattr(out, 'shape', type(out))} {getattr(out, 'dtype', '')}"
            return f"the model returned {got}, not (H, W, 3) uint8"
        if image is None or mask is None:
            continue  # sample, likelihood, ...: any size (model resolution, strips, maps)
        # Inpainting: the window composites the result over the canvas, so it must be canvas-sized.
        if out.shape != image.shape:
            got, want = f"{out.shape[1]}x{out.shape[0]}", f"{image.shape[1]}x{image.shape[0]}"
            return f"the model returned {got} for a {want} input"
        if np.array_equal(out[mask > 0], image[mask > 0]):
            return "the masked area came back unchanged"
    return ""


def _check_qt() -> Check:
    """QtCore and QtGui load and encode a PNG (no QApplication, no display, no widgets)."""
    t0 = time.perf_counter()
    try:
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QLibraryInfo, qVersion
        from PySide6.QtGui import QImage

        picture = test_picture(64)
        qimage = QImage(picture.data, 64, 64, 64 * 3, QImage.Format.Format_RGB888).copy()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not qimage.save(buffer, "PNG") or data.size() == 0:
            return Check("qt", "png", False, "QtGui could not encode a PNG")
        plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
        found = sorted(p.name for p in plugins.glob("*")) if plugins.is_dir() else []
        missing = [name for name in _PLATFORM_PLUGINS if not any(name in f for f in found)]
        if missing:
            return Check("qt", "png", False, f"Qt platform plugin(s) {missing} missing in {plugins}")
    except Exception as exc:
        return Check("qt", "png", False, one_line(exc, with_type=True))
    detail = f"Qt {qVersion()}, platform plugins in {plugins}"
    return Check("qt", "png", True, detail, 0.0, time.perf_counter() - t0)


def main(device: str = "auto", out_dir: str | None = None, qt: bool = True) -> int:
    """The command: 0 when every check passed, 1 otherwise."""
    checks = run_self_test(device=device, out_dir=Path(out_dir) if out_dir else None, qt=qt)
    return 0 if checks and all(c.ok for c in checks) else 1
