"""Fixtures shared by the UI tests."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox


@pytest.fixture
def messages(monkeypatch):
    """QMessageBox calls recorded instead of blocking the test."""
    seen: list[tuple[str, str]] = []

    def record(kind):
        def fn(parent, title, text, *args, **kwargs):
            seen.append((kind, f"{title}: {text}"))
            return QMessageBox.StandardButton.Discard if kind == "question" else QMessageBox.StandardButton.Ok

        return staticmethod(fn)

    for kind in ("warning", "information", "critical", "question"):
        monkeypatch.setattr(QMessageBox, kind, record(kind))
    return seen
