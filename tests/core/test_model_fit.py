"""The fit rule (core/model_fit.py) on the shipped model cards and the pictures a newcomer opened."""

from __future__ import annotations

import numpy as np
from skimage import data

from genimg_desktop.core.model_card import read_model_card
from genimg_desktop.core.model_fit import Picture, is_grey, model_fit, why_not
from tests.conftest import REPO


def card(model_id: str):
    return read_model_card(REPO / "models" / f"{model_id}.json")


CAT = Picture.of(data.chelsea())  # 451x300 colour photo


def test_the_three_models_the_newcomer_met_do_not_fit_a_colour_photo_and_say_why():
    gan = why_not(card("gan-fashion-mnist-28"), CAT)
    assert "grey only" in gan and "28×28" in gan and "451×300 colour picture" in gan
    assert "64×64" in why_not(card("vae-emoji-64"), CAT)
    assert "squashed" in why_not(card("pixelcnn-emoji-32"), CAT)


def test_any_size_models_fit_every_picture():
    huge = Picture(11000, 11000, grey=False)
    for model_id in ("opencv-telea", "inpaint-fill"):
        assert model_fit(card(model_id), huge).fits and why_not(card(model_id), huge) == ""


def test_a_picture_the_model_was_made_for_fits():
    assert model_fit(card("gan-fashion-mnist-28"), Picture(28, 28, grey=True)).fits
    assert model_fit(card("vae-emoji-64"), Picture(64, 64, grey=False)).fits
    assert model_fit(card("vae-emoji-64"), Picture(128, 120, grey=True)).fits  # twice the side is fine
    assert not model_fit(card("gan-fashion-mnist-28"), Picture(28, 28, grey=False)).fits
    assert why_not(card("vae-emoji-64"), None) == ""  # no picture: nothing to judge


def test_grey_is_told_from_colour_despite_jpeg_noise():
    grey = np.repeat(data.camera()[..., None], 3, axis=2).astype(np.int16)
    grey[..., 0] += np.random.default_rng(0).integers(-3, 4, grey.shape[:2])  # JPEG-like wobble
    assert is_grey(np.clip(grey, 0, 255).astype(np.uint8))
    assert not is_grey(data.chelsea())
    rgba = np.zeros((4000, 4000, 4), np.uint8)  # a big RGBA document: a strided sample is looked at
    assert is_grey(rgba)
    rgba[1000:1100, 2000:2100, 0] = 255  # a red patch
    assert not is_grey(rgba)
