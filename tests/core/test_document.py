"""The Document model: arrays, size, listeners."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from genimg_desktop.core.document import Document
from genimg_desktop.core.imageio import LoadedImage


def test_blank_document():
    doc = Document.blank(30, 20, (1, 2, 3, 4))
    assert doc.size == (30, 20)
    assert doc.image.shape == (20, 30, 4) and (doc.image == (1, 2, 3, 4)).all()
    assert doc.mask.shape == (20, 30) and doc.mask.dtype == np.uint8 and not doc.mask.any()
    assert doc.path is None and doc.metadata == {} and not doc.modified


def test_from_loaded_keeps_metadata_and_path(tmp_path: Path):
    rgba = np.zeros((5, 7, 4), np.uint8)
    loaded = LoadedImage(rgba, "RGB", "PNG", (7, 5), {"seed": 3}, [])
    doc = Document.from_loaded(loaded, tmp_path / "a.png")
    assert doc.size == (7, 5) and doc.path == tmp_path / "a.png" and doc.metadata == {"seed": 3}
    doc.metadata["seed"] = 4
    assert loaded.metadata == {"seed": 3}  # the document owns its own dict


def test_rgb_is_a_contiguous_copy_without_alpha():
    doc = Document.blank(4, 3, (10, 20, 30, 0))
    rgb = doc.rgb()
    assert rgb.shape == (3, 4, 3) and rgb.flags["C_CONTIGUOUS"] and (rgb == (10, 20, 30)).all()
    rgb[:] = 0
    assert doc.image[0, 0, 0] == 10


def test_listeners_get_kind_and_rect():
    doc = Document.blank(8, 8)
    seen = []

    def cb(kind, rect):
        seen.append((kind, rect))

    doc.add_listener(cb)
    doc.add_listener(cb)  # registering twice does not double the calls
    doc.notify("mask", (1, 2, 3, 4))
    assert seen == [("mask", (1, 2, 3, 4))] and doc.modified  # mask work is unsaved work too
    doc.modified = False
    doc.notify("image")
    assert seen[-1] == ("image", None) and doc.modified
    doc.remove_listener(cb)
    doc.remove_listener(cb)  # removing an absent listener is harmless
    doc.notify("mask")
    assert len(seen) == 2
    with pytest.raises(ValueError):
        doc.notify("pixels")


def test_listener_may_remove_itself_during_notify():
    doc = Document.blank(2, 2)
    calls = []

    def once(kind, rect):
        calls.append("once")
        doc.remove_listener(once)

    doc.add_listener(once)
    doc.add_listener(lambda kind, rect: calls.append("other"))
    doc.notify("mask")
    doc.notify("mask")
    assert calls == ["once", "other", "other"]


def test_replace_resets_mask_and_notifies(tmp_path: Path):
    doc = Document.blank(8, 8)
    doc.mask[:] = 255
    seen = []
    doc.add_listener(lambda kind, rect: seen.append((kind, rect)))
    doc.replace(np.zeros((5, 6, 4), np.uint8))
    assert doc.size == (6, 5) and doc.mask.shape == (5, 6) and not doc.mask.any()
    assert seen == [("reset", None)] and doc.modified and doc.path is None
    doc.replace(np.zeros((2, 2, 4), np.uint8), path=tmp_path / "b.png")
    assert doc.path == tmp_path / "b.png" and not doc.modified


@pytest.mark.parametrize("shape", [(4, 4, 3), (4, 4), (0, 4, 4)])
def test_document_rejects_non_rgba(shape):
    with pytest.raises(ValueError):
        Document(np.zeros(shape, np.uint8))
    with pytest.raises(ValueError):
        Document.blank(2, 2).replace(np.zeros(shape, np.uint8))
