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


# The floor the app's "painted" is compared with: Python + Qt start-up and one empty main window of
# the same size, painted, on the same machine in the same run (launches alternate with the app's).
BARE_WINDOW = """
import json, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1280, 800)
class Probe(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            print(json.dumps({"probe": "painted", "t": time.monotonic()}), flush=True)
            QTimer.singleShot(0, app.quit)
        return False
probe = Probe()
window.installEventFilter(probe)
window.show()
app.exec()
"""


def measure_startup(quick: bool) -> dict[str, Any]:
    """Median over 1 (quick) or 3 launches of the seconds to each milestone, and of a bare Qt window."""
    runs, bare = [], []
    for _ in range(1 if quick else 3):
        runs.append(launch_once())
        bare.append(bare_window_once())
    summary: dict[str, Any] = {
        "command": "genimg gui --demo",
        "first_result_job": "opencv-telea inpaint of the demo photo",
        "launches": len(runs),
        "runs": runs,
    }
    for name in MILESTONES:
        times = [run[f"{name}_s"] for run in runs if run.get(f"{name}_s") is not None]
        summary[f"{name}_s"] = statistics.median(times) if times else None
    bare_times = [t for t in bare if t is not None]
    summary["bare_qt_window_painted_s"] = statistics.median(bare_times) if bare_times else None
    if summary["painted_s"] and summary["bare_qt_window_painted_s"]:
        summary["painted_vs_bare_qt"] = summary["painted_s"] / summary["bare_qt_window_painted_s"]
    return summary


def bare_window_once() -> float | None:
    """Seconds from launch to the first paint of an empty PySide6 window (None if it failed)."""
    with tempfile.TemporaryDirectory(prefix="genimg-bench-bare-") as home:
        start = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-c", BARE_WINDOW],
            env=app_env(home),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
    seen = parse_probe(proc.stdout)
    return seen["painted"] - start if "painted" in seen else None


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
