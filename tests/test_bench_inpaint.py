"""`genimg bench inpaint --quick`: runs end to end, scores sensibly, and catches a cheating method."""

from __future__ import annotations

import json

import numpy as np
import pytest

from genimg_desktop.bench.inpaint import run_inpaint_bench
from genimg_desktop.bench.inpaint_data import bench_mask
from genimg_desktop.bench.inpaint_methods import Method, biharmonic, installed_methods
from genimg_desktop.bench.inpaint_metrics import hole_scores
from genimg_desktop.bench.inpaint_report import format_inpaint_report
from genimg_desktop.cli import main
from genimg_desktop.core.random_masks import KINDS, random_mask


def _oracle() -> Method:
    """Knows the answer: returns the image untouched (the bench gives it the original)."""
    return Method("oracle", "learned", lambda image, mask: image.copy())


def test_quick_bench_scores_every_method_and_judges_the_learned_one() -> None:
    methods = [*installed_methods("cpu", ("opencv-telea",)), biharmonic(), _oracle()]
    result = run_inpaint_bench(methods, quick=True)
    assert {i["source"] for i in result["images"]} >= {"photo"}
    for kind in ("thin", "medium", "thick"):
        row = result["table"][kind]
        assert set(row) == {"opencv-telea", "skimage-biharmonic", "oracle"}
        assert row["oracle"]["l1"] == 0 and row["oracle"]["psnr"] == 100
        assert 0 < row["opencv-telea"]["l1"] < 0.5 and 5 < row["opencv-telea"]["psnr"] < 60
    assert set(result["scale"]["oracle"]) == {"s_512_medium", "s_4096_hole128", "ratio"}
    assert result["targets"]["oracle"]["beats_all_classes"] is True
    assert "opencv-telea" not in result["targets"]  # only learned methods have targets
    assert "targets for oracle" in format_inpaint_report(result)
    photos = result["photos"]  # strokes and object-sized holes on photos, with a texture score
    assert {p["source"] for p in photos["photos"]} <= {"opencv", "scikit"} and photos["size"] == 128
    for kind in ("thin", "medium", "thick", "blob", "object-box"):
        row = photos["table"][kind]
        assert row["oracle"]["texture"] == 1.0 and row["oracle"]["psnr"] == 100
        assert row["opencv-telea"]["texture"] < 1.0  # Telea's fill is smoother than the photo
    detailed = ("medium", "thick", "blob", "object-box")
    assert photos["bar"]["oracle"]["keeps_detail"] == dict.fromkeys(detailed, True)
    assert "strokes and object-sized holes" in format_inpaint_report(result)
    json.dumps(result)


def test_the_fill_network_is_scored_downscaled_with_and_without_refinement() -> None:
    (fill,) = installed_methods("cpu", ("inpaint-fill",))
    result = run_inpaint_bench([fill], quick=True)
    found = result["coarse_to_fine"]
    assert found["max_side"] == 64  # the quick mode's 96 px images, filled at 64
    for kind in ("thin", "medium", "thick"):
        variants = found["methods"]["inpaint-fill"][kind]
        assert set(variants) == {"downscaled", "downscaled + refined"}
        assert variants["downscaled"] != variants["downscaled + refined"]  # the refinement ran
        assert all(0 < v["l1"] < 0.5 for v in variants.values())
    assert "inpaint-fill at max_side 64" in format_inpaint_report(result)


def test_a_method_that_changes_kept_pixels_is_refused() -> None:
    def smudge(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.clip(image.astype(np.int16) + 1, 0, 255).astype(np.uint8)

    with pytest.raises(RuntimeError, match="outside the mask"):
        run_inpaint_bench([Method("smudge", "classical", smudge)], quick=True)


def test_hole_scores_count_only_the_hole() -> None:
    a = np.zeros((32, 32, 3), np.uint8)
    b = a.copy()
    b[:, 16:] = 255  # wrong everywhere on the right half
    mask = np.zeros((32, 32), np.uint8)
    mask[:, :8] = 255  # the hole is on the left, where b is right
    assert hole_scores(a, b, mask)["l1"] == 0
    mask[:, 20:24] = 255
    assert hole_scores(a, b, mask)["l1"] == pytest.approx(4 / 12)


def test_texture_score_is_one_for_the_original_and_low_for_a_flat_fill() -> None:
    from skimage import data

    photo = data.coffee()
    mask = np.zeros(photo.shape[:2], np.uint8)
    mask[20:100, 400:480] = 255  # the grainy table top
    flat = photo.copy()
    flat[mask > 0] = photo[mask > 0].mean(axis=0).astype(np.uint8)
    assert hole_scores(photo, photo, mask)["texture"] == 1.0
    assert hole_scores(photo, flat, mask)["texture"] < 0.25  # the seam at the hole's edge is all it has


def test_object_masks_are_object_sized_seeded_and_inside() -> None:
    from genimg_desktop.core.random_masks import object_mask

    for kind in ("blob", "object-box"):
        masks = [object_mask(512, 512, kind, np.random.default_rng(i)) for i in range(20)]
        for mask in masks:
            ys, xs = np.nonzero(mask)
            assert 50 <= ys.max() - ys.min() + 1 <= 181 and 50 <= xs.max() - xs.min() + 1 <= 181
        assert np.array_equal(masks[0], object_mask(512, 512, kind, np.random.default_rng(0)))
        assert not np.array_equal(masks[0], masks[1])
    with pytest.raises(ValueError, match="blob"):
        object_mask(64, 64, "star", np.random.default_rng(0))


def test_masks_are_seeded_never_empty_and_widen_by_kind() -> None:
    assert np.array_equal(bench_mask(128, 128, "thin", 3), bench_mask(128, 128, "thin", 3))
    assert not np.array_equal(bench_mask(128, 128, "thin", 3), bench_mask(128, 128, "thin", 4))
    rng = np.random.default_rng(0)
    share = {k: np.mean([(random_mask(256, 256, k, rng) > 0).mean() for _ in range(30)]) for k in KINDS}
    assert all(share[k] > 0 for k in KINDS)
    assert share["thin"] < share["medium"] < share["thick"]


def test_cli_prints_json(capsys) -> None:
    assert main(["bench", "inpaint", "--quick", "--json", "--methods", "opencv-ns"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert list(result["methods"]) == ["opencv-ns"]


def test_grid_has_a_row_per_image_and_a_column_per_method(tmp_path) -> None:
    from genimg_desktop.bench.inpaint_grid import GAP, LABEL_H, TILE, write_grid
    from genimg_desktop.core.imageio import load_image

    path = write_grid(tmp_path / "grid.png", [_oracle()], quick=True)
    grid = load_image(path).rgba
    assert grid.shape[:2] == (LABEL_H + 2 * (TILE + GAP), 4 * (TILE + GAP))  # 2 rows (quick), 3 + 1 columns


def test_reference_size_widens_strokes_on_a_crop() -> None:
    own = np.mean([(random_mask(64, 64, "thick", np.random.default_rng(i)) > 0).mean() for i in range(20)])
    big = np.mean(
        [(random_mask(64, 64, "thick", np.random.default_rng(i), 256) > 0).mean() for i in range(20)]
    )
    assert big > 2 * own


def test_photo_grid_shows_each_object_hole_at_full_size(tmp_path) -> None:
    from genimg_desktop.bench.inpaint_grid import GAP, LABEL_H
    from genimg_desktop.bench.inpaint_objects import write_photo_grid
    from genimg_desktop.core.imageio import load_image

    grid = load_image(write_photo_grid(tmp_path / "photos.png", [_oracle()], quick=True, tile=100)).rgba
    assert grid.shape[:2] == (LABEL_H + 4 * (100 + GAP), 3 * (100 + GAP))  # 2 photos x 2 holes; 2 + 1 columns


def test_before_after_shows_the_photo_defaults_fill_beside_the_hole(tmp_path) -> None:
    from genimg_desktop.bench.inpaint_grid import GAP, LABEL_H
    from genimg_desktop.bench.inpaint_objects import write_before_after
    from genimg_desktop.core.imageio import load_image

    assert write_before_after(tmp_path / "none.png", [_oracle()], quick=True) is None  # no photo fill
    telea = installed_methods("cpu", ("opencv-telea",))  # the photo default when it is all there is
    grid = load_image(write_before_after(tmp_path / "ba.png", [_oracle(), *telea], quick=True)).rgba
    side = 128  # the quick photos are 128 px: the crop is the whole photo
    assert grid.shape[:2] == (LABEL_H + 2 * (side + GAP), 3 * (side + GAP))  # 2 photos; 3 columns
    for top in (LABEL_H, LABEL_H + side + GAP):
        before, after, original = (
            grid[top : top + side, i * (side + GAP) : i * (side + GAP) + side, :3] for i in range(3)
        )
        hole = (before == (255, 0, 0)).all(axis=2) & ~(original == (255, 0, 0)).all(axis=2)
        assert hole.sum() > 200  # an object-sized hole (on a 128 px photo), in red before
        np.testing.assert_array_equal(after[~hole], original[~hole])  # the fill changed only the hole
        assert not (after[hole] == (255, 0, 0)).all(axis=1).any()  # and filled all of it
