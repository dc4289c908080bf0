"""Soak benchmark (`genimg bench soak`): hundreds of jobs through the real EngineService, with random
cancels (of waiting and of running jobs), model switches and model-list refreshes, over the classical
models on a photo. Reports memory growth after warm-up and threads left behind: both should be ~0.

QtCore only (jobs layer). Memory is the resident set size from /proc/self/statm (Linux); elsewhere the
peak from getrusage, which can only show growth, not shrinkage.
"""

from __future__ import annotations

import gc
import os
import random
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.jobs.worker import EngineService

BATCH = 20  # jobs queued at once; cancels land on waiting and on running ones
WAIT_MS = 120_000  # per batch: far above what classical inpainting needs, only stops a hang
REFRESH_RATE = 0.05  # chance per batch to rescan the models, which drops the loaded ones
BROKEN_RATE = 0.03  # share of requests with an empty mask: the failure path must not leak either


@dataclass
class SoakReport:
    jobs: int
    finished: int = 0
    failed: int = 0
    cancelled: int = 0
    lost: int = 0  # submitted jobs that never reported an outcome (must be 0)
    duplicated: int = 0  # jobs that reported two outcomes (must be 0)
    cancel_requests: int = 0
    model_switches: int = 0
    refreshes: int = 0
    rss_start_mb: float = 0.0
    rss_warm_mb: float = 0.0
    rss_end_mb: float = 0.0
    rss_growth_mb: float = 0.0  # end minus after warm-up
    rss_source: str = ""
    native_threads_warm: int = 0
    native_threads_end: int = 0
    leftover_threads: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    jobs_per_s: float = 0.0
    failures: dict[str, int] = field(default_factory=dict)  # message -> how many jobs failed so

    @property
    def healthy(self) -> bool:
        return not (self.lost or self.duplicated or self.leftover_threads)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"healthy": self.healthy}


def rss_mb() -> tuple[float, str]:
    """Current resident set size in MiB, and where it came from."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20, "statm"
    except (OSError, ValueError, IndexError, AttributeError):
        import resource  # Unix only; Windows has neither this nor /proc

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (2**20 if sys.platform == "darwin" else 2**10), "peak-rusage"


def native_threads() -> int:
    """OS threads of this process (Python's and native pools'); -1 where /proc is missing."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return -1


class _Tracker:
    """Counts the outcome signals per job; quits `loop` once every job of the batch has one."""

    def __init__(self, service: EngineService, report: SoakReport) -> None:
        self.report = report
        self.outcomes: dict[int, str] = {}
        self.waiting: set[int] = set()
        self.loop: QEventLoop | None = None
        service.job_finished.connect(lambda job, result: self._done(job, "finished"))
        service.job_failed.connect(self._failed)
        service.job_cancelled.connect(lambda job: self._done(job, "cancelled"))

    def _failed(self, job: int, message: str, details: str) -> None:
        self.report.failures[message] = self.report.failures.get(message, 0) + 1
        self._done(job, "failed")

    def _done(self, job: int, outcome: str) -> None:
        if job in self.outcomes:
            self.report.duplicated += 1
            return
        self.outcomes[job] = outcome
        self.waiting.discard(job)
        if not self.waiting and self.loop is not None:
            self.loop.quit()

    def wait(self, jobs: list[int]) -> None:
        self.waiting = {job for job in jobs if job not in self.outcomes}
        if not self.waiting:
            return
        self.loop = QEventLoop()
        QTimer.singleShot(WAIT_MS, self.loop.quit)
        self.loop.exec()
        self.loop = None


def random_request(rng: random.Random, models: list[str], photo: np.ndarray) -> GenerationRequest:
    """An inpaint of a random rectangle with a random radius on one of `models` (a few with no mask,
    which fail)."""
    height, width = photo.shape[:2]
    h, w = rng.randint(4, min(64, height)), rng.randint(4, min(64, width))
    y, x = rng.randrange(height - h + 1), rng.randrange(width - w + 1)
    mask = np.zeros((height, width), np.uint8)
    if rng.random() >= BROKEN_RATE:
        mask[y : y + h, x : x + w] = 255
    params = {"radius": rng.randint(1, 10)}
    return GenerationRequest(rng.choice(models), "inpaint", params, rng.randrange(2**31), photo, mask)


def _list_models(service: EngineService) -> list[str]:
    loop, found = QEventLoop(), []
    service.models_listed.connect(lambda models: (found.extend(models), loop.quit()))
    QTimer.singleShot(WAIT_MS, loop.quit)
    service.start("cpu")
    loop.exec()
    ids = [m.id for m in found if m.card.family == "classical" and any(t.name == "inpaint" for t in m.tasks)]
    if not ids:
        raise RuntimeError("no classical inpainting models found")
    return ids


def _run_batch(
    service: EngineService, tracker: _Tracker, rng: random.Random, models: list[str], photo: np.ndarray,
    count: int, cancel_rate: float,
) -> None:  # fmt: skip
    report, previous, ids = tracker.report, None, []
    if rng.random() < REFRESH_RATE:
        service.refresh_models()
        report.refreshes += 1
    for _ in range(count):
        request = random_request(rng, models, photo)
        report.model_switches += int(previous is not None and request.model_id != previous)
        previous = request.model_id
        ids.append(service.submit(request))
        if rng.random() < cancel_rate:  # later, so it may find the job waiting, running or done
            report.cancel_requests += 1
            QTimer.singleShot(rng.randint(0, 15), lambda job=ids[-1]: service.cancel(job))
    tracker.wait(ids)


def run_soak(
    jobs: int = 300, photo: np.ndarray | None = None, seed: int = 0, cancel_rate: float = 0.2
) -> SoakReport:
    """Run the soak in this process (a QCoreApplication is made if there is none)."""
    if photo is None:
        raise ValueError("the soak needs a photo: (H, W, 3) uint8")
    _app = QCoreApplication.instance() or QCoreApplication([])  # noqa: F841 - must outlive the run
    rng, report = random.Random(seed), SoakReport(jobs=jobs)
    before = set(threading.enumerate())
    report.rss_start_mb, report.rss_source = rss_mb()
    start = time.perf_counter()
    service = EngineService()
    tracker = _Tracker(service, report)
    try:
        models = _list_models(service)
        warm_after = min(max(jobs // 5, BATCH), jobs)  # first fifth: imports, caches, thread pools
        done = 0
        while done < jobs:
            count = min(BATCH, jobs - done)
            _run_batch(service, tracker, rng, models, photo, count, cancel_rate)
            done += count
            if done >= warm_after and not report.rss_warm_mb:
                report.rss_warm_mb, report.native_threads_warm = _settled_rss(), native_threads()
    finally:
        service.shutdown()
    _finish(report, tracker, time.perf_counter() - start)
    report.leftover_threads = _leftover_threads(before, service)
    return report


def _settled_rss() -> float:
    gc.collect()
    QCoreApplication.processEvents()  # deliver queued results so they can be freed
    gc.collect()
    return rss_mb()[0]


def _finish(report: SoakReport, tracker: _Tracker, elapsed: float) -> None:
    outcomes = list(tracker.outcomes.values())
    report.finished, report.failed = outcomes.count("finished"), outcomes.count("failed")
    report.cancelled = outcomes.count("cancelled")
    report.lost = report.jobs - len(outcomes)
    report.rss_end_mb = _settled_rss()
    report.rss_growth_mb = report.rss_end_mb - (report.rss_warm_mb or report.rss_start_mb)
    report.native_threads_end = native_threads()
    report.elapsed_s = elapsed
    report.jobs_per_s = report.jobs / elapsed if elapsed > 0 else 0.0


def _leftover_threads(before: set[threading.Thread], service: EngineService) -> list[str]:
    """Python threads started during the run and still alive, plus the worker QThread if running."""
    leftover = [t.name for t in threading.enumerate() if t not in before and t.is_alive() and not t.daemon]
    if service.thread_running:  # a QThread is not in threading.enumerate()
        leftover.append("genimg-engine (QThread)")
    return leftover


def load_photo(path: str | None) -> np.ndarray:
    """The photo to inpaint: `path`, or scikit-image's astronaut (a real photo) when it is installed."""
    if path:
        from genimg_desktop.core.imageio import load_rgb

        return load_rgb(path)
    try:
        from skimage import data
    except ImportError:
        raise ValueError("pass --image PATH: a photo to inpaint (scikit-image is not installed)") from None
    return np.ascontiguousarray(data.astronaut())


def format_report(report: SoakReport) -> str:
    r = report
    lines = [
        f"jobs {r.jobs}: {r.finished} finished, {r.cancelled} cancelled, {r.failed} failed, {r.lost} lost,"
        f" {r.duplicated} reported twice",
        f"cancel requests {r.cancel_requests}, model switches {r.model_switches}, refreshes {r.refreshes}",
        f"memory ({r.rss_source}): start {r.rss_start_mb:.1f} MiB, after warm-up {r.rss_warm_mb:.1f} MiB,"
        f" end {r.rss_end_mb:.1f} MiB, growth {r.rss_growth_mb:+.1f} MiB",
        f"OS threads: after warm-up {r.native_threads_warm}, end {r.native_threads_end};"
        f" leftover threads: {', '.join(r.leftover_threads) or 'none'}",
        f"{r.elapsed_s:.1f} s, {r.jobs_per_s:.0f} jobs/s" + ("" if r.healthy else "  UNHEALTHY"),
    ]
    lines += [f"failed {count}x: {message}" for message, count in r.failures.items()]
    return "\n".join(lines)
