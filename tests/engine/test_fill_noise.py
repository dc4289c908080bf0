"""The fill network's noise maps (`--set noise=1`) and bilinear decoder (`--set upsample=bilinear`):
warm starts keep a trained fill, the seed draws the noise, only the hole gets it, the app's job is
reproducible by its seed."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from genimg_desktop.core.progress import JobControl
from genimg_desktop.core.request import GenerationRequest
from genimg_desktop.engine.inpaint.config import InpaintConfig
from genimg_desktop.engine.inpaint.networks import FillNet, NoiseInjection
from genimg_desktop.engine.registry import ModelRegistry
from genimg_desktop.engine.training.loop import train
from tests.engine.test_inpaint_family import TINY, tiny_config


def _trained_plain() -> FillNet:
    torch.manual_seed(0)
    plain = FillNet(InpaintConfig(**TINY)).eval()
    torch.nn.init.normal_(plain.head.weight, std=0.1)  # a "trained" head: the output is not the guess
    return plain


def _inputs() -> tuple[torch.Tensor, torch.Tensor]:
    image = torch.rand(1, 3, 40, 56, generator=torch.Generator().manual_seed(1)) * 2 - 1
    mask = torch.zeros(1, 1, 40, 56)
    mask[..., 8:32, 12:44] = 1
    return image, mask


def test_noise_maps_start_at_zero_so_a_trained_network_keeps_its_fill() -> None:
    plain = _trained_plain()
    noisy = FillNet(InpaintConfig(**TINY, noise=1)).eval()
    missing, unexpected = noisy.load_state_dict(plain.state_dict(), strict=False)
    assert unexpected == [] and missing and all(k.startswith("noise.") for k in missing)
    image, mask = _inputs()
    with torch.no_grad():
        assert torch.equal(noisy(image, mask), plain(image, mask))


def test_the_seed_draws_the_noise_and_it_changes_the_fill() -> None:
    noisy = FillNet(InpaintConfig(**TINY, noise=1)).eval()
    noisy.load_state_dict(_trained_plain().state_dict(), strict=False)
    for injection in noisy.noise:
        torch.nn.init.constant_(injection.weight, 0.5)
    image, mask = _inputs()
    with torch.no_grad():
        first, again, other = (noisy(image, mask, None, torch.Generator().manual_seed(s)) for s in (3, 3, 4))
    assert torch.equal(first, again)
    assert (first - other).abs().amax() > 1e-3


def test_noise_enters_only_where_the_hole_is() -> None:
    injection = NoiseInjection(4)
    torch.nn.init.constant_(injection.weight, 1.0)
    features, mask = torch.zeros(1, 4, 10, 10), torch.zeros(1, 1, 40, 40)
    mask[..., :16, :16] = 1  # the top-left 4x4 feature cells
    out = injection(features, mask, torch.Generator().manual_seed(0))
    assert out[..., 4:, :].abs().amax() == 0 and out[..., :, 4:].abs().amax() == 0
    assert out[..., :4, :4].abs().amin() > 0


def test_bilinear_upsampling_is_an_architecture_setting_and_others_are_refused() -> None:
    image, mask = _inputs()
    with torch.no_grad():
        smooth = FillNet(InpaintConfig(**TINY, upsample="bilinear")).eval()
        smooth.load_state_dict(_trained_plain().state_dict())  # the same weights fit both
        assert not torch.equal(smooth(image, mask), _trained_plain()(image, mask))
    with pytest.raises(ValueError, match="upsample"):
        InpaintConfig.from_mapping({"upsample": "cubic"})
    with pytest.raises(ValueError, match="noise"):
        InpaintConfig.from_mapping({"noise": 2})


def test_a_fill_network_with_noise_is_seeded_in_the_app_and_reproducible(
    tmp_path, photo_rgb, hole_mask
) -> None:
    extra = {**TINY, "noise": 1, "upsample": "bilinear"}
    card = train(tiny_config(tmp_path / "run", extra=extra))
    model = ModelRegistry([(card.parent, False)]).load("tiny-fill", "cpu")
    assert model.task("inpaint").seeded  # the window shows the seed box for it
    for injection in model.net.noise:  # two training steps leave the weights tiny: make the noise show
        torch.nn.init.constant_(injection.weight, 0.5)

    def fill(seed: int) -> np.ndarray:
        request = GenerationRequest("tiny-fill", "inpaint", {}, seed, photo_rgb, hole_mask)
        return model.run(request, JobControl()).images[0]

    first, again, other = fill(7), fill(7), fill(8)
    assert np.array_equal(first, again)
    outside = hole_mask == 0
    assert np.array_equal(first[outside], photo_rgb[outside]) and np.array_equal(
        other[outside], photo_rgb[outside]
    )
    assert not np.array_equal(first[~outside], other[~outside])
