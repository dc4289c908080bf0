from __future__ import annotations

import pytest
import torch

from genimg_desktop.engine.device import available_devices, device_label, resolve_device


def test_cpu_is_always_available():
    assert available_devices()[0] == "cpu"


def test_auto_picks_an_available_device():
    assert resolve_device("auto").type in available_devices()
    assert resolve_device("").type in available_devices()


def test_explicit_cpu():
    assert resolve_device("CPU") == torch.device("cpu")


def test_unknown_device_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        resolve_device("tpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_unavailable_device_is_a_clear_error():
    with pytest.raises(ValueError, match="not available here"):
        resolve_device("cuda")


def test_labels():
    assert device_label("cpu") == "CPU"
    assert device_label(torch.device("cpu")) == "CPU"


def test_the_app_leaves_one_core_to_the_window():
    from genimg_desktop.engine.device import app_cpu_threads

    assert app_cpu_threads({}, cpu_count=2) == 1
    assert app_cpu_threads({}, cpu_count=8) == 7
    assert app_cpu_threads({}, cpu_count=1) == 1
    assert app_cpu_threads({"GENIMG_THREADS": "3"}, cpu_count=2) == 3  # the user's choice wins
    assert app_cpu_threads({"GENIMG_THREADS": "many"}, cpu_count=4) == 3  # a bad value: the default
    assert app_cpu_threads({"OMP_NUM_THREADS": "2"}, cpu_count=8) == torch.get_num_threads()
