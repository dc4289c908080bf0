"""App start-up: launch the real app (`genimg gui --demo`) in a subprocess and time, from just before
the launch, its first painted window and its first generated image (the demo's OpenCV Telea inpaint).

The app reports those moments through ui/startup_probe.py (GENIMG_STARTUP_PROBE) and closes itself
after the first result. It runs with a scratch GENIMG_HOME and settings folder: a benchmark must not
touch the user's history, autosaves or window layout (the demo needs only the built-in models)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

PROBE_ENV = "GENIMG_STARTUP_PROBE"  # ui.startup_probe.ENV (not imported: that module needs Qt)
TIMEOUT_S = 180.0  # only stops a hang: on a busy CI machine torch alone can take many seconds
MILESTONES = ("painted", "models_listed", "first_result")


def measure_startup(quick: bool) -> dict[str, Any]:
    """Median over 1 (quick) or 3 launches of the seconds to each milestone."""
    runs = [launch_once() for _ in range(1 if quick else 3)]
    summary: dict[str, Any] = {
        "command": "genimg gui --demo",
        "first_result_job": "opencv-telea inpaint of the demo photo",
        "launches": len(runs),
        "runs": runs,
    }
    for name in MILESTONES:
        times = [run[f"{name}_s"] for run in runs if run.get(f"{name}_s") is not None]
        summary[f"{name}_s"] = statistics.median(times) if times else None
    return summary


def launch_once() -> dict[str, Any]:
    """One launch: seconds from just before Popen to each milestone the app printed."""
    with tempfile.TemporaryDirectory(prefix="genimg-bench-home-") as home:
        env = app_env(home)
        command = [sys.executable, "-m", "genimg_desktop", "gui", "--demo"]
        start = time.monotonic()
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    seen = parse_probe(proc.stdout)
    run: dict[str, Any] = {f"{name}_s": seen[name] - start if name in seen else None for name in MILESTONES}
    run["exit_code"] = proc.returncode
    if proc.returncode != 0 or "first_result" not in seen:
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        run["error"] = f"app exited {proc.returncode} after {sorted(seen)}: {' | '.join(tail)}"
    return run


def app_env(home: str) -> dict[str, str]:
    """The app's environment: headless without a display, scratch user folders, the probe on."""
    env = dict(os.environ)
    env[PROBE_ENV] = "1"
    env["GENIMG_HOME"] = home
    env["XDG_CONFIG_HOME"] = home  # QSettings (IniFormat) on Linux and other Unixes
    env["APPDATA"] = home  # ... and on Windows
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY") and sys.platform.startswith("linux"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def parse_probe(stdout: str) -> dict[str, float]:
    """{milestone: monotonic time} from the probe's JSON lines (other output is ignored)."""
    seen: dict[str, float] = {}
    for line in stdout.splitlines():
        if not line.startswith('{"probe"'):
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        seen.setdefault(str(record["probe"]), float(record["t"]))
    return seen
