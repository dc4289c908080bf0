"""OpenRaster projects: layout other apps expect, exact round trip, atomic saves, hostile files."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from genimg_desktop.core.imageio import ImageLoadError, ImageSaveError
from genimg_desktop.core.ora import save_ora
from genimg_desktop.core.ora_read import load_ora

STACK = (
    '<?xml version="1.0"?><image w="{w}" h="{h}"><stack>'
    '<layer name="mask" src="{mask}"/><layer name="image" src="data/image.png"/></stack></image>'
)


@pytest.fixture
def project(photo_rgb):
    image = np.dstack([photo_rgb, np.full(photo_rgb.shape[:2], 255, np.uint8)])
    image[:10, :10, 3] = 0  # transparent pixels keep their colour too
    mask = np.zeros(photo_rgb.shape[:2], np.uint8)
    mask[100:220, 150:300] = 255
    mask[300:305, :40] = 77  # a soft edge survives
    return image, mask


def png(rgba: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgba).save(out, format="PNG")
    return out.getvalue()


def write_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return path


def minimal(w: int = 8, h: int = 6, mask_src: str = "data/mask.png", **extra: bytes) -> dict[str, bytes]:
    layer = png(np.zeros((h, w, 4), np.uint8))
    entries = {
        "mimetype": b"image/openraster",
        "stack.xml": STACK.format(w=w, h=h, mask=mask_src).encode(),
        "data/image.png": layer,
        "data/mask.png": layer,
        "mergedimage.png": layer,
    }
    entries.update(extra)
    return entries


def test_round_trip_is_exact_with_mask_and_metadata(tmp_path: Path, project):
    image, mask = project
    meta = {"model": "opencv-telea", "seed": 7, "params": {"radius": 4}, "prompt": "ünïcode"}
    path = save_ora(tmp_path / "p.ora", image, mask, meta, source="/photos/a.png")
    loaded = load_ora(path)
    np.testing.assert_array_equal(loaded.image, image)
    np.testing.assert_array_equal(loaded.mask, mask)
    assert loaded.metadata == meta and loaded.source == "/photos/a.png" and not loaded.notes
    assert loaded.loaded().source_format == "OpenRaster" and loaded.loaded().size == (512, 512)


def test_layout_follows_the_openraster_spec(tmp_path: Path, project):
    image, mask = project
    path = save_ora(tmp_path / "p.ora", image, mask)
    with zipfile.ZipFile(path) as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert z.read("mimetype") == b"image/openraster"
        names = set(z.namelist())
        assert {"stack.xml", "mergedimage.png", "Thumbnails/thumbnail.png", "genimg/project.json"} <= names
        thumb = Image.open(io.BytesIO(z.read("Thumbnails/thumbnail.png")))
        assert max(thumb.size) == 256
        stack = z.read("stack.xml").decode()
        mask_png = np.asarray(Image.open(io.BytesIO(z.read("data/mask.png"))))
    # The raw bytes start with the stored mimetype (how `file` and desktops sniff the type).
    assert path.read_bytes()[30:54] == b"mimetypeimage/openraster"
    assert stack.index('name="mask"') < stack.index('name="image"')  # top layer first
    assert 'visibility="hidden"' in stack
    assert (mask_png[..., :3] == 255).all() and (mask_png[..., 3] == mask).all()


def test_failed_save_leaves_the_old_project_intact(tmp_path: Path, project, monkeypatch):
    image, mask = project
    path = save_ora(tmp_path / "p.ora", image, mask)
    old = path.read_bytes()

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(ImageSaveError, match="No space left"):
        save_ora(path, np.zeros_like(image), mask)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["p.ora"]


def test_mask_of_another_size_is_a_programming_error(tmp_path: Path, project):
    image, _ = project
    with pytest.raises(ValueError):
        save_ora(tmp_path / "p.ora", image, np.zeros((3, 3), np.uint8))
    assert not (tmp_path / "p.ora").exists()


def test_files_of_other_apps_open_without_our_metadata(tmp_path: Path):
    merged = np.full((6, 8, 4), 200, np.uint8)
    entries = minimal()
    entries["mergedimage.png"] = png(merged)
    del entries["mimetype"]  # tolerated: some writers leave it out
    loaded = load_ora(write_zip(tmp_path / "krita.ora", entries))
    np.testing.assert_array_equal(loaded.image, merged)
    assert loaded.metadata == {} and loaded.source is None and not loaded.mask.any()


def test_garbage_metadata_is_ignored_with_a_note(tmp_path: Path):
    path = write_zip(tmp_path / "g.ora", minimal(**{"genimg/project.json": b"{not json"}))
    loaded = load_ora(path)
    assert loaded.metadata == {} and "ignored" in loaded.notes[0]


def test_a_cropped_mask_layer_is_placed_at_its_offset_and_clipped(tmp_path: Path):
    """Krita, GIMP and MyPaint write layers cropped to their content, at an offset."""
    layer = np.zeros((4, 5, 4), np.uint8)
    layer[..., 3] = np.arange(20, dtype=np.uint8).reshape(4, 5) + 1
    entries = minimal(**{"data/mask.png": png(layer)})
    entries["stack.xml"] = entries["stack.xml"].replace(b'name="mask"', b'name="mask" x="6" y="-1"')
    mask = load_ora(write_zip(tmp_path / "crop.ora", entries)).mask
    expected = np.zeros((6, 8), np.uint8)
    expected[0:3, 6:8] = layer[1:4, 0:2, 3]
    np.testing.assert_array_equal(mask, expected)


def bomb(size: int) -> bytes:
    return bytes(size)  # zeros: a few kilobytes once deflated


BAD = {
    "not-a-zip": (lambda p: p.write_bytes(b"PK\x03\x04 this is no zip at all" * 10), "not an OpenRaster"),
    "empty": (lambda p: p.write_bytes(b""), "empty"),
    "no-stack": (lambda p: write_zip(p, {"mimetype": b"image/openraster"}), "no stack.xml"),
    "wrong-mimetype": (lambda p: write_zip(p, minimal(mimetype=b"application/zip")), "not an OpenRaster"),
    "not-xml": (lambda p: write_zip(p, {"stack.xml": b"<image"}), "not valid XML"),
    "entities": (
        lambda p: write_zip(p, {"stack.xml": b'<!DOCTYPE x [<!ENTITY a "aaaa">]><image w="1" h="1"/>'}),
        "entities",
    ),
    "no-size": (lambda p: write_zip(p, {"stack.xml": b"<image><stack/></image>"}), "canvas size"),
    "huge-canvas": (lambda p: write_zip(p, minimal(w=100_000)), "largest supported size"),
    "escaping-path": (lambda p: write_zip(p, minimal(mask_src="../../etc/passwd")), "outside the archive"),
    "absolute-path": (lambda p: write_zip(p, minimal(mask_src="/etc/passwd")), "outside the archive"),
    "missing-layer": (lambda p: write_zip(p, minimal(mask_src="data/nope.png")), "is missing"),
    "no-merged": (
        lambda p: write_zip(p, {k: v for k, v in minimal().items() if "merged" not in k}),
        "merged",
    ),
    "merged-size": (
        lambda p: write_zip(p, minimal(**{"mergedimage.png": png(np.zeros((5, 5, 4), np.uint8))})),
        "must be the canvas size",
    ),
    "layer-larger": (
        lambda p: write_zip(p, minimal(**{"data/mask.png": png(np.zeros((6, 9, 4), np.uint8))})),
        "no larger than the canvas",
    ),
    "layer-garbage": (lambda p: write_zip(p, minimal(**{"mergedimage.png": b"garbage"})), "merged image"),
    "zip-bomb-layer": (lambda p: write_zip(p, minimal(**{"mergedimage.png": bomb(20_000_000)})), "zip bomb"),
    "zip-bomb-xml": (lambda p: write_zip(p, {"stack.xml": b"<image>" + bomb(5_000_000)}), "zip bomb"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_projects_are_refused_with_a_clear_message(tmp_path: Path, case: str):
    make, words = BAD[case]
    path = tmp_path / f"{case}.ora"
    make(path)
    with pytest.raises(ImageLoadError, match=words):
        load_ora(path)


def test_a_lying_zip_header_is_caught(tmp_path: Path):
    """Corrupted compressed data inside a well-formed archive: zlib or the CRC check refuses it."""
    path = write_zip(tmp_path / "lie.ora", minimal())
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("mergedimage.png")
    at = info.header_offset + 30 + len(info.filename)  # first byte of the (deflated) data
    data[at + 20] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ImageLoadError, match="damaged|not an OpenRaster"):
        load_ora(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzzed_projects_open_or_give_a_message(tmp_path: Path, data: st.DataObject):
    """Flip, cut or splice bytes of a valid project: the reader only ever returns or says why."""
    valid = bytearray((write_zip(tmp_path / "v.ora", minimal(**{"genimg/project.json": b"{}"}))).read_bytes())
    cut = data.draw(st.integers(0, len(valid)))
    flips = data.draw(st.lists(st.tuples(st.integers(0, len(valid) - 1), st.integers(1, 255)), max_size=8))
    for at, xor in flips:
        valid[at] ^= xor
    path = tmp_path / "f.ora"
    path.write_bytes(bytes(valid[:cut]) + data.draw(st.binary(max_size=64)))
    try:
        loaded = load_ora(path)
    except ImageLoadError as exc:
        assert str(exc)
    else:
        assert loaded.image.shape[:2] == loaded.mask.shape
        json.dumps(loaded.metadata)
