"""Running an ncnn pair with the `ncnn` Python package (CPU, float32): the reference our converted
modules are checked against in the tests and by `genimg import-model --check`. Never used to upscale."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from genimg_desktop.engine.restore.imported.ncnn_file import parse_param


def run_ncnn(param_path: Path, bin_path: Path, image: np.ndarray) -> np.ndarray:
    """The network's raw output (C, H', W') for `image` (3, H, W) float32, as ncnn computes it."""
    import ncnn  # a test dependency only

    layers = parse_param(Path(param_path))
    net = ncnn.Net()
    for option in ("use_vulkan_compute", "use_fp16_storage", "use_fp16_packed", "use_fp16_arithmetic"):
        setattr(net.opt, option, False)  # float32 on the CPU: the fp16 weights are the only rounding
    net.opt.use_bf16_storage = False
    net.opt.num_threads = 1
    net.load_param(str(param_path))
    net.load_model(str(bin_path))
    extractor = net.create_extractor()
    extractor.input(layers[0].outputs[0], ncnn.Mat(np.ascontiguousarray(image, np.float32)))
    _, out = extractor.extract(layers[-1].outputs[0])
    result = np.array(out).copy()
    del out, extractor  # ncnn aborts if the net's allocator goes before the blobs it handed out
    net.clear()
    return result
