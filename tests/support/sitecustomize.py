"""Python imports `sitecustomize` at start-up from sys.path: putting tests/support on PYTHONPATH with
GENIMG_NONET_LOG set blocks the network (see nonet.py) before any other code of the process runs."""

import os

if os.environ.get("GENIMG_NONET_LOG"):
    import nonet

    nonet.install(os.environ["GENIMG_NONET_LOG"])
