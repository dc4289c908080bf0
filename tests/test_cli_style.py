"""`genimg style` on real photos: scikit-image's cat given the colours of the coffee photo."""

from __future__ import annotations

import numpy as np
from skimage import data

from genimg_desktop import cli
from genimg_desktop.core.colour_transfer import lab_stats, match_colours, to_lab
from genimg_desktop.core.imageio import load_image, save_image


def write_photos(folder):
    save_image(folder / "cat.png", data.chelsea())
    save_image(folder / "coffee.png", data.coffee())
    return ["style", "--image", str(folder / "cat.png"), "--reference", str(folder / "coffee.png")]


def test_style_writes_the_picture_in_the_references_colours(tmp_path):
    args, out = write_photos(tmp_path), tmp_path / "out.png"
    assert cli.main([*args, "--out", str(out)]) == 0
    rgb = load_image(out).rgba[..., :3]
    assert rgb.shape == data.chelsea().shape
    mean, ref_mean = lab_stats(to_lab(rgb))[0], lab_stats(to_lab(data.coffee()))[0]
    assert np.abs(mean - ref_mean).max() < 4.0
    assert cli.main([*args, "--strength", "0", "--out", str(out)]) == 0
    np.testing.assert_array_equal(load_image(out).rgba[..., :3], data.chelsea())


def test_style_through_a_mask_changes_only_the_masked_part(tmp_path):
    args, out = write_photos(tmp_path), tmp_path / "out.png"
    mask = np.zeros((300, 451), np.uint8)
    mask[50:200, 100:300] = 255
    save_image(tmp_path / "mask.png", mask)
    assert (
        cli.main([*args, "--mask", str(tmp_path / "mask.png"), "--strength", "0.8", "--out", str(out)]) == 0
    )
    rgb, cat = load_image(out).rgba[..., :3], data.chelsea()
    np.testing.assert_array_equal(rgb[mask == 0], cat[mask == 0])
    assert np.abs(rgb[mask > 0].astype(int) - cat[mask > 0]).mean() > 5


def test_style_patch_method_redraws_the_picture(tmp_path):
    args, out = write_photos(tmp_path), tmp_path / "out.png"
    assert cli.main([*args, "--method", "patch", "--out", str(out)]) == 0
    rgb = load_image(out).rgba[..., :3]
    recoloured = match_colours(data.chelsea(), data.coffee())
    assert rgb.shape == recoloured.shape and np.abs(rgb.astype(int) - recoloured).mean() > 5


def test_style_refuses_bad_input_and_writes_nothing(tmp_path):
    args, out = write_photos(tmp_path), tmp_path / "out.png"
    save_image(tmp_path / "small.png", np.full((10, 10), 255, np.uint8))
    save_image(tmp_path / "empty.png", np.zeros((300, 451), np.uint8))
    assert cli.main([*args, "--strength", "2", "--out", str(out)]) == 2
    assert cli.main([*args, "--mask", str(tmp_path / "small.png"), "--out", str(out)]) == 2
    assert cli.main([*args, "--mask", str(tmp_path / "empty.png"), "--out", str(out)]) == 2
    assert cli.main([*args, "--method", "neural", "--out", str(out)]) == 2
    assert cli.main([*args[:-1], str(tmp_path / "missing.png"), "--out", str(out)]) == 1
    assert not out.exists()
