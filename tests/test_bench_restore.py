"""`genimg bench restore --quick`: every installed upscaler and restorer scored against its baseline,
through the CLI, with the shipped restore-photo and a tiny x2 upscaler installed as a user model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genimg_desktop.bench.restore import H_FACTORS, SIGMAS
from genimg_desktop.bench.restore_report import format_restore_report
from genimg_desktop.cli import main
from genimg_desktop.core import paths
from tests.support import tiny_restore


def test_quick_bench_scores_each_model_against_its_baseline(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tiny_restore.register(monkeypatch)
    config = {"architecture": tiny_restore.SR_ARCH, "scale": 2}
    tiny_restore.install(paths.user_models_dir(), "tiny-up-x2", "upscale", config)
    out = tmp_path / "bench.json"
    code = main(["bench", "restore", "--quick", "--models", "tiny-up-x2", "restore-photo", "--out", str(out)])
    assert code == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert {p["source"] for p in result["photos"]} == {"scikit-image"}
    for factor in ("x2", "x4"):  # x4 chains the x2 network twice, as the app does
        row = result["upscale"][factor]
        assert set(row) == {"bicubic", "tiny-up-x2"}
        assert 15 < row["bicubic"]["psnr"] < 45 and row["bicubic"]["gain_db"] == 0
        tiny = row["tiny-up-x2"]
        assert tiny["gain_db"] == pytest.approx(tiny["psnr"] - row["bicubic"]["psnr"])
    for sigma in SIGMAS:
        row = result["denoise"][f"sigma{sigma}"]
        assert row["nlmeans"]["psnr"] > row["input"]["psnr"]  # NL-means at its best h removes noise
        assert result["nlmeans_h"][f"sigma{sigma}"] in [f * sigma for f in H_FACTORS]
        assert row["restore-photo"]["psnr"] > row["input"]["psnr"] + 2  # the trained restorer does too
    jpeg = result["denoise"]["jpeg20"]
    assert jpeg["input"]["gain_db"] == 0 and jpeg["restore-photo"]["gain_db"] > 0
    assert set(result["speed"]) == {"bicubic x2", "nlmeans sigma25", "tiny-up-x2", "restore-photo"}
    assert all(row["s_per_mp"] > 0 for row in result["speed"].values())
    (memory,) = result["memory"]  # restorers only, in a fresh process
    assert memory["model"] == "restore-photo" and "error" not in memory and memory["peak_mb"] > 0
    assert set(result["targets"]) == {"tiny-up-x2", "restore-photo"}
    assert set(result["targets"]["restore-photo"]) == {"sigma25", "jpeg20"}
    table = capsys.readouterr().out
    assert table == format_restore_report(result) + "\n"
    assert "restore-photo" in table and "tiny-up-x2" in table and "NL-means h per sigma" in table


def test_an_unknown_model_is_refused_with_the_installed_ones_named(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["bench", "restore", "--quick", "--models", "no-such-model"]) != 0
    assert "no upscale/restore model no-such-model (there are: " in capsys.readouterr().err
