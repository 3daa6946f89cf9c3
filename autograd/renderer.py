"""The program that turns DOT text into pictures: Graphviz's `dot` when it is on PATH, else
the `graphviz-pure` program that pip installed with this package (no system Graphviz needed)."""

import os
import shutil
import sys
import sysconfig
import threading
from contextlib import contextmanager
from pathlib import Path

from graphviz.backend import dot_command

PURE = "graphviz-pure"
_lock = threading.Lock()


def program() -> str | None:
    """The path of `dot` on PATH, else of graphviz-pure, else None."""
    return shutil.which("dot") or pure_program()


def pure_program() -> str | None:
    """The path of graphviz-pure: beside the running interpreter (so it is found in a virtual
    environment that was never activated), else on PATH; None if it is not installed."""
    return shutil.which(PURE, path=os.pathsep.join(_pure_folders()))


def _pure_folders() -> list[str]:
    """Where pip puts graphviz-pure for this interpreter, then PATH."""
    scripts = sysconfig.get_path("scripts")
    return [scripts, str(Path(sys.executable).parent), os.environ.get("PATH", "")]


@contextmanager
def found_program():
    """Point the graphviz package at program() while the block renders.

    The package runs the program named by one module-level setting; it is changed and restored
    under a lock, so renders in several threads do not see each other's choice. With no program
    found the setting stays `dot` and the package raises its ExecutableNotFound.
    """
    with _lock:
        saved = dot_command.DOT_BINARY
        found = program()
        if found is not None:
            dot_command.DOT_BINARY = Path(found)
        try:
            yield
        finally:
            dot_command.DOT_BINARY = saved
