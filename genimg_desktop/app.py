"""Start the desktop app: the window is on screen before torch is imported (on the worker)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from genimg_desktop import APP_NAME, __version__
from genimg_desktop.core.paths import resources_dir
from genimg_desktop.ui import startup_probe
from genimg_desktop.ui.settings import APPLICATION, ORGANISATION

if TYPE_CHECKING:
    from genimg_desktop.ui.main_window import MainWindow


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from genimg_desktop.ui.demo_studio import SCENES as STUDIO_SCENES

    parser = argparse.ArgumentParser(prog="genimg gui", description=f"Start {APP_NAME}.")
    parser.add_argument("image", nargs="?", type=Path, help="an image to open")
    parser.add_argument("--open", dest="open_path", type=Path, help="an image to open")
    parser.add_argument(
        "--demo",
        nargs="?",
        const="inpaint",
        choices=("inpaint", *STUDIO_SCENES),
        metavar="SCENE",
        help="open a sample photo with a mask and a staged result; or, with a SCENE, drive one studio "
        f"view with the installed models ({', '.join(STUDIO_SCENES)}), e.g. for --screenshot",
    )
    parser.add_argument("--screenshot", type=Path, help="save a screenshot of the window there, then quit")
    parser.add_argument("--quit-after", type=int, metavar="MS", help="quit after this many milliseconds")
    return parser.parse_args(argv)


def make_application(argv: list[str]) -> QApplication:
    app = QApplication.instance() or QApplication(argv)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationVersion(__version__)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    icon = resources_dir() / "genimg.png"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    app = make_application([sys.argv[0]])
    from genimg_desktop.ui.exit_signals import ExitSignals
    from genimg_desktop.ui.main_window import MainWindow  # after QApplication exists

    window = MainWindow()
    ExitSignals(window)  # logout, shutdown or kill: the work is autosaved for recovery, then the app exits
    window.show()
    # Start the engine once the event loop has painted the window: torch loads on the worker.
    QTimer.singleShot(0, window.start_engine)
    startup_probe.install(window)  # `genimg bench` timing; inert unless GENIMG_STARTUP_PROBE is set
    path = args.open_path or args.image
    offer = not (args.demo or args.screenshot)  # scripted runs must not stop at a question
    QTimer.singleShot(0, lambda: _after_start(window, path, offer))
    if args.demo or args.screenshot:
        from genimg_desktop.ui.demo import run_demo

        run_demo(window, demo=args.demo, screenshot=args.screenshot)
    if args.quit_after is not None:
        QTimer.singleShot(args.quit_after, window.close)
    return int(app.exec())


def _after_start(window: MainWindow, path: Path | None, offer_recovery: bool) -> None:
    """Work a crash left behind is offered first, so opening a file never hides it."""
    from genimg_desktop.ui import file_ops, recovery
    from genimg_desktop.ui.test_hooks import apply_test_hooks

    if offer_recovery:
        recovery.offer_recovery(window)
    apply_test_hooks(window, path)  # inert unless a test asks; they run once `path` is open
    if path is not None:
        file_ops.open_path(window, path)
