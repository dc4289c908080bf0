"""Which files of the installed Debian packages are real photographs (looked at one by one).

Paintings, digital art, renders, logos and icons of the same packages are left out: the wallpaper
packages name their photos below; GCompris's photos are the WebP/JPEG files of the listed `.rcc`
resource files (its drawings and paintings live in others). Each photo gets a stable name,
"<package>/<file>", which decides its split (debian_photos.is_held_out).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from genimg_desktop.engine.training.data.qt_rcc import RccError, RccFile

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


@dataclass(frozen=True)
class PhotoFile:
    """One photo: a file, or an entry (`member`) inside a Qt resource file."""

    name: str  # "<package>/<file>": stable across machines, decides the split
    package: str
    path: Path
    member: int | None = None  # node index inside the .rcc at `path`

    def open(self) -> io.BytesIO | Path:
        """Something Pillow's Image.open reads."""
        if self.member is None:
            return self.path
        return io.BytesIO(RccFile(self.path).read(self.member))


@dataclass(frozen=True)
class Package:
    name: str
    licence: str
    folder: str  # relative to the file-system root
    find: Callable[[str, Path], Iterator[PhotoFile]]


def _named(names: tuple[str, ...]) -> Callable[[str, Path], Iterator[PhotoFile]]:
    def find(package: str, folder: Path) -> Iterator[PhotoFile]:
        for name in names:
            if (folder / name).is_file():
                yield PhotoFile(f"{package}/{name}", package, folder / name)

    return find


def _all_photos(package: str, folder: Path) -> Iterator[PhotoFile]:
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in PHOTO_SUFFIXES and path.is_file():
            yield PhotoFile(f"{package}/{path.name}", package, path)


def _largest_per_wallpaper(names: tuple[str, ...]) -> Callable[[str, Path], Iterator[PhotoFile]]:
    """KDE wallpapers: <name>/contents/images/<W>x<H>.jpg in many sizes; the biggest file of each."""

    def find(package: str, folder: Path) -> Iterator[PhotoFile]:
        for name in names:
            images = folder / name / "contents" / "images"
            if not images.is_dir():
                continue
            files = [p for p in images.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES]
            if files:
                biggest = max(files, key=lambda p: (p.stat().st_size, p.name))
                yield PhotoFile(f"{package}/{name}", package, biggest)

    return find


def _rcc_photos(bundles: dict[str, str]) -> Callable[[str, Path], Iterator[PhotoFile]]:
    """{bundle: what its photos' file names start with} ("" for all its WebP/JPEG files)."""

    def find(package: str, folder: Path) -> Iterator[PhotoFile]:
        for bundle, start in bundles.items():
            path = folder / f"{bundle}.rcc"
            if not path.is_file():
                continue
            try:
                entries = list(RccFile(path).files())
            except (OSError, RccError):
                continue  # a damaged bundle costs its photos, not the data set
            for member_path, node in entries:
                file_name = member_path.rsplit("/", 1)[-1]
                if file_name.lower().endswith((".webp", ".jpg", ".jpeg")) and file_name.startswith(start):
                    tail = member_path.split("/resource/", 1)[-1]
                    yield PhotoFile(f"{package}/{bundle}/{tail}", package, path, node)

    return find


PACKAGES: tuple[Package, ...] = (
    Package(
        "endless-sky-data",
        "public domain (Unsplash, NASA, USGS), some CC-BY-SA-3.0/4.0",
        "usr/share/games/endless-sky/images/land",
        _all_photos,
    ),
    Package(
        "plasma-workspace-wallpapers",
        "GPL-2+ / LGPL-3 / CC-BY-SA-4.0",
        "usr/share/wallpapers",
        _largest_per_wallpaper(
            (
                "Autumn",
                "BytheWater",
                "ColdRipple",
                "DarkestHour",
                "EveningGlow",
                "FallenLeaf",
                "Grey",
                "Kite",
                "OneStandsOut",
                "Path",
                "summer_1am",
            )
        ),
    ),
    Package("mate-backgrounds", "GPL-2+, CC-BY-SA-4.0", "usr/share/backgrounds/mate/nature", _all_photos),
    Package(
        "lomiri-wallpapers-16.04",
        "CC-BY-SA-3.0 / CC-BY-SA-4.0",
        "usr/share/backgrounds",
        _named(
            (
                "Bridge_by_Sander_Klootwijk.jpg",
                "Dragonfly_by_Bolly.jpg",
                "Picture_0B_by_freespace.jpg",
                "Picture_1A_by_freespace.jpg",
                "Wine_by_Jakkub_Mede.jpg",
                "aitzgorri_by_Aitzol_Berasategi.jpg",
                "analogpattern_by_Peter_Nerlich.jpg",
                "free_by_Peter_Nerlich.jpg",
                "friends_by_Aitzol_Berasategi.jpg",
                "greentock_by_Peter_Nerlich.jpg",
                "life_by_Aitzol_Berasategi.jpg",
                "picosdeeuropa_by_Aitzol_Berasategi.jpg",
                "seeding_by_Clements_Engelhardt.jpg",
                "sunset_by_Aitzol_Berasategi.jpg",
            )
        ),
    ),
    Package(
        "lxqt-themes",
        "CC-BY-SA / CC0 / LGPL-2.1+",
        "usr/share/lxqt/wallpapers",
        _named(
            (
                "Butterfly-Kenneth-Wimer.jpg",
                "Valendas.png",
                "after-the-rain.jpg",
                "appleflower.png",
                "beam.png",
                "butterfly.png",
                "cloud.png",
                "drop.png",
                "flowers.png",
                "fog.jpg",
                "this-is-not-windows.jpg",
            )
        ),
    ),
    Package(
        "gcompris-qt-data",
        "GPL-3+ / CC-BY-SA per file",
        "usr/share/gcompris-qt/rcc",
        _rcc_photos(
            {
                "erase": "",
                "explore_monuments": "",
                "explore_world_animals": "",
                "explore_farm_animals": "",
                "explore_world_music": "",
                "clickgame": "sea",  # its fish are small cut-outs
            }
        ),
    ),
)


def installed(root: Path) -> list[Package]:
    """The photo packages whose folder exists under `root` (the file-system root, or a test's)."""
    return [p for p in PACKAGES if (root / p.folder).is_dir()]


def find_photos(root: Path) -> list[PhotoFile]:
    """Every photo file of the installed packages, in a fixed order."""
    return [
        photo for package in installed(root) for photo in package.find(package.name, root / package.folder)
    ]
