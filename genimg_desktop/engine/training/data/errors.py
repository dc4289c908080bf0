"""Errors raised while preparing a data set; str(exc) is a message for the user."""

from __future__ import annotations

from pathlib import Path


class DatasetError(Exception):
    """The data set cannot be prepared (unknown name, nothing usable, bad arguments...)."""


class SourceMissingError(DatasetError):
    """A source's files are not installed; the message says how to install them."""

    def __init__(self, what: str, path: Path, install: str) -> None:
        super().__init__(f"{what} is not installed (looked for {path}); install it with: {install}")
        self.path = path
        self.install = install


def require(path: Path, what: str, install: str) -> Path:
    """`path` itself, or SourceMissingError naming the command that installs it."""
    if not path.exists():
        raise SourceMissingError(what, path, install)
    return path
