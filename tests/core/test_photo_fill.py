"""core/photo_fill.py: the fill the app offers first for a photo, with fallbacks when it is missing."""

from __future__ import annotations

from genimg_desktop.core.photo_fill import preferred, rank


def test_the_hybrid_first_then_patchmatch_then_telea_then_the_rest():
    listed = ["gan-emoji-64", "opencv-telea", "patchmatch", "inpaint-fill", "hybrid-fill"]
    assert preferred(listed) == "hybrid-fill"
    assert preferred(["opencv-telea", "patchmatch"]) == "patchmatch"  # the hybrid not listed
    assert preferred(["inpaint-fill"]) is None
    assert sorted(listed, key=rank)[:3] == ["hybrid-fill", "patchmatch", "opencv-telea"]
