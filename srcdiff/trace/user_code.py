"""Which functions are the user's, and naming the user's line in error messages.

``trace_vjp`` gives its own namespace (``namespace.py``) to the user's
functions only: a function is the user's when its code comes from a file that
is not NumPy, srcdiff or anything installed (the standard library,
site-packages), or from ``<stdin>``, ``<string>`` or a notebook cell.  That is
a property of the function, decided once per file, never of who calls it.

Error messages quote the user's line (``leaving_graph``, ``user_line``): they
walk the stack to the innermost frame of the user's code.  Only the message
depends on the stack; what happens never does.
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
    if filename.startswith("<"):  # <stdin>, <string>, notebook cells
        # not <frozen ...> modules, nor the adjoints srcdiff generates (<srcdiff: ...>)
        user = not filename.startswith(("<frozen", "<srcdiff"))
    else:
        path = os.path.abspath(filename)
        user = not (path.startswith(_LIBRARY_DIRS) or any(part in path for part in _INSTALLED))
    _USER_FILES[filename] = user
    return user


def _user_frame():
    frame = sys._getframe(2)
    while frame is not None and not is_user_file(frame.f_code.co_filename):
        frame = frame.f_back
    return frame


def user_line():
    """`` at FILE:LINE: `source` `` for the innermost user frame, for a message ('' if none)."""
    frame = _user_frame()
    if frame is None:
        return ""
    line = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
    return f" at {frame.f_code.co_filename}:{frame.f_lineno}: `{line}`"


_STORES = (
    " (an ndarray made in code reached through an object, such as a method, is NumPy's own: "
    "only the differentiated function and the functions it reaches by name get srcdiff's "
    "np.zeros & co.)"
)


def leaving_graph(what, instead, store=False):
    """Inside ``trace_vjp``, a Tensor leaving the graph is an error naming the user's line.

    ``store``: the conversion may come from storing the Tensor into an ndarray.
    """
    if not GRAD_STATE.flags.strict:
        return
    where, hint = user_line(), instead
    match = re.search(r"\bmath\.(\w+)", where)
    if match:
        fn = match.group(1)
        what = f"passed to math.{fn}, which converts it to a Python float"
        hint = f"np.{fn}" if hasattr(np, fn) else f"NumPy functions (there is no np.{fn})"
    raise DifferentiationError(
        f"a Tensor that requires grad was {what}{where}; that drops its gradient. "
        f"Use {hint} instead, so the tracing mode can differentiate it" + (_STORES if store else "")
    )
