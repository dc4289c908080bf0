"""The installation self-test (`genimg self-test` / `genimg --self-test`), run in-process."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from genimg_desktop import cli, selftest
from genimg_desktop.core import paths
from genimg_desktop.core.imageio import load_image

BAD_CARDS = Path(__file__).resolve().parent / "data" / "bad" / "models"


def test_every_builtin_model_and_task_passes(tmp_path):
    lines: list[str] = []
    checks = selftest.run_self_test(device="cpu", out_dir=tmp_path, echo=lines.append)
    assert all(c.ok for c in checks), "\n".join(lines)
    cards = sorted(paths.builtin_models_dir().glob("*.json"))
    ids = {json.loads(p.read_text(encoding="utf-8"))["id"] for p in cards}  # evaluation models too
    assert {c.model for c in checks if c.model not in ("qt", "your models")} == ids  # a line per model x task
    assert lines[-1].startswith("self-test passed")
    for check in checks:
        if check.model not in ("qt", "your models") and check.task != "classify":  # no image from these
            out = load_image(tmp_path / f"{check.model}-{check.task}.png")
            assert out.metadata["model"] == check.model
            if check.task == "inpaint":
                assert out.size == (selftest.SIZE, selftest.SIZE)


def test_picture_is_deterministic_and_hole_is_distinct():
    a, b = selftest.test_picture(), selftest.test_picture()
    assert a.dtype == np.uint8 and a.shape == (selftest.SIZE, selftest.SIZE, 3)
    assert np.array_equal(a, b)
    mask = selftest.test_mask()
    assert (a[mask > 0] == selftest.HOLE_COLOUR).all()
    assert not (a[mask == 0] == selftest.HOLE_COLOUR).all(axis=-1).any()


def test_failures_make_a_non_zero_exit(tmp_path, capsys):
    # A card naming a family the build lacks is what a missing hidden import looks like.
    card = {"id": "ghost", "family": "no-such-family"}
    (tmp_path / "ghost.json").write_text(json.dumps(card), encoding="utf-8")
    checks = selftest.run_self_test(device="cpu", models_dir=tmp_path, qt=False, echo=print)
    assert not all(c.ok for c in checks)
    out = capsys.readouterr().out
    assert "FAIL" in out and "no-such-family" in out and "self-test FAILED" in out


def test_empty_models_folder_fails(tmp_path):
    checks = selftest.run_self_test(device="cpu", models_dir=tmp_path, qt=False, echo=lambda _: None)
    assert [(c.model, c.ok) for c in checks] == [("registry", False), ("your models", True)]


def test_cli_flag_and_subcommand(capsys, monkeypatch):
    seen = []
    monkeypatch.setattr(selftest, "main", lambda **kw: seen.append(kw) or 0)
    assert cli.main(["--self-test"]) == 0
    assert cli.main(["self-test", "--device", "cpu", "--no-qt"]) == 0
    assert seen == [
        {"device": "auto", "out_dir": None, "qt": True},
        {"device": "cpu", "out_dir": None, "qt": False},
    ]


def test_cli_self_test_exit_code(capsys):
    assert cli.main(["self-test", "--device", "cpu", "--no-qt"]) == 0
    assert "self-test passed" in capsys.readouterr().out


def test_evaluation_models_are_loaded_and_classify(tmp_path):
    """A built-in evaluation classifier (random weights here) is loaded and scores the test picture."""
    from safetensors.torch import save_file

    from genimg_desktop.engine.classifier import build_net

    names = ["a", "b", "c"]
    net = build_net({}, 1, 28, len(names))
    save_file({k: v.contiguous() for k, v in net.state_dict().items()}, str(tmp_path / "clf.safetensors"))
    card = {"id": "clf", "family": "classifier", "role": "evaluation", "weights": "clf.safetensors",
            "resolution": 28, "channels": 1, "class_names": names}  # fmt: skip
    (tmp_path / "clf.json").write_text(json.dumps(card), encoding="utf-8")
    lines: list[str] = []
    checks = selftest.run_self_test(device="cpu", models_dir=tmp_path, qt=False, echo=lines.append)
    assert [(c.model, c.task, c.ok) for c in checks][:1] == [("clf", "classify", True)], "\n".join(lines)


def test_the_users_models_are_listed_and_skipped_cards_reported(tmp_path):
    """Issue 24: the self-test passed while `genimg models` failed on a bad user card."""
    builtin = tmp_path / "builtin"
    builtin.mkdir()
    shutil.copy(paths.builtin_models_dir() / "opencv-telea.json", builtin)
    user = paths.user_models_dir()
    shutil.copy(BAD_CARDS / "resolution_inf.json", user)
    card = {"id": "my-telea", "family": "classical", "config": {"method": "telea"}}
    (user / "my-telea.json").write_text(json.dumps(card), encoding="utf-8")
    (user / "again.json").write_text(json.dumps({**card, "id": "opencv-telea"}), encoding="utf-8")
    lines: list[str] = []
    checks = selftest.run_self_test(device="cpu", models_dir=builtin, qt=False, echo=lines.append)
    assert all(c.ok for c in checks), "\n".join(lines)
    text = "\n".join(lines)
    assert "your models" in text and "1 usable" in text and "my-telea" in text
    skips = [line for line in lines if line.startswith("skip")]
    assert len(skips) == 2, text
    assert "resolution_inf.json: resolution is inf" in skips[1]
    assert "again.json: model id 'opencv-telea' is already used" in skips[0]
    assert lines[-1].startswith("self-test passed") and "2 of your model cards skipped" in lines[-1]
