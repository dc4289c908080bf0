"""`genimg train --precision`: bfloat16 mixed precision where the hardware has it, float32 otherwise."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file

from genimg_desktop import cli
from genimg_desktop.core import paths
from genimg_desktop.engine.training import mixed_precision
from genimg_desktop.engine.training.events import TrainEvent
from genimg_desktop.engine.training.loop import train
from genimg_desktop.engine.training.mixed_precision import AutocastForward, training_dtype
from tests.engine.training_helpers import tiny_config

CPU = torch.device("cpu")


@pytest.fixture
def native(monkeypatch):
    """Pretend the CPU has (or lacks) native bfloat16: the choice must not depend on the test machine."""

    def set_native(value: bool) -> None:
        monkeypatch.setattr(mixed_precision, "cpu_has_bf16", lambda: value)

    return set_native


def test_which_type_each_setting_trains_in(native):
    native(True)
    assert training_dtype("float32", CPU) is None
    assert training_dtype("auto", CPU) == training_dtype("bfloat16", CPU) == torch.bfloat16
    native(False)
    assert training_dtype("auto", CPU) is None  # emulated bfloat16 would be slower than float32
    with pytest.raises(ValueError, match="lacks"):
        training_dtype("bfloat16", CPU)
    with pytest.raises(ValueError, match="float32, bfloat16, auto"):
        training_dtype("half", CPU)


def test_the_command_takes_exactly_the_known_precisions():
    # the CLI spells them out (parsing must not import torch): they must not drift apart
    words = ["train", "--family", "vae", "--data", "mnist", "--size", "28", "--out", "run", "--precision"]
    for precision in mixed_precision.PRECISIONS:
        assert cli.build_parser().parse_args([*words, precision]).precision == precision
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args([*words, "float16"])


def test_the_wrapped_forward_computes_in_bfloat16_and_returns_float32():
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(3, 4, 3, padding=1)

    class TwoOutputs(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            y = conv(x)
            return y, y.argmax(dim=1)

    x = torch.randn(2, 3, 8, 8)
    y, index = AutocastForward(TwoOutputs(), "cpu", torch.bfloat16)(x)
    assert y.dtype == torch.float32 and index.dtype == torch.int64
    exact = conv(x)
    assert torch.allclose(y, exact, atol=0.05) and not torch.equal(y, exact)  # rounded to bfloat16
    y.sum().backward()  # gradients reach the float32 weights
    assert conv.weight.grad is not None and conv.weight.grad.dtype == torch.float32


@pytest.mark.usefixtures("shared_dataset_cache")
def test_a_mixed_precision_run_trains_and_says_so_in_its_card(tmp_path, native):
    native(True)  # autocast works on any CPU; only its speed needs the native instructions
    cards, starts = {}, {}
    for precision in ("float32", "bfloat16"):
        events: list[TrainEvent] = []
        config = tiny_config(tmp_path / precision, precision=precision, model_id=f"tiny-{precision}")
        cards[precision] = json.loads(train(config, events.append).read_text(encoding="utf-8"))
        starts[precision] = events[0].message
    assert "mixed precision" not in starts["float32"]
    assert starts["bfloat16"].endswith(", in bfloat16 mixed precision")  # the terminal and the app say it
    assert [cards[p]["training"]["precision"] for p in cards] == ["float32", "bfloat16"]
    weights = {p: load_file(paths.user_models_dir() / card["weights"]) for p, card in cards.items()}
    for name, tensor in weights["float32"].items():  # the same training, rounded differently
        other = weights["bfloat16"][name]
        assert torch.isfinite(other).all() and torch.allclose(other, tensor, atol=0.05), name
    assert any(not torch.equal(weights["bfloat16"][n], t) for n, t in weights["float32"].items())


@pytest.mark.usefixtures("shared_dataset_cache")
def test_the_command_refuses_bfloat16_where_it_is_not_native(tmp_path, native, capsys):
    native(False)
    words = ["train", "--family", "classifier", "--data", "fashion-mnist", "--size", "28", "--steps", "1"]
    words += ["--out", str(tmp_path / "run"), "--limit", "16", "--batch-size", "8", "--device", "cpu"]
    assert cli.main([*words, "--id", "refused-bf16", "--precision", "bfloat16"]) == 2
    err = capsys.readouterr().err
    assert "lacks" in err and "--precision float32 or auto" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "run" / "checkpoint.pt").exists()
