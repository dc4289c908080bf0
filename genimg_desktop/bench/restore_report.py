"""The table `genimg bench restore` prints (the JSON has every number; this is for reading)."""

from __future__ import annotations

from typing import Any

BASELINES = ("bicubic", "input", "nlmeans")


def format_restore_report(result: dict[str, Any]) -> str:
    photos = result["photos"]
    sources = ", ".join(sorted({p["source"] for p in photos}))
    lines = [
        f"genimg bench restore: {len(photos)} held-out photos ({sources}), {result['device']}, "
        f"{result['torch_threads']} torch threads, load {result['load_average_1min']}",
        "",
        *_upscale(result),
        "",
        *_denoise(result),
        "",
        *_memory(result["memory"]),
        "",
        *_targets(result["targets"]),
    ]
    return "\n".join(lines)


def _cell(row: dict[str, Any] | None, gain: bool) -> str:
    if row is None:
        return f"{'-':>16}"
    text = f"{row['psnr']:.2f}" + (f" ({row['gain_db']:+.2f})" if gain else "")
    return f"{text:>16}"


def _speed(result: dict[str, Any], name: str) -> str:
    row = result["speed"].get(name)
    return f"{row['s_per_mp']:8.2f}" if row else f"{'-':>8}"


def _upscale(result: dict[str, Any]) -> list[str]:
    tables = result["upscale"]
    methods = list(tables["x2"])
    lines = [
        "Upscale: PSNR-Y dB (gain over PIL bicubic), seconds per input megapixel at native scale",
        f"{'method':<32}{'x2':>16}{'x4':>16}{'s/MP':>8}",
    ]
    for method in methods:
        gain = method != "bicubic"
        speed = _speed(result, "bicubic x2" if method == "bicubic" else method)
        cells = "".join(_cell(tables[key].get(method), gain) for key in ("x2", "x4"))
        lines.append(f"{method:<32}{cells}{speed}")
    return lines


def _denoise(result: dict[str, Any]) -> list[str]:
    tables = result["denoise"]
    keys = list(tables)
    header = "".join(f"{key:>16}" for key in keys)
    lines = [
        "Restore: RGB PSNR dB (noise: gain over NL-means at its best h; JPEG: gain over the input)",
        f"{'method':<32}{header}{'s/MP':>8}",
    ]
    h = ", ".join(f"{key}: h={value:g}" for key, value in result["nlmeans_h"].items())
    methods = ["input", "nlmeans", *[m for m in tables[keys[0]] if m not in BASELINES]]
    for method in methods:
        cells = "".join(_cell(tables[k].get(method), method not in BASELINES) for k in keys)
        speed = _speed(result, "nlmeans sigma25" if method == "nlmeans" else method)
        lines.append(f"{method:<32}{cells}{speed if method != 'input' else ''}")
    lines.append(f"NL-means h per sigma ({h})")
    return lines


def _memory(cases: list[dict[str, Any]]) -> list[str]:
    lines = ["Peak memory, restoring a whole picture in a fresh process (default tile size):"]
    for case in cases:
        size = f"{case['width']}x{case['height']}"
        if "error" in case:
            lines.append(f"  {case['model']} {size}: failed ({case['error']})")
            continue
        lines.append(
            f"  {case['model']} {size}: peak {case['peak_mb']:.0f} MiB, of which the job "
            f"{case['job_mb']:.0f} MiB over the loaded model and picture; {case['run_s']:.1f} s"
        )
    return lines if cases else [lines[0], "  (no restore model installed)"]


def _targets(targets: dict[str, Any]) -> list[str]:
    lines = [
        "Issue 26 targets (over bicubic: x2 +2 dB, x4 +1.2 dB; over NL-means at sigma 25: +2 dB; "
        "over the JPEG q20 input: +0.8 dB):"
    ]
    for model, rows in targets.items():
        parts = [
            f"{key} {row['gain_db']:+.2f} {'met' if row['met'] else 'NOT met'}" for key, row in rows.items()
        ]
        lines.append(f"  {model}: " + "; ".join(parts))
    return lines
