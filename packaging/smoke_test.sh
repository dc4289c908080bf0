#!/usr/bin/env bash
# End-to-end test of the Linux installer, as root on a Debian/Ubuntu machine (run by `make package-test`):
#   1. install dist/genimg-desktop_*.deb with dpkg;
#   2. run the INSTALLED app's `genimg --self-test` headless (every built-in model, one image per task),
#      from a clean environment, so nothing of the source tree or the venv can help it;
#   3. start the installed window under Xvfb, let it load its models and inpaint the demo picture,
#      and save a screenshot (dist/smoke/installed-gui.png, kept for a person to look at);
#   4. purge the package and check nothing is left behind.
# Usage: packaging/smoke_test.sh [DEB] [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

DEB=${1:-$(ls -t dist/genimg-desktop_*.deb 2>/dev/null | head -1)}
OUT=${2:-dist/smoke}
PKG=genimg-desktop
[ -f "$DEB" ] || { echo "smoke_test: no .deb (run make package)" >&2; exit 1; }
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
HOME_DIR=$(mktemp -d /tmp/genimg-smoke-home.XXXXXX)
trap 'rm -rf "$HOME_DIR"' EXIT
fail() { echo "smoke_test: FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

# The installed app in a bare environment: no venv, no PYTHONPATH, a fresh home and GENIMG_HOME.
run_installed() {
  (cd "$HOME_DIR" && env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$HOME_DIR" LANG=C.UTF-8 \
      GENIMG_HOME="$HOME_DIR/genimg" XDG_RUNTIME_DIR="$HOME_DIR" "$@")
}

step "install $DEB"
if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q "install ok installed"; then
  $SUDO dpkg --purge "$PKG" >/dev/null
fi
$SUDO dpkg -i "$DEB"
FILES=$(dpkg -L "$PKG")
for path in /opt/$PKG/genimg /usr/bin/genimg /usr/share/applications/genimg.desktop \
            /usr/share/icons/hicolor/256x256/apps/genimg.png /usr/share/icons/hicolor/scalable/apps/genimg.svg; do
  [ -e "$path" ] || fail "$path was not installed"
done
[ "$(command -v genimg)" = /usr/bin/genimg ] || echo "note: another genimg is first on PATH: $(command -v genimg)"
if command -v desktop-file-validate >/dev/null; then desktop-file-validate /usr/share/applications/genimg.desktop; fi

step "installed app: --version, models, --self-test (headless)"
run_installed /usr/bin/genimg --version
run_installed /usr/bin/genimg models
run_installed QT_QPA_PLATFORM=offscreen /usr/bin/genimg --self-test --out "$OUT/selftest" \
  || fail "the installed app's self-test failed"
ls "$OUT/selftest"/*.png >/dev/null || fail "the self-test wrote no image"

step "installed app: the window under Xvfb (demo inpainting, screenshot)"
rm -f "$OUT/installed-gui.png"
run_installed timeout 180 xvfb-run -a -s "-screen 0 1600x1000x24" \
  /usr/bin/genimg gui --demo --screenshot "$OUT/installed-gui.png" || fail "the window did not start (or hung)"
[ -s "$OUT/installed-gui.png" ] || fail "no screenshot"
echo "screenshot: $OUT/installed-gui.png"

step "purge"
$SUDO dpkg --purge "$PKG"
left=()
for path in /opt/$PKG /usr/bin/genimg /usr/share/applications/genimg.desktop \
            /usr/share/icons/hicolor/256x256/apps/genimg.png /usr/share/icons/hicolor/scalable/apps/genimg.svg \
            /usr/share/doc/$PKG; do
  [ -e "$path" ] || [ -L "$path" ] && left+=("$path")
done
while IFS= read -r path; do  # every file the package owned (directories may be shared, e.g. /usr/bin)
  [ -n "$path" ] && [ ! -d "$path" ] && { [ -e "$path" ] || [ -L "$path" ]; } && left+=("$path")
done <<< "$FILES"
[ ${#left[@]} -eq 0 ] || fail "left behind after purge: ${left[*]}"
dpkg-query -W "$PKG" >/dev/null 2>&1 && fail "dpkg still knows $PKG"
echo "smoke_test: passed (installed, self-test, window, purged clean)"
