"""`out/losses.jsonl` (core/run_folder.py): one JSON object per step ({"step", "time_s", <loss>: value,
...}) for plots."""

from __future__ import annotations

import json
from pathlib import Path

from genimg_desktop.core.atomic import write_atomic


class LossLog:
    def __init__(self, path: Path, resume_step: int) -> None:
        """Keep the lines up to `resume_step` (0: a fresh run) and drop later ones: the steps after the
        last checkpoint are trained again and logged again, never twice."""
        self.path = path
        kept = _lines_up_to(path, resume_step) if resume_step else []
        path.parent.mkdir(parents=True, exist_ok=True)  # the first file of a new run folder
        write_atomic(path, lambda handle: handle.write("".join(kept).encode("utf-8")))
        self._handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the whole run

    def write(self, step: int, time_s: float, losses: dict[str, float]) -> None:
        row = {"step": step, "time_s": round(time_s, 3), **{k: float(v) for k, v in losses.items()}}
        self._handle.write(json.dumps(row) + "\n")
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()


def _lines_up_to(path: Path, step: int) -> list[str]:
    if not path.is_file():
        return []
    kept = []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        try:
            if int(json.loads(line)["step"]) <= step:
                kept.append(line)
        except (ValueError, KeyError, TypeError):
            continue  # a line cut short by a crash
    return kept


def read_log(path: Path) -> list[dict[str, float]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
