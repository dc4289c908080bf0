#!/usr/bin/env bash
# Turns the PyInstaller one-folder bundle (dist/genimg/) into the Linux installers:
#   dist/genimg-desktop_<version>_<arch>.deb      installs under /opt/genimg-desktop, a `genimg` launcher
#                                                 in /usr/bin, a desktop entry and hicolor icons
#   dist/genimg-desktop-<version>-linux-<arch>.tar.gz   the bundle as one folder, run it in place
# Usage: packaging/build_deb.sh [BUNDLE_DIR] [OUT_DIR]     (run by `make package`, after PyInstaller)
# No root needed: dpkg-deb --root-owner-group makes every file root's in the package.
set -euo pipefail
cd "$(dirname "$0")/.."

BUNDLE=${1:-dist/genimg}
OUT=${2:-dist}
PKG=genimg-desktop
PREFIX=/opt/$PKG
VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' genimg_desktop/__init__.py)
ARCH=$(dpkg --print-architecture)
[ -x "$BUNDLE/genimg" ] || { echo "build_deb: no bundle at $BUNDLE (run PyInstaller first: make package)" >&2; exit 1; }
[ -n "$VERSION" ] || { echo "build_deb: cannot read __version__" >&2; exit 1; }

STAGE=build/deb/${PKG}_${VERSION}_${ARCH}
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE$PREFIX" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
         "$STAGE/usr/share/icons/hicolor/256x256/apps" "$STAGE/usr/share/icons/hicolor/scalable/apps" \
         "$STAGE/usr/share/doc/$PKG"

# --- the files ---------------------------------------------------------------------------------------
cp -a "$BUNDLE/." "$STAGE$PREFIX/"
ln -s "$PREFIX/genimg" "$STAGE/usr/bin/genimg"  # the bootloader resolves the link to find _internal/
install -m 0644 resources/genimg.desktop "$STAGE/usr/share/applications/genimg.desktop"
install -m 0644 resources/genimg.png "$STAGE/usr/share/icons/hicolor/256x256/apps/genimg.png"
install -m 0644 resources/genimg.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/genimg.svg"
cat > "$STAGE/usr/share/doc/$PKG/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: GenImg Desktop
Files: *
License: MIT
Comment: The bundle under $PREFIX also contains Python, PyTorch (BSD-3-Clause), Qt for Python
 (LGPL-3.0), OpenCV (Apache-2.0), PyPatchMatch (MIT), NumPy and Pillow under their own licences; see the
 licence files inside $PREFIX/_internal/*.dist-info.
EOF
# Files root-owned (dpkg-deb --root-owner-group), not writable by others, directories 0755.
find "$STAGE" -type d -exec chmod 0755 {} +
find "$STAGE" -type f -exec chmod go-w,a+r {} +

# --- control files -----------------------------------------------------------------------------------
INSTALLED_KB=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
# The newest glibc symbol any bundled binary needs: the bundle runs on that glibc or later only.
GLIBC=$(find "$BUNDLE" -type f \( -name "*.so*" -o -perm -u+x \) -print0 | xargs -0 objdump -T 2>/dev/null \
        | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -Vu | tail -1)
# The bundle carries Python, torch, Qt and their private libraries; what it takes from the system is
# glibc and the display stack Qt's xcb plugin opens (the same list as scripts/system-deps.sh).
cat > "$STAGE/DEBIAN/control" <<EOF
Package: $PKG
Version: $VERSION
Architecture: $ARCH
Maintainer: GenImg Desktop contributors <genimg-desktop@users.noreply.github.com>
Installed-Size: $INSTALLED_KB
Section: graphics
Priority: optional
Depends: libc6 (>= ${GLIBC:-2.28}), libgl1, libegl1, libfontconfig1, libfreetype6, libglib2.0-0, libdbus-1-3,
 libx11-6, libx11-xcb1, libxkbcommon0, libxkbcommon-x11-0, libxcb1, libxcb-cursor0, libxcb-icccm4,
 libxcb-keysyms1, libxcb-image0, libxcb-render-util0, libxcb-shape0, libxcb-xkb1, libxcb-randr0,
 libxcb-xinerama0
Recommends: fonts-dejavu-core
Homepage: https://github.com/genimg-desktop/genimg-desktop
Description: create and edit images with your own generative models, offline
 GenImg Desktop opens a picture, lets you paint a mask and regenerates the masked
 part with a local model (classical inpainting, GAN, VAE, PixelCNN). Everything
 runs on this machine; nothing is downloaded. Self-contained: Python, PyTorch
 (CPU) and Qt are bundled under $PREFIX. "genimg --self-test" checks the install.
EOF

cat > "$STAGE/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q /usr/share/applications || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true
fi
exit 0
EOF

# dpkg removes the files it installed; this also removes what was created beside them at run time
# (byte-code caches, ...), so nothing is left under /opt. Users' own files in their home folders
# (settings, their models) are theirs and stay, as Debian policy asks.
cat > "$STAGE/DEBIAN/postrm" <<EOF
#!/bin/sh
set -e
case "\$1" in
  remove|purge)
    rm -rf "$PREFIX"
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q /usr/share/applications || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true
    ;;
esac
exit 0
EOF
chmod 0755 "$STAGE/DEBIAN/postinst" "$STAGE/DEBIAN/postrm"

# --- build -------------------------------------------------------------------------------------------
mkdir -p "$OUT"
DEB="$OUT/${PKG}_${VERSION}_${ARCH}.deb"
TGZ="$OUT/${PKG}-${VERSION}-linux-${ARCH}.tar.gz"
# zstd -10: libtorch_cpu.so 345 -> 84 MB in 19 s here; xz -6 (dpkg-deb's default) gets 67 MB but takes
# 280 s per file on two cores, too slow for CI. dpkg reads zstd since 1.21.18 (Debian 12, Ubuntu 21.10);
# DEB_COMPRESSION=xz builds the smallest package for older systems.
case "${DEB_COMPRESSION:-zstd}" in
  zstd) COMPRESS=(-Zzstd -z10) ;;
  xz) COMPRESS=(-Zxz -z6) ;;
  *) echo "build_deb: DEB_COMPRESSION must be zstd or xz" >&2; exit 2 ;;
esac
dpkg-deb --root-owner-group "${COMPRESS[@]}" --threads-max="$(nproc)" --build "$STAGE" "$DEB" >/dev/null
GZIP_CMD=gzip; command -v pigz >/dev/null && GZIP_CMD=pigz
tar --owner=0 --group=0 --numeric-owner -C "$(dirname "$BUNDLE")" \
    --transform "s,^$(basename "$BUNDLE"),${PKG}-${VERSION}," -cf - "$(basename "$BUNDLE")" | $GZIP_CMD -6 > "$TGZ"

echo "built $DEB ($(du -h "$DEB" | cut -f1)), $TGZ ($(du -h "$TGZ" | cut -f1)) from $BUNDLE ($(du -sh "$BUNDLE" | cut -f1))"
