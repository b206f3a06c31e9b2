"""Telling the user's code from libraries, and naming the user's line in errors.

``trace_vjp`` runs arbitrary user code.  Two things depend on where a call
comes from: NumPy's array factories give Tensors only to the user's code
(``array_factories.py``), and a Tensor that silently leaves the graph there
(``float(t)``, ``math.exp(t)``) is an error that quotes the user's line.
Library code is NumPy, srcdiff itself, and anything installed (the standard
library, site-packages); the decision is made once per source file.
"""

import linecache
import os
import re
import sys
import sysconfig

import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.trace.grad_mode import GRAD_STATE

_SRCDIFF_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_LIBRARY_DIRS = tuple(
    {
        os.path.abspath(sysconfig.get_paths()[key]) + os.sep
        for key in ("stdlib", "platstdlib", "purelib", "platlib")
    }
    | {os.path.dirname(os.path.abspath(np.__file__)) + os.sep, _SRCDIFF_DIR}
)
_INSTALLED = (f"{os.sep}site-packages{os.sep}", f"{os.sep}dist-packages{os.sep}")
_USER_FILES = {}


def is_user_file(filename):
    """Whether code in ``filename`` is the user's (not NumPy, srcdiff or an installed library)."""
    try:
        return _USER_FILES[filename]
    except KeyError:
        pass
    if filename.startswith("<"):  # <stdin>, <string>, notebook cells; not <frozen ...>
        user = not filename.startswith("<frozen")
    else:
        path = os.path.abspath(filename)
        user = not (path.startswith(_LIBRARY_DIRS) or any(part in path for part in _INSTALLED))
    _USER_FILES[filename] = user
    return user


def leaving_graph(what, instead):
    """Inside ``trace_vjp``, a Tensor leaving the graph is an error naming the user's line."""
    if not GRAD_STATE.strict:
        return
    frame = sys._getframe(2)
    while frame is not None and not is_user_file(frame.f_code.co_filename):
        frame = frame.f_back
    where, hint = "", instead
    if frame is not None:
        line = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
        where = f" at {frame.f_code.co_filename}:{frame.f_lineno}: `{line}`"
        match = re.search(r"\bmath\.(\w+)", line)
        if match:
            fn = match.group(1)
            what = f"passed to math.{fn}, which converts it to a Python float"
            hint = f"np.{fn}"
    raise DifferentiationError(
        f"a Tensor that requires grad was {what}{where}; that drops its gradient. "
        f"Use {hint} instead, so the tracing mode can differentiate it"
    )
