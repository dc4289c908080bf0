"""The readable table of `genimg bench inpaint` (the JSON holds the same numbers and more)."""

from __future__ import annotations

from typing import Any


def format_inpaint_report(result: dict[str, Any]) -> str:
    images = result["images"]
    sources = ", ".join(
        f"{sum(1 for i in images if i['source'] == s)} {s}" for s in sorted({i["source"] for i in images})
    )
    lines = [f"Held-out images: {sources} ({images[0]['size'][0]} px); scores inside the hole", ""]
    lines += _table(result["table"])
    lines += [
        "(* best PSNR in its mask class)",
        "",
        f"{'scale':<26} {'512 medium s':>12} {'4096 hole s':>12} {'ratio':>6}",
    ]
    for name, s in result["scale"].items():
        lines.append(f"{name:<26} {s['s_512_medium']:>12.3f} {s['s_4096_hole128']:>12.3f} {s['ratio']:>6.2f}")
    lines += _speed(result.get("speed") or {})
    lines += _coarse_to_fine(result.get("coarse_to_fine") or {})
    lines += _photos(result.get("photos") or {})
    for name, t in result["targets"].items():
        beats = ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in t["beats_best_classical"].items())
        lines += [
            "",
            f"targets for {name}:",
            f"  beats the best classical method on PSNR and L1: {beats}",
            f"  512x512 medium mask under 0.5 s: {_met(t['under_0_5_s_at_512'])}",
            f"  4096x4096 128x128 hole within 2x the 512 time: {_met(t['ratio_at_most_2'])}",
        ]
    return "\n".join(lines)


def _table(table: dict[str, Any]) -> list[str]:
    """One line per mask kind and method; texture 1.0 = as detailed as the original."""
    lines = [
        f"{'mask':<10} {'method':<26} {'L1':>7} {'PSNR dB':>8} {'SSIM':>6} {'texture':>7} {'s/image':>8}"
    ]
    for kind, row in table.items():
        best = max(row.values(), key=lambda r: r["psnr"])
        for name, r in row.items():
            mark = " *" if r is best else ""
            scores = f"{r['l1']:>7.4f} {r['psnr']:>8.2f} {r['ssim']:>6.3f} {r['texture']:>7.2f}"
            scores += f" {r['seconds']:>8.3f}"
            lines.append(f"{kind:<10} {name:<26} {scores}{mark}")
    return lines


def _photos(found: dict[str, Any]) -> list[str]:
    """The photo section: strokes and object-sized holes at `size` px, and issue 25's bar."""
    if not found.get("table"):
        return []
    sources = sorted({p["source"] for p in found["photos"]})
    counts = ", ".join(f"{sum(1 for p in found['photos'] if p['source'] == s)} {s}" for s in sources)
    lines = ["", f"Photos ({counts}) at {found['size']} px: strokes and object-sized holes", ""]
    lines += _table(found["table"])
    for name, bar in found["bar"].items():
        near = ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in bar["psnr_near_best_classical"].items())
        kept = ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in bar["keeps_detail"].items())
        lines += [f"{name}: PSNR within 0.5 dB of the best other classical: {near}"]
        lines += [f"  texture >= 0.6: {kept}"]
    return lines


def _speed(found: dict[str, Any]) -> list[str]:
    """Wall (CPU) seconds: eight holes vs one of their area on 1920x1200, a 512 object hole, 24 MP."""
    if not found:
        return []
    lines = ["", f"{'speed: wall s (CPU s)':<26} {'8 holes/1':>14} {'512 object':>15} {'24 MP 200 px':>15}"]
    for name, s in found.items():
        ratio = f"{s['eight_over_one']:.2f} ({s['eight_over_one_cpu']:.2f})"
        obj = f"{s['object_512_s']:.2f} ({s['object_512_cpu_s']:.2f})"
        big = f"{s['hole200_24mp_s']:.2f} ({s['hole200_24mp_cpu_s']:.2f})"
        lines.append(f"{name:<26} {ratio:>14} {obj:>15} {big:>15}")
    return lines


def _coarse_to_fine(found: dict[str, Any]) -> list[str]:
    """The learned methods filled downscaled (max_side), with and without the full-size refinement."""
    lines = []
    for name, kinds in (found.get("methods") or {}).items():
        lines += ["", f"{name} at max_side {found['max_side']} (native scores above):"]
        for kind, variants in kinds.items():
            for variant, r in variants.items():
                scores = f"{r['l1']:>7.4f} {r['psnr']:>8.2f} {r['ssim']:>6.3f}"
                lines.append(f"  {kind:<7} {variant:<24} {scores}")
    return lines


def _met(flag: bool) -> str:
    return "met" if flag else "NOT met"
