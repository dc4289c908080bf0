"""Block the network in this Python process and record every attempt to use it.

`install(log_path)` replaces the socket functions that reach other machines (connect, sendto, name
lookups) with ones that append a line to `log_path` and raise OSError, so code that swallows the error
is still caught by the log. Local IPC (AF_UNIX) stays allowed: it is not the network. Loaded into a
subprocess through tests/support/sitecustomize.py, before any app code runs.

Limits: connections made by C/C++ code that does not go through Python's socket module (e.g. Qt's own
network classes) are not seen; the app uses none.
"""

from __future__ import annotations

import errno
import socket
import traceback
from typing import Any

_state: dict[str, Any] = {"log": None, "installed": False}
_ORIGINAL = {name: getattr(socket.socket, name) for name in ("connect", "connect_ex", "sendto", "sendmsg")}


def installed() -> bool:
    return bool(_state["installed"])


def _record(what: str, target: Any) -> None:
    where = "".join(traceback.format_stack(limit=8)[:-2]).replace("\n", " | ")
    line = f"{what} {target!r} from: {where}\n"
    if _state["log"]:
        with open(_state["log"], "a", encoding="utf-8") as fh:
            fh.write(line)


def _refuse(what: str, target: Any) -> OSError:
    _record(what, target)
    return OSError(errno.ENETUNREACH, f"network disabled by the test ({what} {target!r})")


def _is_local(sock: socket.socket) -> bool:
    return getattr(socket, "AF_UNIX", None) is not None and sock.family == socket.AF_UNIX


def _guard_method(name: str) -> Any:
    original = _ORIGINAL[name]

    def guarded(self: socket.socket, *args: Any) -> Any:
        if _is_local(self):
            return original(self, *args)
        raise _refuse(f"socket.{name}", args[-1] if args else None)

    return guarded


def _guard_function(name: str) -> Any:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        raise _refuse(f"socket.{name}", args[0] if args else kwargs)

    return guarded


def install(log_path: str | None = None) -> None:
    """Block and log; idempotent."""
    _state["log"] = log_path
    if _state["installed"]:
        return
    for name in _ORIGINAL:
        setattr(socket.socket, name, _guard_method(name))
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr"):
        setattr(socket, name, _guard_function(name))
    _state["installed"] = True
