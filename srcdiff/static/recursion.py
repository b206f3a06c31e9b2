"""Room for long expressions while the static compiler runs.

The passes walk expression trees recursively (``gast``'s conversion, copies,
rendering), about five Python frames per operator, so a chain such as
``x * 1.0 + x + ... + x`` of a few hundred terms would pass Python's default
recursion limit of 1,000, although Python itself compiles chains of about
3,000 terms.  ``deep_expressions`` raises the limit while a function is
compiled and restores it when the last compilation in any thread ends; a
function too deep even then is refused with ``UnsupportedSyntax``.

Invariant: outside a compilation the recursion limit is the one the program
set; it is never lowered, and a limit the program changes meanwhile is kept.
"""

import ast
import contextlib
import inspect
import sys
import textwrap
import threading

from srcdiff.errors import UnsupportedSyntax, located
from srcdiff.static.parse import python_tree

# Enough for chains of the length Python compiles with its default limit.
LIMIT = 20_000

_lock = threading.Lock()
_compiling = 0  # compilations in progress, in all threads
_saved = None  # the limit before the first of them started


@contextlib.contextmanager
def deep_expressions(fn):
    """Run the compilation of ``fn`` with room for deep expressions."""
    _enter()
    try:
        yield
    except RecursionError:
        filename, lineno = _deepest_line(fn)
        raise UnsupportedSyntax(
            located(
                filename,
                lineno,
                "an expression nested too deeply for the static compiler; split it into "
                'several statements, or use mode="trace"',
            )
        ) from None
    finally:
        _leave()


def _deepest_line(fn):
    """(file, line) of ``fn``'s statement with the most deeply nested expression."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return "<unknown>", 0
    try:
        tree = python_tree(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError, RecursionError):
        return code.co_filename, code.co_firstlineno
    deepest, line = -1, 1
    stack = [(tree, 0, 1)]
    while stack:  # iterative: the tree is too deep to walk recursively
        node, depth, lineno = stack.pop()
        if isinstance(node, ast.stmt):
            lineno = node.lineno
        if depth > deepest:
            deepest, line = depth, lineno
        stack.extend((child, depth + 1, lineno) for child in ast.iter_child_nodes(node))
    return code.co_filename, code.co_firstlineno + line - 1


def _enter():
    global _compiling, _saved
    with _lock:
        if _compiling == 0:
            _saved = sys.getrecursionlimit()
            if _saved < LIMIT:
                sys.setrecursionlimit(LIMIT)
        _compiling += 1


def _leave():
    global _compiling
    with _lock:
        _compiling -= 1
        if _compiling == 0 and sys.getrecursionlimit() == max(LIMIT, _saved):
            sys.setrecursionlimit(_saved)
