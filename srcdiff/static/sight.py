"""Refuse code that runs out of the compiler's sight: ``eval``, ``exec``, ``locals()``...

``eval("x * 2.0")`` computes a value the compiler never sees, so the gradient
through it would silently be zero; ``locals()``, ``vars()`` and ``globals()``
read variables by name (and the generated function has globals of its own).
A differentiated function that calls any of them is refused with
``UnsupportedSyntax`` at the call's line, before any other pass runs.

Invariant: after this check, every value the function computes is computed
by code the compiler reads.
"""

import builtins

import gast

from srcdiff.static.activity import resolve
from srcdiff.static.nodes import walk

# What each refused builtin is called in messages.
_OUT_OF_SIGHT = {
    builtins.eval: "eval()",
    builtins.exec: "exec()",
    builtins.globals: "globals()",
    builtins.locals: "locals()",
    builtins.vars: "vars()",
}


def check_in_sight(source):
    """Raise ``UnsupportedSyntax`` at the first call to a builtin of ``_OUT_OF_SIGHT``."""
    for node in walk(source.tree):
        if not isinstance(node, gast.Call):
            continue
        try:
            what = _OUT_OF_SIGHT.get(resolve(node.func, source))
        except TypeError:  # an unhashable callee
            what = None
        if what == "vars()" and node.args:
            what = None  # vars(obj) reads the object's attributes, not variables
        if what is not None:
            raise source.error(
                node,
                f"{what} is not supported: it runs code or reads variables out of "
                "srcdiff's sight, so a gradient through it would be lost; write the "
                'expression out, or differentiate with mode="trace"',
            )
