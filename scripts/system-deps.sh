#!/usr/bin/env bash
# Installs the Debian packages the app and its tests need (Qt's runtime libraries, Xvfb for
# screenshots, and the image data sets the built-in models train on: see
# engine/training/data). `--test` adds the packages only the tests use: MyPaint, whose OpenRaster
# reader checks our .ora files (Debian 12's GIMP 2.10 cannot open .ora: its loader is a Python 2
# plug-in Debian no longer ships), and opencv-doc, whose sample photos `genimg bench inpaint` scores
# (evaluation only, never trained on). Only missing packages are installed; uses sudo when not root.
set -euo pipefail
PKGS=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
      libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0
      libxcb-xkb1 libxcb-randr0 libxcb-xinerama0 xvfb xauth fonts-dejavu-core
      dataset-fashion-mnist fonts-noto-color-emoji unicode-data openclipart-png)
TEST_PKGS=(mypaint opencv-doc)
# `--package` (make package): objdump for PyInstaller and build_deb.sh, the .deb and window checks.
PACKAGE_PKGS=(binutils desktop-file-utils xvfb xauth)
[ "${1:-}" = "--test" ] && PKGS+=("${TEST_PKGS[@]}")
[ "${1:-}" = "--package" ] && PKGS+=("${PACKAGE_PKGS[@]}")
command -v dpkg-query >/dev/null || { echo "not a Debian system: install Qt 6 runtime libraries yourself"; exit 0; }
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing Debian packages: ${missing[*]}"
$SUDO apt-get update -q || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
