"""What the compiler knows about shapes without running the function.

``scalar_names``: which names surely hold scalars (Python numbers or 0-d values).

A binary operator broadcasts only when one operand has a larger shape than
the other; when the other operand is a scalar, an operand's cotangent already
has its shape and needs no ``unbroadcast``.  Scalars come from number
literals, ``math`` functions, full reductions (``np.sum(x)``, ``x.mean()``
without ``axis``) and arithmetic on scalars.  The analysis is a greatest
fixed point over names, so a loop-carried value stays a scalar if every
assignment to it is one.

``shape_twins``: for a name assigned once, an earlier name that surely has
the same shape (``z = y * 3`` has ``y``'s shape).  Rules that read an operand
only for its shape (``unbroadcast``, ``unreduce``) can read the twin instead,
so the operand itself need not be kept: ``z`` in ``return np.mean(y * 3)`` is
never computed.

Invariants: every name in ``scalar_names`` holds a 0-d value whenever it is
read; a name and its twin always have the same shape.
"""

from collections import Counter

import gast
import numpy as np

from srcdiff.rules import is_elementwise
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


def shape_twins(tree, scalars, source):
    """Map each name assigned once to the earliest name surely of the same shape."""
    params = {a.id for a in gast.walk(tree.args) if isinstance(a, gast.Name)}
    stores = Counter(
        n.id for n in gast.walk(tree) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
    )
    stable = {n for n in params if stores[n] == 0}
    stable |= {n for n, k in stores.items() if k == 1 and n not in params}
    twins = {}
    for node in gast.walk(tree):
        if not (isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name)):
            continue
        target = node.targets[0].id
        operand = _same_shape_operand(node.value, scalars, source)
        if target in stable and operand in stable and operand != target:
            twins[target] = operand
    roots = {}
    for name in twins:
        root, seen = name, set()
        while root in twins and root not in seen:
            seen.add(root)
            root = twins[root]
        roots[name] = root
    return roots


def reduced_parents(tree, source):
    """Map ``t`` to ``a`` for ``t = np.sum(a, axis=..., keepdims=True)`` (any reduction).

    ``t`` then broadcasts into ``a`` without growing it: in ``a - t`` the result
    has ``a``'s shape.  Only names assigned once.
    """
    stores = Counter(
        n.id for n in gast.walk(tree) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
    )
    parents = {}
    for node in gast.walk(tree):
        if not (isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name)):
            continue
        call = node.value
        if not (isinstance(call, gast.Call) and call.args and isinstance(call.args[0], gast.Name)):
            continue
        keepdims = [k for k in call.keywords if k.arg == "keepdims"]
        if not (
            keepdims
            and isinstance(keepdims[0].value, gast.Constant)
            and keepdims[0].value.value is True
        ):
            continue
        fn = resolve(call.func, source)
        try:
            reduction = fn in _REDUCTIONS
        except TypeError:
            reduction = False
        target, operand = node.targets[0].id, call.args[0].id
        if reduction and stores[target] == 1 and stores[operand] <= 1:
            parents[target] = operand
    return parents


class ShapeFacts:
    """What is known about how the shapes of names relate."""

    def __init__(self, scalars=frozenset(), twins=None, parents=None):
        self.scalars = scalars
        self.twins = twins or {}
        self.parents = parents or {}

    def root(self, name):
        return self.twins.get(name, name)

    def fits_into(self, small, big):
        """Does ``small`` surely broadcast into ``big`` without changing ``big``'s shape?"""
        if small in self.scalars:
            return True
        target, seen = self.root(big), set()
        current = self.root(small)
        while current not in seen:
            if current == target:
                return True
            seen.add(current)
            if current not in self.parents:
                return False
            current = self.root(self.parents[current])
        return False


def _same_shape_operand(value, scalars, source):
    """The operand whose shape ``value`` surely has, or None."""
    if isinstance(value, gast.Name):
        return value.id
    if isinstance(value, gast.Call) and len(value.args) == 1 and not value.keywords:
        fn = resolve(value.func, source)
        if fn is not None and is_elementwise(fn) and isinstance(value.args[0], gast.Name):
            return value.args[0].id
    if isinstance(value, gast.UnaryOp) and isinstance(value.operand, gast.Name):
        return value.operand.id if isinstance(value.op, (gast.USub, gast.UAdd)) else None
    if isinstance(value, gast.BinOp) and not isinstance(value.op, gast.MatMult):
        left, right = value.left, value.right
        if isinstance(left, gast.Name) and _is_scalar(right, scalars, source):
            return left.id
        if isinstance(right, gast.Name) and _is_scalar(left, scalars, source):
            return right.id
        if isinstance(left, gast.Name) and isinstance(right, gast.Name) and left.id == right.id:
            return left.id
    return None


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
    if isinstance(node, gast.Attribute):  # x.size, x.ndim
        return node.attr in ("size", "ndim")
    if isinstance(node, gast.Subscript):  # x.shape[0]
        value = node.value
        return isinstance(value, gast.Attribute) and value.attr == "shape" and _is_index(node.slice)
    return False


def _is_index(node):
    """An integer index (not a slice): ``x.shape[0]`` is a number, ``x.shape[1:]`` a tuple."""
    if isinstance(node, gast.Constant):
        return isinstance(node.value, int)
    if isinstance(node, gast.UnaryOp):
        return _is_index(node.operand)
    return isinstance(node, gast.Name)


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
