#!/usr/bin/env bash
# The studio screenshots of docs/STUDIO.md: each scene of genimg_desktop/ui/demo_studio.py drives the
# real app (the installed models, real jobs) in a real X server (Xvfb) and saves
# docs/studio-<scene>.png; then each PNG is optimised to stay under 400 KB.
#   scripts/studio-screenshots.sh                  # every scene
#   scripts/studio-screenshots.sh models history   # some of them
# The scenes share one throw-away GENIMG_HOME (history, autosaves, training runs) and settings folder,
# in the order given: the history scene's gallery shows the earlier scenes' results as an earlier
# session's. Nothing of the user's (history, window layout, models folder) is read or written.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
OUT=${OUT:-docs}
SCENES=("$@")
[ ${#SCENES[@]} -gt 0 ] || SCENES=(generate emoji emoji_pixels explore between autoregressive likelihood models train history outpaint subject)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export GENIMG_HOME="$TMP/home" XDG_CONFIG_HOME="$TMP/config"
for scene in "${SCENES[@]}"; do
  echo "== $scene"
  timeout 600 xvfb-run -a -s "-screen 0 1600x1000x24" \
    "$BIN/genimg" gui --demo "$scene" --screenshot "$OUT/studio-$scene.png"
done
"$BIN/python" - "${SCENES[@]/#/$OUT/studio-}" <<'PY'
import sys
from pathlib import Path

from PIL import Image

LIMIT = 400_000
for name in sys.argv[1:]:
    path = Path(name + ".png")
    image = Image.open(path).convert("RGB")
    image.save(path, optimize=True)
    if path.stat().st_size >= LIMIT:  # a palette keeps UI pixels crisp (no dithering)
        image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)
    print(f"{path}: {image.size[0]}x{image.size[1]}, {path.stat().st_size / 1000:.0f} KB")
PY
