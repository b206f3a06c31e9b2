"""Which names surely hold scalars (Python numbers or 0-d values).

A binary operator broadcasts only when one operand has a larger shape than
the other; when the other operand is a scalar, an operand's cotangent already
has its shape and needs no ``unbroadcast``.  Scalars come from number
literals, ``math`` functions, full reductions (``np.sum(x)``, ``x.mean()``
without ``axis``) and arithmetic on scalars.  The analysis is a greatest
fixed point over names, so a loop-carried value stays a scalar if every
assignment to it is one.

Invariant: every name in the returned set holds a 0-d value whenever it is read.
"""

import gast
import numpy as np

from srcdiff.static.activity import resolve

_REDUCTIONS = {
    np.sum,
    np.mean,
    np.prod,
    np.max,
    np.min,
    np.amax,
    np.amin,
    np.var,
    np.std,
    np.linalg.norm,
    np.linalg.det,
    np.trace,
}
_REDUCTION_METHODS = {"sum", "mean", "prod", "max", "min", "var", "std", "item", "trace"}
_SCALAR_BUILTINS = {float, int, len}
_ELEMENTWISE = {
    np.exp,
    np.log,
    np.log1p,
    np.expm1,
    np.sqrt,
    np.square,
    np.sin,
    np.cos,
    np.tan,
    np.arcsin,
    np.arccos,
    np.arctan,
    np.sinh,
    np.cosh,
    np.tanh,
    np.abs,
    np.negative,
    np.reciprocal,
}


def scalar_names(tree, source):
    """The names of ``tree`` (a normalized function) that always hold scalars."""
    assignments = {a.id: [None] for a in gast.walk(tree.args) if isinstance(a, gast.Name)}
    for node in gast.walk(tree):
        if isinstance(node, gast.Assign):
            target = node.targets[0]
            if isinstance(target, gast.Name):
                assignments.setdefault(target.id, []).append(node.value)
            else:  # tuple unpacking or item assignment: not a known scalar
                for sub in gast.walk(target):
                    if isinstance(sub, gast.Name):
                        assignments.setdefault(sub.id, []).append(None)
        elif isinstance(node, (gast.For, gast.AugAssign)):
            for sub in gast.walk(node.target):
                if isinstance(sub, gast.Name):
                    assignments.setdefault(sub.id, []).append(None)
    scalars = set(assignments)
    while True:
        kept = {
            name
            for name in scalars
            if all(v is not None and _is_scalar(v, scalars, source) for v in assignments[name])
        }
        if kept == scalars:
            return scalars
        scalars = kept


def _is_scalar(node, scalars, source):
    if isinstance(node, gast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, gast.Name):
        return node.id in scalars
    if isinstance(node, gast.BinOp):
        if isinstance(node.op, gast.MatMult):
            return False
        return _is_scalar(node.left, scalars, source) and _is_scalar(node.right, scalars, source)
    if isinstance(node, gast.UnaryOp):
        return _is_scalar(node.operand, scalars, source)
    if isinstance(node, gast.Call):
        return _is_scalar_call(node, scalars, source)
    return False


def _is_scalar_call(call, scalars, source):
    keywords = {k.arg for k in call.keywords}
    fn = resolve(call.func, source)
    if fn is None:
        func = call.func
        return (
            isinstance(func, gast.Attribute)
            and func.attr in _REDUCTION_METHODS
            and not call.args
            and not keywords
        )
    try:
        if getattr(fn, "__module__", None) == "math" or fn in _SCALAR_BUILTINS:
            return True
        if fn in _REDUCTIONS:
            return len(call.args) == 1 and not keywords & {"axis", "keepdims", "ord"}
        if fn in _ELEMENTWISE:
            return len(call.args) == 1 and _is_scalar(call.args[0], scalars, source)
    except TypeError:
        return False
    return False


__all__ = ["scalar_names"]
