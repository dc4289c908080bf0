"""The soak benchmark, quick variant: 40 jobs with random cancels and model switches leave no threads
behind and do not grow memory (the full run is `genimg bench soak`)."""

from __future__ import annotations

import json

from genimg_desktop import cli
from genimg_desktop.jobs.soak import format_report, run_soak


def test_quick_soak(qtbot, photo_rgb):
    report = run_soak(40, photo_rgb, seed=1, cancel_rate=0.3)
    assert report.healthy, format_report(report)
    assert report.finished + report.cancelled + report.failed == 40
    assert report.finished > 0 and report.cancelled > 0 and report.model_switches > 0
    assert report.leftover_threads == []
    assert report.rss_growth_mb < 32, format_report(report)  # noise is a few MiB; a leak of results is more
    assert all("paint a mask first" in message for message in report.failures)  # only the planted ones
    assert sum(report.failures.values()) == report.failed


def test_cli_bench_soak_json(qtbot, capsys):
    assert cli.main(["bench", "soak", "--jobs", "5", "--json", "--cancel-rate", "0"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["healthy"] and report["finished"] + report["failed"] == 5 and report["lost"] == 0


def test_cli_bench_soak_usage(capsys):
    assert cli.main(["bench", "soak", "--jobs", "0"]) == 2
    assert "--jobs must be at least 1" in capsys.readouterr().err
    assert cli.main(["bench", "--models"]) == 2  # plain `genimg bench` runs the full bench (test_bench.py)
