"""Entry point of the packaged app (PyInstaller runs this file): the same `genimg` command as pip's.

`genimg` opens the window, `genimg --self-test` checks the installation, `genimg models` lists models.
"""

import multiprocessing
import sys

from genimg_desktop.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # DataLoader workers / torchrun on Windows and macOS re-enter here
    sys.exit(main())
