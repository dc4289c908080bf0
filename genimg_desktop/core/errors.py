"""Errors as one line: what a status bar, a terminal or a self-test report shows of an exception."""

from __future__ import annotations


def one_line(exc: BaseException, *, with_type: bool = False) -> str:
    """The first line of the exception's message (a KeyError's key without its quotes); the type's
    name when there is no message, or before the message with `with_type`."""
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    lines = text.strip().splitlines()
    name = type(exc).__name__
    if not lines:
        return name
    return f"{name}: {lines[0]}" if with_type else lines[0]
