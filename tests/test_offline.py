"""The app works with no network at all, and nothing in it even tries to connect.

Each check runs in a subprocess whose sockets are blocked from its first line (tests/support/
sitecustomize.py installs tests/support/nonet.py); every attempt is logged, even one the code catches.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from genimg_desktop.core.imageio import save_image

REPO = Path(__file__).resolve().parents[1]
SUPPORT = REPO / "tests" / "support"


def offline(args: list[str], home: Path, log: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "GENIMG_HOME": str(home),
        "GENIMG_NONET_LOG": str(log),
        "PYTHONPATH": os.pathsep.join([str(SUPPORT), str(REPO)]),
        "QT_QPA_PLATFORM": "offscreen",
    }
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO
    )


def attempts(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def test_the_guard_blocks_and_logs_even_swallowed_attempts(tmp_path, isolated_home):
    code = """
import socket
for call in (lambda: socket.create_connection(("example.org", 80)),
             lambda: socket.getaddrinfo("example.org", 443),
             lambda: socket.socket().connect(("127.0.0.1", 9)),
             lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("10.0.0.1", 53))):
    try:
        call()
    except OSError:
        pass  # swallowed, as careless code would: the log still has it
a, b = socket.socketpair()  # local IPC is not the network
a.sendall(b"ok"); print(b.recv(2).decode())
"""
    log = tmp_path / "net.log"
    done = offline(["-c", code], isolated_home, log)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    lines = attempts(log)
    assert len(lines) == 4
    assert lines[0].startswith("socket.create_connection ('example.org', 80)")
    assert lines[3].startswith("socket.sendto ('10.0.0.1', 53)")


def test_listing_inpainting_and_the_engine_service_work_offline(tmp_path, isolated_home, photo_rgb):
    mask = np.zeros(photo_rgb.shape[:2], np.uint8)
    mask[300:340, 200:260] = 255
    save_image(tmp_path / "photo.png", photo_rgb)
    save_image(tmp_path / "mask.png", mask)
    log = tmp_path / "net.log"
    script = str(SUPPORT / "offline_session.py")
    done = offline(
        [script, str(tmp_path / "photo.png"), str(tmp_path / "mask.png"), str(tmp_path)], isolated_home, log
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["jobs"]["opencv-telea/inpaint"] == "ok" and summary["jobs"]["opencv-ns/inpaint"] == "ok"
    assert set(summary["jobs"].values()) == {"ok"}, summary["jobs"]
    cards = [json.loads(p.read_text()) for p in (Path(__file__).parents[1] / "models").glob("*.json")]
    offered = {card["id"] for card in cards if card.get("role", "generation") == "generation"}
    ran = {job.split("/")[0] for job in summary["jobs"]}
    assert ran == offered  # one job per built-in model the app offers (not classifiers, not components)
    assert (tmp_path / "out.png").is_file()
    assert attempts(log) == []


def test_the_window_starts_offline(tmp_path, isolated_home):
    if not (REPO / "genimg_desktop" / "app.py").exists():
        pytest.skip("genimg_desktop/app.py is not there yet")
    log = tmp_path / "net.log"
    usage = offline(["-m", "genimg_desktop", "gui", "--help"], isolated_home, log, timeout=60)
    if "--quit-after" not in usage.stdout:
        pytest.skip("the app has no --quit-after option")
    done = offline(["-m", "genimg_desktop", "gui", "--quit-after", "1500"], isolated_home, log)
    assert done.returncode == 0, done.stderr[-2000:]
    assert attempts(log) == []
