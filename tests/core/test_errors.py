"""One line of an exception, as the status bar, `genimg` and the self-test show it."""

from __future__ import annotations

from genimg_desktop.core.errors import one_line


def test_the_first_line_of_the_message():
    assert one_line(ValueError("bad size\nTraceback-like detail")) == "bad size"
    assert one_line(ValueError("  \n bad size")) == "bad size"


def test_a_key_error_shows_its_key_without_quotes():
    assert one_line(KeyError("no model 'x'")) == "no model 'x'"


def test_no_message_gives_the_type_name_and_with_type_prefixes_it():
    assert one_line(RuntimeError()) == "RuntimeError"
    assert one_line(RuntimeError("  ")) == "RuntimeError"
    assert one_line(OSError("disk full"), with_type=True) == "OSError: disk full"
    assert one_line(OSError(), with_type=True) == "OSError"
