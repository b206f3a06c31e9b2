"""What the compiler knows about shapes without running the function.

``scalar_names``: which names surely hold scalars (Python numbers or 0-d values).

A binary operator broadcasts only when one operand has a larger shape than
the other; when the other operand is a scalar, an operand's cotangent already
has its shape and needs no ``unbroadcast``.  Scalars come from number
literals, ``range`` loop indices, ``math`` functions, full reductions
(``np.sum(x)``, ``x.mean()`` without ``axis``) and arithmetic on scalars.  Each
such fact must hold for an input of any shape: ``np.linalg.det(a)`` and
``np.trace(a)`` are not scalars (of a stack of matrices they return one value
per matrix), nor is ``math.prod`` (of arrays, an array).  The analysis is a greatest
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

import math
from collections import Counter

import gast
import numpy as np

from srcdiff.rules import is_elementwise
from srcdiff.static.activity import resolve
from srcdiff.static.nodes import walk

# Reductions whose result has the input's number of dimensions under ``keepdims=True``.
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
}
# Functions that return a scalar for an input of any shape when given only that input
# (no ``axis``, ``keepdims`` or ``ord``).  Not ``np.linalg.det`` or ``np.trace``: of a
# stack of matrices (3-D), they return one value per matrix.
_FULL_REDUCTIONS = _REDUCTIONS
# Methods that return a scalar for any array when called without arguments (not
# ``.trace()``, which keeps the axes after the first two).
_REDUCTION_METHODS = {"sum", "mean", "prod", "max", "min", "var", "std", "item"}
_SCALAR_BUILTINS = {float, int, len}
# ``math`` functions that may return something else than a number: a tuple
# (``modf``, ``frexp``), or an array (``prod`` and ``sumprod`` multiply what they are given).
_MATH_NOT_SCALAR = {
    getattr(math, name) for name in ("modf", "frexp", "prod", "sumprod") if hasattr(math, name)
}
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


def scalar_names(tree, source, numbers=()):
    """The names of ``tree`` (a normalized function) that always hold scalars, given that
    the parameters ``numbers`` hold Python numbers (``static/specialise.py``)."""
    assignments = {
        a.id: [_A_NUMBER if a.id in numbers else None]
        for a in walk(tree.args)
        if isinstance(a, gast.Name)
    }
    for node in walk(tree):
        if isinstance(node, gast.Assign):
            target = node.targets[0]
            if isinstance(target, gast.Name):
                assignments.setdefault(target.id, []).append(node.value)
            else:  # tuple unpacking or item assignment: not a known scalar
                for sub in walk(target):
                    if isinstance(sub, gast.Name):
                        assignments.setdefault(sub.id, []).append(None)
        elif isinstance(node, gast.For) and _is_range_loop(node, source):
            assignments.setdefault(node.target.id, []).append(_AN_INTEGER)
        elif isinstance(node, (gast.For, gast.AugAssign)):
            for sub in walk(node.target):
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


# Stands for the value of a ``for i in range(...)`` index: always an integer.
_AN_INTEGER = gast.Constant(value=0, kind=None)
# Stands for the value of a parameter a specialised function is called with: a number.
_A_NUMBER = gast.Constant(value=0.0, kind=None)


def _is_range_loop(loop, source):
    iterable = loop.iter
    return (
        isinstance(loop.target, gast.Name)
        and isinstance(iterable, gast.Call)
        and resolve(iterable.func, source) is range
    )


def shape_twins(tree, scalars, source):
    """Map each name assigned once to the earliest name surely of the same shape."""
    stable = stable_names(tree)
    twins, pairs = {}, []
    for node in walk(tree):
        if not (isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name)):
            continue
        target, value = node.targets[0].id, node.value
        operand = _same_shape_operand(value, scalars, source)
        if target in stable and operand in stable and operand != target:
            twins[target] = operand
        elif target in stable and _names_combined(value, stable):
            pairs.append((target, value.left.id, value.right.id))
    roots = _roots(twins)
    # ``z = y * w`` where ``y`` and ``w`` have one shape: ``z`` has it too.
    while True:
        found = {
            target: roots.get(left, left)
            for target, left, right in pairs
            if target not in twins and roots.get(left, left) == roots.get(right, right)
        }
        found = {target: root for target, root in found.items() if root != target}
        if not found:
            return roots
        twins.update(found)
        roots = _roots(twins)


def _names_combined(value, stable):
    """``a * b`` (any elementwise operator) of two names that hold one value each."""
    return (
        isinstance(value, gast.BinOp)
        and not isinstance(value.op, gast.MatMult)
        and isinstance(value.left, gast.Name)
        and isinstance(value.right, gast.Name)
        and value.left.id in stable
        and value.right.id in stable
    )


def _roots(twins):
    roots = {}
    for name in twins:
        root, seen = name, set()
        while root in twins and root not in seen:
            seen.add(root)
            root = twins[root]
        roots[name] = root
    return roots


def stable_names(tree):
    """Parameters never assigned, and other names assigned exactly once."""
    params = {a.id for a in walk(tree.args) if isinstance(a, gast.Name)}
    stores = Counter(
        n.id for n in walk(tree) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
    )
    stable = {n for n in params if stores[n] == 0}
    return stable | {n for n, k in stores.items() if k == 1 and n not in params}


def array_names(tree, source):
    """Names assigned once by arithmetic or a NumPy call: never a Python list.

    Arithmetic on a plain number and a list does not run, so a number scaled by
    one of these names broadcasts as NumPy does.
    """
    stable = stable_names(tree)
    arrays = set()
    for node in walk(tree):
        if not (isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name)):
            continue
        value, target = node.value, node.targets[0].id
        if target not in stable:
            continue
        if isinstance(value, (gast.BinOp, gast.UnaryOp)):
            arrays.add(target)
        elif isinstance(value, gast.Call):
            fn = resolve(value.func, source)
            module = getattr(fn, "__module__", None) or ""
            if isinstance(fn, np.ufunc) or module.split(".")[0] == "numpy":
                arrays.add(target)
    return arrays


def reduced_parents(tree, source):
    """Map ``t`` to ``a`` for ``t = np.sum(a, axis=..., keepdims=True)`` (any reduction).

    ``t`` then broadcasts into ``a`` without growing it: in ``a - t`` the result
    has ``a``'s shape.  Only names assigned once.
    """
    stores = Counter(
        n.id for n in walk(tree) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
    )
    parents = {}
    for node in walk(tree):
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

    def __init__(
        self, scalars=frozenset(), twins=None, parents=None, stable=frozenset(), arrays=frozenset()
    ):
        self.scalars = scalars
        self.twins = twins or {}
        self.parents = parents or {}
        self.stable = stable  # names that hold one value (see ``stable_names``)
        self.arrays = arrays  # names that never hold a Python list (see ``array_names``)

    def root(self, name):
        return self.twins.get(name, name)

    def same_shape(self, a, b):
        """Do the names ``a`` and ``b`` surely hold values of one shape, wherever read?"""
        return a in self.stable and b in self.stable and self.root(a) == self.root(b)

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
        # Not ``math`` functions: ``math.exp`` of a one-element array returns a number;
        # not ``np.where``, which given only a condition returns a tuple of indices.
        if (
            fn is not None
            and is_elementwise(fn)
            and getattr(fn, "__module__", None) != "math"
            and fn is not np.where
            and isinstance(value.args[0], gast.Name)
        ):
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
        return (
            isinstance(value, gast.Attribute)
            and value.attr == "shape"
            and _is_index(node.slice, scalars)
        )
    return False


def _is_index(node, scalars):
    """An integer index (not a slice): ``x.shape[0]`` is a number, ``x.shape[1:]`` a tuple.

    A name counts when it surely holds a number (a name could hold a ``slice``).
    """
    if isinstance(node, gast.Constant):
        return isinstance(node.value, int)
    if isinstance(node, gast.UnaryOp):
        return _is_index(node.operand, scalars)
    return isinstance(node, gast.Name) and node.id in scalars


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
        if getattr(fn, "__module__", None) == "math" and fn not in _MATH_NOT_SCALAR:
            return True
        if fn in _SCALAR_BUILTINS:
            return True
        if fn in _FULL_REDUCTIONS:
            return len(call.args) == 1 and not keywords & {"axis", "keepdims", "ord"}
        if fn in _ELEMENTWISE:
            return len(call.args) == 1 and _is_scalar(call.args[0], scalars, source)
    except TypeError:
        return False
    return False


__all__ = ["scalar_names"]
