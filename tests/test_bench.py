"""`genimg bench` (issue 6): the quick bench end to end on tiny models (what CI runs), FLOP counting on
known work, the stall statistics, the target verdicts and the app's start-up probe. No timed
assertions: times only have to be positive."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch

from genimg_desktop import cli
from genimg_desktop.bench import report, startup
from genimg_desktop.bench.flops import FlopCount, count_flops
from genimg_desktop.bench.stalls import stall_stats
from genimg_desktop.core import paths
from genimg_desktop.engine.packed_conv import PackedConv2d, PackedConvTranspose2d
from tests.support.tiny_models import install_untrained

SECTIONS = ("machine", "models", "pixelcnn", "startup", "stalls", "memory", "targets")


@pytest.fixture
def tiny_models() -> list[str]:
    folder = paths.user_models_dir()
    install_untrained("gan", folder, "tiny-gan")
    install_untrained("pixelcnn", folder, "tiny-pixelcnn")
    return ["tiny-gan", "tiny-pixelcnn"]


@pytest.mark.slow
def test_quick_bench_json_has_every_section(qapp, tiny_models, tmp_path, capsys) -> None:
    out, threads, home = tmp_path / "bench.json", torch.get_num_threads(), os.environ["GENIMG_HOME"]
    omp = os.environ.get("OMP_NUM_THREADS")
    argv = ["bench", "--quick", "--json", "--threads", "1", "--models", *tiny_models, "--out", str(out)]
    code = cli.main(argv)
    result = json.loads(capsys.readouterr().out)
    assert code == 0, result["errors"]
    # The bench puts back what it changed for its measurements.
    assert torch.get_num_threads() == threads and os.environ["GENIMG_HOME"] == home
    assert os.environ.get("OMP_NUM_THREADS") == omp
    assert result["torch_threads"] == 1 and result["machine"]["torch_threads"] == 1
    assert json.loads(out.read_text(encoding="utf-8")) == result
    assert result["quick"] and not result["errors"] and set(SECTIONS) <= set(result)
    _check_machine(result["machine"])
    _check_models(result["models"], tiny_models)
    _check_pixelcnn(result["pixelcnn"])
    _check_startup(result["startup"])
    _check_stalls(result["stalls"])
    _check_memory(result["memory"])
    assert {t["status"] for t in result["targets"]} <= {report.MET, report.NOT_MET}  # all measured
    names = {t["target"] for t in result["targets"]}
    assert {"window painted after launch", "UI stall p99 during a job", "PixelCNN sample vs naive"} <= names
    assert "GAN batch-1 latency / FLOP floor" in names


def _check_machine(machine: dict) -> None:
    assert machine["torch_threads"] >= 1
    for key in ("matmul", "conv2d"):
        assert machine[key]["gflops"] > 0 and machine[key]["median_s"] > 0 and machine[key]["flops"] > 0
    assert machine["matmul"]["flops"] == 2 * 1024**3
    conv = machine["conv2d"]  # both layouts measured, the faster one is the rate
    assert set(conv["gflops_by_layout"]) == {"default", "channels_last"}
    assert conv["gflops"] == max(conv["gflops_by_layout"].values())


def _check_models(models: list, ids: list[str]) -> None:
    assert [m["id"] for m in models] == ids
    for model in models:
        assert set(model["batches"]) == {"1", "16"}
        assert model["precision_used"] == "float32" and model["half_check_levels"] is None  # CPU: none tried
        for batch in model["batches"].values():
            assert batch["median_s"] > 0 and batch["runs"] >= 1 and batch["images"] == batch["count"]
            assert batch["flops"] > 0 and batch["flops_source"] == "model.run"
            assert batch["floor_s"] > 0 and batch["latency_over_floor"] > 0
        assert model["batches"]["16"]["flops"] > model["batches"]["1"]["flops"]
    gan = next(m for m in models if m["family"] == "gan")
    for batch in gan["batches"].values():  # each layer's kernel timed alone on its real input
        assert batch["kernel_floor_s"] > 0 and {"ConvTranspose2d", "Linear"} <= set(batch["kernels_by_type"])
    assert "kernel_floor_s" not in next(m for m in models if m["family"] == "pixelcnn")["batches"]["1"]
    variants = gan["precision"]["variants"]
    assert len(variants) == 4 and all(v["median_s"] > 0 for v in variants.values())
    # the module in either layout computes the app's (folded) images; bfloat16 rounds, by a few levels
    assert variants["app (float32, channels-last)"]["max_diff_levels"] == 0
    assert variants["module, float32, channels-last"]["max_diff_levels"] < 0.01
    assert variants["module, float32, default layout"]["max_diff_levels"] < 0.01
    assert 0 < variants["module, bfloat16 autocast"]["max_diff_levels"] < 32
    assert "precision" not in next(m for m in models if m["family"] == "pixelcnn")
    assert "full mode only" in gan["compiled"]["skipped"]  # tests/test_bench_compiled.py runs it


def _check_pixelcnn(entries: list) -> None:
    (entry,) = entries
    assert entry["identical"] is True and entry["reduced"] and entry["note"]
    assert entry["naive_s"] > 0 and entry["cached_s"] > 0 and entry["speedup"] > 0
    assert entry["job"]["sampled_pixels"] == entry["job"]["sampled_rows"] * entry["size"]


def _check_startup(section: dict) -> None:
    assert section["launches"] == 1 and not section["runs"][0].get("error")
    assert 0 < section["painted_s"] <= section["first_result_s"]
    assert 0 < section["models_listed_s"] <= section["first_result_s"]
    # the floor: an empty Qt window paints, and sooner than the app's full window
    assert section["bare_qt_window_painted_s"] > 0 and section["painted_vs_bare_qt"] > 0


def _check_stalls(section: dict) -> None:
    assert section["model"] == "tiny-pixelcnn" and section["jobs_started"] >= 1
    assert section["ticks"] > 2 and section["window_s"] > 0
    assert 0 <= section["p99_stall_ms"] <= section["max_stall_ms"]


def _check_memory(cases: list) -> None:
    kinds = [(c["kind"], c["model"]) for c in cases]
    assert kinds == [("generate", "tiny-gan"), ("inpaint", "opencv-telea"), ("inpaint", "tiny-gan")]
    for case in cases:
        assert "error" not in case, case
        assert case["peak_mb"] > 0 and case["rss_before_job_mb"] > 0 and case["job_mb"] >= 0
        assert case["startup_peak_mb"] > 0 and isinstance(case["peak_is_job_only"], bool)
        assert case["images"] >= 1 and case["run_s"] > 0
    assert cases[1]["size"] == 2048 and cases[1]["hole"] == 512


def test_table_is_readable_for_a_bench_result() -> None:
    fake = {
        "quick": True,
        "startup": {"painted_s": 0.4, "launches": 1, "runs": []},
        "stalls": {"skipped": "no model with a 'sample' task"},
        "section_s": {"machine rate": 1.0},
    }
    fake["targets"] = report.targets(fake)
    text = report.format_report(fake)
    assert "Targets" in text and "window painted" in text and "no generation models" in text
    assert "no model with a 'sample' task" in text


def test_flop_counting_on_known_matmul_and_conv() -> None:
    a, b = torch.randn(32, 48), torch.randn(48, 16)
    x, w = torch.randn(2, 3, 10, 12), torch.randn(5, 3, 3, 3)
    with torch.inference_mode():
        _, mm = count_flops(lambda: a @ b)
        out, conv = count_flops(lambda: torch.nn.functional.conv2d(x, w, padding=1))
    assert (mm.conv, mm.other) == (0, 2 * 32 * 48 * 16)
    assert out.shape == (2, 5, 10, 12)
    assert (conv.conv, conv.other) == (2 * 2 * 5 * 3 * 3 * 3 * 10 * 12, 0)
    # Floor: convolutions at the conv rate, the rest at the matmul rate (GFLOP/s).
    mixed = FlopCount(conv=4_000_000_000, other=1_000_000_000, by_op={})
    assert mixed.floor_s({"conv": 2.0, "matmul": 10.0}) == pytest.approx(2.0 + 0.1)
    assert mixed.floor_s({"conv": 0.0, "matmul": 10.0}) is None


def test_the_apps_prepacked_convolutions_count_as_torchs() -> None:
    # The GAN and VAE draw through oneDNN operators the counter does not know by itself: counted as
    # no work, their floors would shrink to the linear layers' (seen once: a "floor" of 15 us).
    x, w, wt = torch.randn(2, 3, 10, 12), torch.randn(5, 3, 3, 3), torch.randn(3, 4, 4, 4)
    packed, packed_t = (
        PackedConv2d(w, None, (1, 3, 10, 12), padding=1),
        PackedConvTranspose2d(wt, None, (1, 3, 10, 12), stride=2, padding=1),
    )
    functional = torch.nn.functional
    with torch.inference_mode():
        for ours, torchs in (
            (lambda: packed(x), lambda: functional.conv2d(x, w, padding=1)),
            (lambda: packed_t(x), lambda: functional.conv_transpose2d(x, wt, stride=2, padding=1)),
        ):
            assert count_flops(ours)[1].conv == count_flops(torchs)[1].conv > 0


def test_stall_stats_measures_gaps_beyond_the_period() -> None:
    ticks = [i * 0.005 for i in range(200)]  # exactly on time
    ticks.append(ticks[-1] + 0.045)  # one 45 ms gap: a 40 ms stall
    stats = stall_stats(ticks, period_ms=5)
    assert stats["max_stall_ms"] == pytest.approx(40.0)
    assert stats["p99_stall_ms"] < 1.0 and stats["ticks"] == 201
    assert stall_stats([1.0])["p99_stall_ms"] is None


def test_targets_verdicts() -> None:
    result = {
        "models": [
            {"id": "g", "family": "gan", "batches": {"1": {"median_s": 0.01, "latency_over_floor": 2.5}}},
            {"id": "p", "family": "pixelcnn", "resolution": 28, "batches": {"1": {"median_s": 0.5}}},
            {"id": "c", "family": "pixelcnn", "resolution": 32, "batches": {"1": {"median_s": 0.5}}},
        ],
        "pixelcnn": [{"id": "p", "speedup": 20.0}, {"id": "c", "speedup": 10.0}],
        "startup": {"painted_s": 0.7},
        "stalls": {},
    }
    verdicts = {(t["target"], t["model"]): t["status"] for t in report.targets(result)}
    assert verdicts == {
        ("PixelCNN sample vs naive", "p"): report.MET,
        ("PixelCNN 28x28 sample (batch 1)", "p"): report.NOT_MET,
        ("PixelCNN sample vs naive", "c"): report.NOT_MET,  # 32x32: its time is reported, not judged
        ("window painted after launch", None): report.NOT_MET,
        ("UI stall p99 during a job", None): report.NOT_MEASURED,
        ("GAN batch-1 latency / FLOP floor", "g"): report.MET,
    }


def test_startup_probe_is_inert_without_its_variable(qtbot, monkeypatch) -> None:
    from genimg_desktop.ui import startup_probe
    from genimg_desktop.ui.main_window import MainWindow

    monkeypatch.delenv(startup_probe.ENV, raising=False)
    window = MainWindow()
    qtbot.addWidget(window)
    assert startup_probe.install(window) is None


@pytest.mark.slow
def test_startup_probe_reports_milestones_and_closes_the_app(tmp_path) -> None:
    """The real app with GENIMG_STARTUP_PROBE: paint, engine, first result in order, then it quits."""
    env = startup.app_env(str(tmp_path))
    command = [sys.executable, "-m", "genimg_desktop", "gui", "--demo"]
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=startup.TIMEOUT_S)
    assert proc.returncode == 0, proc.stderr
    seen = startup.parse_probe(proc.stdout)
    assert list(seen) == ["painted", "models_listed", "first_result"]
    assert seen["painted"] <= seen["models_listed"] <= seen["first_result"]
    assert not (tmp_path / "data" / "autosave").exists() or not os.listdir(tmp_path / "data" / "autosave")


def test_busy_machine_is_noted() -> None:
    from genimg_desktop.bench.suite import busy_machine_notes

    idle = {"load_average_1min": 0.1, "cpu_count": 2, "torch_threads": 2}
    assert busy_machine_notes(idle) == []
    assert busy_machine_notes({**idle, "load_average_1min": None}) == []
    (note,) = busy_machine_notes({**idle, "load_average_1min": 2.0})
    assert "busy machine" in note and "--threads 1" in note
