"""The `genimg` command (pyproject: `genimg = genimg_desktop.cli:main`): main.py parses and dispatches;
one module per subcommand (inpaint, train, generate, evaluate for `genimg eval`, bench); common.py
holds what they share."""

from genimg_desktop.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
