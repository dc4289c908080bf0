"""Drive the app's offline paths in this process (run by tests/test_offline.py with nonet installed).

usage: offline_session.py PHOTO MASK OUTDIR
Runs `genimg models --json`, `genimg inpaint`, then starts the EngineService and runs the first task
of every built-in model once (loading each model and one job per family is what touches the network
paths, if any; every task of every model is `genimg self-test`'s job).
Prints a JSON summary on its last line; exit code 0 when all of it worked.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

from genimg_desktop import cli
from genimg_desktop.core.imageio import load_image
from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.jobs.worker import EngineService

TIMEOUT_MS = 60_000


def wait(signal, timeout_ms: int = TIMEOUT_MS) -> tuple:
    """Run the event loop until `signal` fires; its arguments (or TimeoutError)."""
    loop, got = QEventLoop(), []
    signal.connect(lambda *args: (got.append(args), loop.quit()))
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    if not got:
        raise TimeoutError(f"no {signal} within {timeout_ms} ms")
    return got[0]


def run_service(photo: np.ndarray, mask: np.ndarray) -> dict[str, str]:
    service = EngineService()
    outcomes: dict[str, str] = {}
    try:
        models_listed = service.models_listed
        service.start("cpu")
        (models,) = wait(models_listed)
        for descriptor in (m for m in models if m.builtin):
            # Upscalers and restorers work at any size: a corner is enough to touch their paths
            # (the whole photo x4 through each of them took minutes on a busy 2-core machine).
            small = descriptor.card.family in ("upscale", "restore")
            for task in descriptor.tasks[:1]:
                picture, hole = (photo[:64, :64], mask[:64, :64]) if small else (photo, mask)
                image, hole = (picture if task.needs_image else None), (hole if task.needs_mask else None)
                request = GenerationRequest(descriptor.id, task.name, {}, 0, image, hole)
                outcomes[f"{descriptor.id}/{task.name}"] = run_job(service, request)
    finally:
        service.shutdown()
    return outcomes


def run_job(service: EngineService, request: GenerationRequest) -> str:
    loop, outcome = QEventLoop(), []
    service.job_finished.connect(lambda *a: (outcome.append("ok"), loop.quit()))
    service.job_failed.connect(lambda job, message, tb: (outcome.append(f"failed: {message}"), loop.quit()))
    service.submit(request)
    QTimer.singleShot(TIMEOUT_MS, loop.quit)
    loop.exec()
    service.job_finished.disconnect()
    service.job_failed.disconnect()
    return outcome[0] if outcome else "timed out"


def main(photo_path: str, mask_path: str, out_dir: str) -> int:
    import nonet  # installed by sitecustomize; refuse to "pass" without it

    assert nonet.installed(), "the network guard is not installed"
    app = QCoreApplication.instance() or QCoreApplication([])  # noqa: F841 - lives until exit
    out = Path(out_dir)
    summary: dict[str, object] = {}
    summary["models"] = cli.main(["models", "--json"])
    inpaint = ["inpaint", "--model", "opencv-telea", "--image", photo_path, "--mask", mask_path]
    summary["inpaint"] = cli.main([*inpaint, "--out", str(out / "out.png"), "--device", "cpu"])
    photo = np.ascontiguousarray(load_image(photo_path).rgba[..., :3])
    mask = np.ascontiguousarray(load_image(mask_path).rgba[..., 0])
    summary["jobs"] = run_service(photo, mask)
    print(json.dumps(summary))
    jobs_ok = all(value == "ok" for value in summary["jobs"].values()) and summary["jobs"]
    return 0 if summary["models"] == 0 and summary["inpaint"] == 0 and jobs_ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
