"""`genimg bench inpaint`, the speed section (issue 25): the cost of a fill follows the painted area.

Cases, each timed after a warm-up as wall seconds and as the process's CPU seconds (what the fill
itself used: on a machine shared with other jobs the wall time grows with the load, the CPU time
hardly does):
- eight small holes (48 px squares, spread like raindrops) on a 1920x1200 photo against one square
  hole of the same area (136 px): their ratio should stay within 2;
- an object-sized hole (a 160 px blob) on a 512x512 photo;
- a 200 px square hole on a 24-megapixel (6000x4000) photo.
"""

from __future__ import annotations

import time
from typing import Any

import cv2
import numpy as np

from genimg_desktop.bench.inpaint_methods import Method

DROP, DROPS = 48, 8
ONE = 136  # ~ sqrt(8) x 48: one hole of the eight drops' area
PHOTO_SIZE, BIG_SIZE, BIG_HOLE = (1920, 1200), (6000, 4000), 200


def speed_cases(method: Method, photo: np.ndarray) -> dict[str, float]:
    """{case: seconds} for `method` on `photo` (any RGB photo, scaled to each case's size)."""
    wide = cv2.resize(photo, PHOTO_SIZE, interpolation=cv2.INTER_CUBIC)
    height, width = wide.shape[:2]
    drops = np.zeros((height, width), np.uint8)
    for i in range(DROPS):  # two rows of four, far apart
        y, x = (300 + 600 * (i // 4)), (200 + 480 * (i % 4))
        drops[y : y + DROP, x : x + DROP] = 255
    one = np.zeros_like(drops)
    one[532 : 532 + ONE, 892 : 892 + ONE] = 255
    small = cv2.resize(photo, (512, 512), interpolation=cv2.INTER_AREA)
    blob = np.zeros((512, 512), np.uint8)
    cv2.ellipse(blob, (256, 256), (80, 70), 20, 0, 360, 255, -1)
    big = cv2.resize(photo, BIG_SIZE, interpolation=cv2.INTER_CUBIC)
    big_hole = np.zeros(big.shape[:2], np.uint8)
    y0, x0 = (BIG_SIZE[1] - BIG_HOLE) // 2, (BIG_SIZE[0] - BIG_HOLE) // 2
    big_hole[y0 : y0 + BIG_HOLE, x0 : x0 + BIG_HOLE] = 255
    out: dict[str, float] = {}
    for name, image, mask in (
        ("eight_holes_1920", wide, drops),
        ("one_hole_1920", wide, one),
        ("object_512", small, blob),
        ("hole200_24mp", big, big_hole),
    ):
        wall, cpu = _timed(method, image, mask)
        out[f"{name}_s"], out[f"{name}_cpu_s"] = wall, cpu
    out["eight_over_one"] = out["eight_holes_1920_s"] / out["one_hole_1920_s"]
    out["eight_over_one_cpu"] = out["eight_holes_1920_cpu_s"] / out["one_hole_1920_cpu_s"]
    return out


def _timed(method: Method, image: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    """(wall, CPU) seconds of one fill after a warm-up."""
    method.fill(image, mask)
    wall, cpu = time.perf_counter(), time.process_time()
    method.fill(image, mask)
    return time.perf_counter() - wall, time.process_time() - cpu


def run_speed(methods: list[Method], photo: np.ndarray) -> dict[str, Any]:
    """{method: speed_cases} for every method."""
    return {method.name: speed_cases(method, photo) for method in methods}
