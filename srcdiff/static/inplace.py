"""In-place NumPy calls as item assignments, which the compiler follows.

``np.copyto(a, v)``, ``a.fill(v)`` and ``np.multiply(x, y, out=a)`` change
``a``'s array without assigning ``a``.  Read as plain calls, the backward
pass would see ``a``'s new values where it needs the old ones (``y = a * w``
before ``a.fill(2.0)`` needs the old ``a``), a silent wrong gradient.  They
are written as what they mean, ``a[...] = v``, ``a[...] = v`` and
``a[...] = np.multiply(x, y)``: an item assignment, which the fence
(``inputs.py``) checks and the backward pass restores.  The calls that write
into part of an array by positions or masks (``np.put``, ``np.place``,
``np.putmask``, ``np.fill_diagonal``, ``np.put_along_axis``, a ufunc's
``at``, ``np.random.shuffle``) and the array methods ``put``, ``itemset`` and
``resize`` are refused by name.

Invariant: no statement left writes into an array in place except by an item
assignment, an augmented assignment or a method the fence checks.
"""

import dataclasses

import gast
import numpy as np

from srcdiff.static.activity import resolve
from srcdiff.static.names import clone, const
from srcdiff.static.nodes import walk

_REFUSED_FUNCTIONS = {
    np.put: "np.put",
    np.place: "np.place",
    np.putmask: "np.putmask",
    np.fill_diagonal: "np.fill_diagonal",
    np.put_along_axis: "np.put_along_axis",
    np.random.shuffle: "np.random.shuffle",
}
_REFUSED_METHODS = frozenset({"put", "itemset", "resize"})
_BLOCKS = (gast.FunctionDef, gast.If, gast.For, gast.While, gast.With, gast.Try)
_HEADERS = {gast.If: "test", gast.For: "iter", gast.While: "test"}


def rewrite_inplace_calls(source):
    """``source``, or a copy whose in-place calls are item assignments (module docstring)."""
    if not any(_writes(node, source) for node in walk(source.tree)):
        return source
    tree = clone(source.tree)  # the parsed tree stays as the user wrote it
    for node in [n for n in walk(tree) if isinstance(n, _BLOCKS)]:
        for field in ("body", "orelse"):
            body = getattr(node, field, [])
            body[:] = [out for stmt in body for out in _rewritten(stmt, source)]
    out = dataclasses.replace(source, tree=tree)
    out.locals = source.locals
    return out


def _writes(node, source):
    """Does ``node`` write into an array in place by a call?"""
    if not isinstance(node, gast.Call):
        return False
    func = node.func
    if isinstance(func, gast.Attribute) and func.attr in ("fill", "at", *_REFUSED_METHODS):
        return True
    meaning = resolve(func, source)
    if any(k.arg == "out" for k in node.keywords):
        return _is_numpy(meaning)
    return meaning is np.copyto or _known(meaning) is not None


def _is_numpy(meaning):
    return isinstance(meaning, np.ufunc) or (getattr(meaning, "__module__", None) or "").startswith(
        "numpy"
    )


def _known(meaning):
    try:
        return meaning if meaning in _REFUSED_FUNCTIONS else None
    except TypeError:  # an object that cannot be hashed
        return None


def _rewritten(stmt, source):
    """``[stmt]``, or the statements that say what its in-place call does."""
    call = stmt.value if isinstance(stmt, (gast.Expr, gast.Assign)) else None
    if not isinstance(call, gast.Call) or not _writes(call, source):
        # a compound statement's body is rewritten on its own: only its header is read here
        header = getattr(stmt, _HEADERS[type(stmt)]) if type(stmt) in _HEADERS else stmt
        if not isinstance(stmt, _BLOCKS) or type(stmt) in _HEADERS:
            for node in walk(header):
                if isinstance(node, gast.Call) and _writes(node, source):
                    raise _refusal(source, stmt, node, "inside an expression")
        return [stmt]
    func = call.func
    meaning = resolve(func, source)
    out = [k for k in call.keywords if k.arg == "out"]
    if out:
        target = out[0].value
        if isinstance(target, gast.Tuple) and len(target.elts) == 1:
            target = target.elts[0]
        if not isinstance(target, gast.Name):
            raise _refusal(source, stmt, call, "with out= other than one array name")
        call.keywords = [k for k in call.keywords if k.arg != "out"]
        code = [_store_all(target.id, call, stmt)]
        if isinstance(stmt, gast.Assign):
            stmt.value = gast.Name(
                id=target.id, ctx=gast.Load(), annotation=None, type_comment=None
            )
            code.append(stmt)
        return code
    if isinstance(stmt, gast.Assign):
        raise _refusal(source, stmt, call, "whose result is assigned")
    if meaning is np.copyto and len(call.args) == 2 and not call.keywords:
        receiver, value = call.args
    elif isinstance(func, gast.Attribute) and func.attr == "fill" and len(call.args) == 1:
        receiver, value = func.value, call.args[0]
    else:
        raise _refusal(source, stmt, call, "")
    if not isinstance(receiver, gast.Name):
        raise _refusal(source, stmt, call, "into an array that is not a plain name")
    return [_store_all(receiver.id, value, stmt)]


def _store_all(array, value, stmt):
    """``array[...] = value`` at ``stmt``'s line."""
    target = gast.Subscript(
        value=gast.Name(id=array, ctx=gast.Load(), annotation=None, type_comment=None),
        slice=const(Ellipsis),
        ctx=gast.Store(),
    )
    store = gast.Assign(targets=[target], value=value, type_comment=None)
    return gast.copy_location(store, stmt)


def _refusal(source, stmt, call, how):
    func = call.func
    meaning = resolve(func, source)
    if _known(meaning) is not None:
        what = f"{_REFUSED_FUNCTIONS[meaning]}()"
    elif isinstance(func, gast.Attribute):
        what = f"'.{func.attr}()'"
    else:
        what = "this call"
    how = f" {how}" if how else ""
    return source.error(
        stmt,
        f"{what}{how} writes into an array in place, which the static mode does not "
        "follow; write it as an assignment (a[...] = value, a[index] = value, or "
        'a = np.where(mask, value, a)), or use mode="trace"',
    )
