"""Values a backward loop computes again instead of saving them on a stack.

``x_t = xs[t]`` in a loop saves every ``x_t`` on a stack so that the
backward loop reads the value of its own iteration.  When ``xs`` and ``t``
still hold, at the end of the iteration, the values they had at that
statement, the backward loop can read ``xs[t]`` again at the top of its
iteration: the restores of the other saves bring every name it reads back to
its value at the end of that forward iteration.

A statement qualifies when it is directly in the loop's body and
- it is cheap: a basic index (``xs[t]``, ``xs[t, 1:]``, by numbers or names
  surely holding scalars) or ``.T`` of a name, a view or the item itself, of
  a name the loop does not assign (else that array would be saved in its place);
- it is the only assignment of its name, and every read of that name comes
  after it in the same iteration (the name carries no value between
  iterations, nor out of the loop);
- after it, the rest of the body assigns none of the names it reads, and
  changes no object in place: no item or attribute assignment, no augmented
  assignment, no call other than NumPy's, ``math``'s and a few builtins
  (without ``out=``) or of methods that only read (another name may be an
  alias of ``xs``).

Invariant: a recomputed value equals the value the forward sweep computed in
the same iteration.
"""

from collections import Counter

import gast
import numpy as np

from srcdiff.static.activity import resolve
from srcdiff.static.nodes import walk

# NumPy functions that write into an argument.
_NUMPY_WRITERS = {np.copyto, np.put, np.place, np.putmask, np.fill_diagonal, np.put_along_axis}
_READING_BUILTINS = {len, range, float, int, abs, min, max, sum, bool, round, pow, isinstance}
_READING_METHODS = frozenset(
    {
        "sum",
        "mean",
        "prod",
        "max",
        "min",
        "std",
        "var",
        "dot",
        "reshape",
        "transpose",
        "copy",
        "astype",
        "ravel",
        "flatten",
        "squeeze",
        "item",
        "any",
        "all",
    }
)


def recomputable(loop, saves, counts, scalars, source, assigned=frozenset()):
    """The saves of ``loop``'s body whose values the backward loop may compute again.

    ``saves`` maps ``id(statement)`` to its saves, ``counts`` is a pair of
    Counters: the assignments and the reads of each name in the whole function; ``scalars`` are the names that surely hold
    scalars, ``assigned`` the names the loop assigns.  Returns the saves, each with
    its ``recompute`` statement set.
    """
    found = []
    body = loop.body
    definitions, loads = counts
    for k, stmt in enumerate(body):
        if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)):
            continue
        var = stmt.targets[0].id
        if definitions[var] != 1:
            continue
        stmt_saves = saves.get(id(stmt), [])
        if len(stmt_saves) != 1 or stmt_saves[0].index is not None:
            continue
        if not _cheap(stmt.value, scalars) or stmt.value.value.id in assigned:
            continue  # (an array the loop rebinds would have to be kept in its place)
        reads = {n.id for n in walk(stmt.value) if isinstance(n, gast.Name)}
        rest = body[k + 1 :]
        if var in reads or loads_of(rest)[var] != loads[var]:
            continue
        if not _leaves_alone(rest, reads, source):
            continue
        stmt_saves[0].recompute = stmt
        found.append(stmt_saves[0])
    return found


def loads_of(nodes):
    """How many times each name is read in ``nodes``."""
    return Counter(
        n.id
        for node in nodes
        for n in walk(node)
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)
    )


def _cheap(value, scalars):
    """A view of a name's array, or an item of its container."""
    if isinstance(value, gast.Attribute):
        return value.attr == "T" and isinstance(value.value, gast.Name)
    if isinstance(value, gast.Subscript):
        return isinstance(value.value, gast.Name) and _basic(value.slice, scalars)
    return False


def _basic(index, scalars):
    if isinstance(index, gast.Constant):
        return index.value is None or index.value is Ellipsis or type(index.value) is int
    if isinstance(index, gast.Name):
        return index.id in scalars
    if isinstance(index, gast.UnaryOp) and isinstance(index.op, gast.USub):
        return _basic(index.operand, scalars)
    if isinstance(index, gast.Slice):
        return all(p is None or _basic(p, scalars) for p in (index.lower, index.upper, index.step))
    if isinstance(index, gast.Tuple):
        return all(_basic(e, scalars) for e in index.elts)
    return False


def _leaves_alone(body, names, source):
    """Do these statements keep ``names`` bound to the same, unchanged objects?"""
    for node in (n for stmt in body for n in walk(stmt)):
        if isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load):
            if node.id in names:
                return False
        elif isinstance(node, (gast.Subscript, gast.Attribute)):
            if not isinstance(node.ctx, gast.Load):
                return False  # an item of an object that may be an alias of one read
        elif isinstance(node, (gast.AugAssign, gast.Delete, gast.Global, gast.Nonlocal)):
            return False
        elif isinstance(node, gast.Call) and not _only_reads(node, source):
            return False
    return True


def _only_reads(call, source):
    """A call that changes none of its arguments."""
    if any(k.arg == "out" for k in call.keywords):
        return False
    func = call.func
    if isinstance(func, gast.Attribute) and func.attr in _READING_METHODS:
        if isinstance(func.value, gast.Name) and resolve(func.value, source) is None:
            return True  # a method that only reads a local value
    fn = resolve(func, source)
    try:
        if fn is None or fn in _NUMPY_WRITERS:
            return False
        if fn in _READING_BUILTINS:
            return True
    except TypeError:  # an object that cannot be hashed
        return False
    module = getattr(fn, "__module__", None) or ""
    return module.split(".")[0] in ("numpy", "math") and "random" not in module
