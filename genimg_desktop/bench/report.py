"""The bench's verdicts against the targets of issue 6, and the readable table (`--json` prints the
dict itself)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MET, NOT_MET, NOT_MEASURED = "met", "not met", "not measured"
PIXELCNN_SPEEDUP = 15.0  # cached sampling at least this many times faster than naive
PIXELCNN_SAMPLE_S = 0.3  # one 28x28 sample through the app's path
PIXELCNN_SAMPLE_SIDE = 28  # the time target is the 28x28 model; larger ones are reported only
PAINTED_S = 0.5  # launch to first painted window
STALL_P99_MS = 16.0  # one frame at 60 Hz
GAN_FLOOR_RATIO = 3.0  # batch-1 latency over the FLOP floor


def targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One verdict per target and model it applies to; "not measured" when the number is missing."""
    found: list[dict[str, Any]] = []
    latency = {m["id"]: m for m in _list(report, "models")}
    for entry in _list(report, "pixelcnn"):
        model = entry.get("id")
        found.append(
            _check("PixelCNN sample vs naive", model, entry.get("speedup"), ">=", PIXELCNN_SPEEDUP, "x")
        )
        entry_latency = latency.get(model) or {}
        if (entry_latency.get("resolution") or 0) <= PIXELCNN_SAMPLE_SIDE:
            sample_s = _batch(entry_latency, "1", "median_s")
            found.append(
                _check("PixelCNN 28x28 sample (batch 1)", model, sample_s, "<", PIXELCNN_SAMPLE_S, "s")
            )
    startup = report.get("startup") or {}
    found.append(_check("window painted after launch", None, startup.get("painted_s"), "<", PAINTED_S, "s"))
    stalls = report.get("stalls") or {}
    found.append(
        _check("UI stall p99 during a job", None, stalls.get("p99_stall_ms"), "<", STALL_P99_MS, "ms")
    )
    for model in latency.values():
        if model.get("family") == "gan":
            ratio = _batch(model, "1", "latency_over_floor")
            found.append(
                _check("GAN batch-1 latency / FLOP floor", model["id"], ratio, "<=", GAN_FLOOR_RATIO, "x")
            )
    return found


def _check(
    name: str, model: str | None, value: float | None, op: str, limit: float, unit: str
) -> dict[str, Any]:
    compare: dict[str, Callable[[float, float], bool]] = {
        ">=": lambda v, lim: v >= lim,
        "<": lambda v, lim: v < lim,
        "<=": lambda v, lim: v <= lim,
    }
    status = NOT_MEASURED if value is None else MET if compare[op](value, limit) else NOT_MET
    return {
        "target": name,
        "model": model,
        "value": value,
        "limit": f"{op} {limit:g} {unit}",
        "status": status,
    }


def _list(report: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = report.get(key)
    return value if isinstance(value, list) else []


def _batch(model: dict[str, Any] | None, batch: str, key: str) -> Any:
    return ((model or {}).get("batches") or {}).get(batch, {}).get(key)


# ---- the readable table --------------------------------------------------------------------------------


def format_report(report: dict[str, Any]) -> str:
    """Every section as aligned columns, the targets last."""
    mode = "quick" if report.get("quick") else "full"
    lines = [
        f"genimg bench ({mode}): genimg {report.get('genimg')}, torch {report.get('torch')}, "
        f"device {report.get('device')}, {report.get('torch_threads')} torch threads, "
        f"{report.get('cpu_count')} CPUs, load {_num(report.get('load_average_1min'), 2)} at start, "
        f"{report.get('elapsed_s', 0):.1f} s",
    ]
    lines += [f"note: {note}" for note in report.get("notes") or []]
    for title, render in _SECTIONS:
        lines += ["", title]
        lines += _indent(render(report))
    timings = ", ".join(f"{name} {secs:.1f} s" for name, secs in (report.get("section_s") or {}).items())
    lines += ["", f"time per section: {timings}"]
    for note in report.get("errors") or []:
        lines.append(f"error: {note}")
    return "\n".join(lines)


def _machine(report: dict[str, Any]) -> list[list[str]]:
    machine = report.get("machine") or {}
    if "error" in machine:
        return [[f"error: {machine['error']}"]]
    rows = [["WHAT", "GFLOP/S (FASTEST RUN)", "FASTEST", "MEDIAN", "RUNS"]]
    conv = machine.get("conv2d") or {}
    layouts = ", ".join(f"{name} {rate:.0f}" for name, rate in (conv.get("gflops_by_layout") or {}).items())
    conv_label = "conv2d 3x3 16x64x28x28 -> 64" + (f" (the faster layout of: {layouts})" if layouts else "")
    for key, label in (("matmul", "matmul 1024^3 fp32"), ("conv2d", conv_label)):
        part = machine.get(key) or {}
        rows.append(
            [
                label,
                _num(part.get("gflops"), 1),
                _secs(part.get("min_s")),
                _secs(part.get("median_s")),
                str(part.get("runs", "-")),
            ]
        )
    return rows


def _models(report: dict[str, Any]) -> list[list[str]]:
    rows = [
        ["MODEL", "FAMILY", "DTYPE", "BATCH", "LATENCY", "RUNS", "GFLOP", "FLOOR", "LATENCY/FLOOR"]
        + ["KERNELS", "LATENCY/KERNELS", "FLOPS FROM"]
    ]
    for model in _list(report, "models"):
        if "error" in model or "skipped" in model:
            rows.append(
                [model.get("id", "?"), model.get("family", ""), model.get("error") or model["skipped"]]
            )
            continue
        for batch in (model.get("batches") or {}).values():
            rows.append(
                [
                    model["id"],
                    model["family"],
                    model.get("precision_used", "float32"),
                    str(batch["count"]),
                    _secs(batch["median_s"]),
                    str(batch["runs"]),
                    f"{batch['flops'] / 1e9:.3g}",
                    _secs(batch["floor_s"]),
                    _num(batch["latency_over_floor"], 1, "x"),
                    _secs(batch.get("kernel_floor_s")),
                    _ratio(batch["median_s"], batch.get("kernel_floor_s")),
                    batch["flops_source"],
                ]
            )
    return rows if len(rows) > 1 else [["no generation models installed"]]


def _precisions(report: dict[str, Any]) -> list[list[str]]:
    rows = [["MODEL", "BATCH", "VARIANT", "LATENCY", "VS APP", "MAX DIFF (8-BIT LEVELS)"]]
    for model in _list(report, "models"):
        found = model.get("precision") or {}
        if "error" in found:
            rows.append([model.get("id", "?"), f"error: {found['error']}"])
        for name, variant in (found.get("variants") or {}).items():
            rows.append(
                [
                    model["id"],
                    str(found["count"]),
                    name,
                    _secs(variant["median_s"]),
                    _num(variant["vs_app"], 2, "x"),
                    _num(variant["max_diff_levels"], 1),
                ]
            )
    return rows if len(rows) > 1 else [["no GAN or VAE models measured"]]


def _compiled(report: dict[str, Any]) -> list[list[str]]:
    rows = [["MODEL", "BATCH", "EAGER", "COMPILED", "SPEED-UP", "WARM-UP", "BREAK-EVEN", "MAX DIFF"]]
    for model in _list(report, "models"):
        found = model.get("compiled") or {}
        if "error" in found or "skipped" in found:
            rows.append([f"{model.get('id', '?')}: {found.get('error') or found.get('skipped')}"])
        for count, batch in (found.get("batches") or {}).items():
            images = batch["break_even_images"]
            rows.append(
                [
                    model["id"],
                    count,
                    _secs(batch["eager_s"]),
                    _secs(batch["compiled_s"]),
                    _num(batch["speedup"], 2, "x"),
                    _secs(batch["warmup_s"]),
                    "never" if images is None else f"{images} images",
                    _num(batch["max_diff_levels"], 2),
                ]
            )
    return rows if len(rows) > 1 else [["no GAN or VAE models measured"]]


def _pixelcnn(report: dict[str, Any]) -> list[list[str]]:
    rows = [["MODEL", "JOB", "NAIVE", "CACHED", "SPEED-UP", "IDENTICAL"]]
    for entry in _list(report, "pixelcnn"):
        if "error" in entry:
            rows.append([entry.get("id", "?"), f"error: {entry['error']}"])
            continue
        job = entry["job"]
        what = f"{entry['size']}x{entry['size']}, {job['sampled_rows']} rows ({job['sampled_pixels']} px)"
        rows.append(
            [
                entry["id"],
                what + (" [quick: reduced]" if entry["reduced"] else ""),
                _secs(entry["naive_s"]),
                _secs(entry["cached_s"]),
                _num(entry["speedup"], 1, "x"),
                str(entry["identical"]).lower(),
            ]
        )
    return rows if len(rows) > 1 else [["no PixelCNN model installed"]]


def _startup(report: dict[str, Any]) -> list[list[str]]:
    startup = report.get("startup") or {}
    if "error" in startup:
        return [[f"error: {startup['error']}"]]
    rows = [[f"{startup.get('command', '')}, median of {startup.get('launches', 0)} launch(es)", ""]]
    rows += [["window painted", _secs(startup.get("painted_s"))]]
    if startup.get("painted_vs_bare_qt"):
        bare = f"{_secs(startup.get('bare_qt_window_painted_s'))} ({startup['painted_vs_bare_qt']:.2f}x)"
        rows += [["empty Qt window painted (the floor; app / floor)", bare]]
    rows += [["models listed (engine up)", _secs(startup.get("models_listed_s"))]]
    rows += [[f"first image ({startup.get('first_result_job', '')})", _secs(startup.get("first_result_s"))]]
    rows += [[f"launch error: {run['error']}"] for run in startup.get("runs", []) if run.get("error")]
    return rows


def _stalls(report: dict[str, Any]) -> list[list[str]]:
    stalls = report.get("stalls") or {}
    if "error" in stalls or "skipped" in stalls:
        return [[stalls.get("error") or stalls["skipped"]]]
    head = f"{stalls['model']} / sample {stalls['params']}"
    head += f", {stalls['timer_ms']} ms timer over {stalls['window_s']:.1f} s"
    return [
        [head, ""],
        ["jobs started / finished", f"{stalls['jobs_started']} / {stalls['jobs_finished']}"],
        ["timer ticks, mean gap", f"{stalls['ticks']}, {_num(stalls['mean_gap_ms'], 2)} ms"],
        ["stall p99", f"{_num(stalls['p99_stall_ms'], 2)} ms"],
        ["stall max", f"{_num(stalls['max_stall_ms'], 2)} ms"],
    ]


def _memory(report: dict[str, Any]) -> list[list[str]]:
    rows = [["JOB", "MODEL", "INPUT", "PEAK RSS", "RSS BEFORE JOB", "JOB ADDED", "RUN"]]
    for case in _list(report, "memory"):
        image = (
            f"{case['size']}x{case['size']}, {case['hole']}x{case['hole']} hole" if "size" in case else "-"
        )
        if "error" in case:
            rows.append([case["kind"], case["model"], image, f"error: {case['error']}"])
            continue
        rows.append(
            [
                case["kind"] + ("" if case["kind"] == "inpaint" else f" x{case['params'].get('count', '')}"),
                case["model"],
                image,
                _num(case["peak_mb"], 0, " MiB") + ("" if case.get("peak_is_job_only") else " (process)"),
                _num(case["rss_before_job_mb"], 0, " MiB"),
                _num(case["job_mb"], 0, " MiB"),
                _secs(case["run_s"]),
            ]
        )
    return rows


def _targets(report: dict[str, Any]) -> list[list[str]]:
    rows = [["STATUS", "TARGET", "MODEL", "VALUE", "LIMIT"]]
    for t in report.get("targets") or []:
        value = t["value"]
        rows.append(
            [t["status"], t["target"], t["model"] or "", "-" if value is None else f"{value:.3g}", t["limit"]]
        )
    return rows


_SECTIONS: list[tuple[str, Callable[[dict[str, Any]], list[list[str]]]]] = [
    ("Machine rate", _machine),
    ("Models: 'sample' task through model.run (median after a warm-up)", _models),
    (
        "GAN/VAE networks: the app's draw (folded GAN, checked precision) vs the trained module in two "
        "layouts and under bfloat16 autocast (same latents)",
        _precisions,
    ),
    (
        "GAN/VAE networks: the trained module eager vs torch.compile, and images until its warm-up "
        "pays off (the app draws with the folded GAN, faster than either at batch 1)",
        _compiled,
    ),
    ("PixelCNN: naive vs cached sampler, same job", _pixelcnn),
    ("App start-up (from launch)", _startup),
    ("UI event-loop stalls while jobs run", _stalls),
    ("Peak memory (max RSS in a fresh process per job, counted from after its start-up)", _memory),
    ("Targets", _targets),
]


def _indent(rows: list[list[str]]) -> list[str]:
    """Rows as left-aligned columns (a one-cell row is free text and does not widen the columns)."""
    table = [row for row in rows if len(row) > 1]
    widths = [
        max(len(row[i]) for row in table if i < len(row)) for i in range(max(map(len, table), default=0))
    ]
    out = []
    for row in rows:
        cells = row if len(row) == 1 else [cell.ljust(widths[i]) for i, cell in enumerate(row)]
        out.append(("  " + "  ".join(cells)).rstrip())
    return out


def _secs(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 1e-3:
        return f"{value * 1e6:.1f} µs"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def _ratio(value: float, base: float | None) -> str:
    return "-" if not base else f"{value / base:.1f}x"


def _num(value: float | None, digits: int, unit: str = "") -> str:
    return "-" if value is None else f"{value:.{digits}f}{unit}"
