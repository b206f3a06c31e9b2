"""The table of direct rule tests: ``(numpy_fn, args, kwargs, wrt)`` per case.

Inputs keep away from kinks and domain edges (logs see positive numbers,
``arcsin`` sees (-1, 1), ``max`` sees distinct values); the kinks themselves
are pinned by exact tests in ``test_rules.py``.  Binary operations run over
every broadcasting pair: Python float, 0-d array, row, column, on each side.
"""

import builtins
import math
import operator
from typing import NamedTuple

import numpy as np

from srcdiff.rules.dict_views import dict_items, dict_values
from tests.values import Values

_values = Values(1234)


normal, positive, unit = _values.normal, _values.positive, _values.unit
distinct, well_conditioned = _values.distinct, _values.well_conditioned


class PrimitiveCase(NamedTuple):
    fn: object
    args: tuple
    kwargs: dict
    wrt: tuple
    id: str


def label(fn):
    """``np.add``, ``operator.add``, ``math.exp``, ``np.linalg.inv``, ``np.ndarray.sum``."""
    name = getattr(fn, "__qualname__", getattr(fn, "__name__", repr(fn)))
    module = getattr(fn, "__module__", None) or ""
    if isinstance(fn, np.ufunc):
        return f"np.{fn.__name__}"
    if module in ("operator", "_operator"):
        return f"operator.{name}"
    if module == "math":
        return f"math.{name}"
    if module == "builtins":
        return f"ndarray.{name}" if name.startswith("ndarray.") else f"builtins.{name}"
    if "linalg" in module:
        return f"np.linalg.{name}"
    return f"np.{name}"


def _describe(value):
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{_describe(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)) and value and not isinstance(value[0], (int, float, str)):
        return "[" + ",".join(_describe(v) for v in value) + "]"
    if isinstance(value, np.ndarray):
        return "x".join(map(str, value.shape)) if value.ndim else "0d"
    if isinstance(value, float):
        return "float"
    return repr(value)


CASES = []


def case(fn, *args, wrt=(0,), **kwargs):
    """Add a case; its id names the function, the argument shapes and the keywords."""
    words = [label(fn), *(_describe(a) for a in args)]
    words += [f"{k}={v!r}" for k, v in kwargs.items()]
    CASES.append(PrimitiveCase(fn, args, kwargs, wrt, "-".join(words).replace(" ", "")))


def operand(shape, values=normal):
    """A Python float for shape None, a 0-d array for (), else an array of that shape."""
    if shape is None:
        return float(values())
    return np.asarray(values(*shape))


# (x, y) shape pairs; None stands for a Python float.
BROADCAST_PAIRS = [
    (None, None), ((), ()), ((3,), (3,)), ((2, 3), (2, 3)),
    (None, (2, 3)), ((2, 3), None), ((), (2, 3)), ((2, 3), ()),
    ((1, 3), (2, 3)), ((2, 3), (1, 3)), ((2, 1), (2, 3)), ((2, 3), (2, 1)),
    ((2, 1), (1, 3)), ((3,), (2, 3)), ((2, 3), (3,)),
]  # fmt: skip
IN_PLACE_PAIRS = [pair for pair in BROADCAST_PAIRS if pair[0] == np.broadcast_shapes(*[
    p or () for p in pair]) or pair[0] is None]  # fmt: skip


def _binary(fns, pairs, x_values=normal, y_values=normal):
    for fn in fns:
        for x_shape, y_shape in pairs:
            case(fn, operand(x_shape, x_values), operand(y_shape, y_values), wrt=(0, 1))


# ---- operators
_binary(
    [np.add, operator.add, np.subtract, operator.sub, np.multiply, operator.mul], BROADCAST_PAIRS
)
_binary([np.true_divide, operator.truediv], BROADCAST_PAIRS)
_binary([operator.iadd, operator.isub, operator.imul, operator.itruediv], IN_PLACE_PAIRS)
_binary([np.power, operator.pow], BROADCAST_PAIRS, positive)
_binary([operator.ipow], IN_PLACE_PAIRS, positive)
case(operator.pow, positive(3), 2.0)
case(operator.pow, positive(3), 3)
case(math.pow, 1.5, 2.5, wrt=(0, 1))
for fn in (np.negative, operator.neg, np.positive, operator.pos):
    case(fn, normal(2, 3))
    case(fn, 1.5)
MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
    ((2, 2, 3), (3, 4)), ((2, 2, 3), (2, 3, 4)), ((1, 2, 3), (4, 3, 2)), ((3,), (2, 3, 4)),
]  # fmt: skip
for fn in (np.matmul, operator.matmul):
    for a, b in MATMUL_SHAPES:
        case(fn, normal(*a), normal(*b), wrt=(0, 1))
case(operator.imatmul, normal(2, 3), normal(3, 3), wrt=(0, 1))

# ---- elementwise
SHAPES = [None, (), (3,), (2, 3)]
UNARY = [
    (normal, [np.exp, math.exp, np.expm1, math.expm1, np.square, np.sin, math.sin, np.cos,
              math.cos, np.tan, math.tan, np.arctan, math.atan, np.sinh, math.sinh, np.cosh,
              math.cosh, np.tanh, math.tanh, np.abs, np.absolute, builtins.abs, math.fabs,
              np.sign, np.reciprocal]),
    (positive, [np.log, math.log, np.log1p, math.log1p, np.sqrt, math.sqrt]),
    (unit, [np.arcsin, math.asin, np.arccos, math.acos]),
]  # fmt: skip
for values, fns in UNARY:
    for fn in fns:
        for shape in SHAPES if not label(fn).startswith("math.") else [None]:
            case(fn, operand(shape, values))
case(math.log, 2.5, 3.0, wrt=(0, 1))
_binary([np.maximum, np.minimum], BROADCAST_PAIRS, distinct, distinct)
_binary([np.logaddexp], BROADCAST_PAIRS)
for cond_shape, x_shape, y_shape in [((3,), (3,), (3,)), ((2, 3), None, (2, 3)),
                                     ((2, 3), (1, 3), (2, 1)), ((2, 3), (), None)]:  # fmt: skip
    cond = operand(cond_shape) > 0 if cond_shape else True
    case(np.where, cond, operand(x_shape), operand(y_shape), wrt=(1, 2))
case(np.clip, normal(2, 3), -0.9, 0.9)
case(np.clip, normal(2, 3), None, 0.9)
case(np.clip, normal(2, 3), -0.9, None)
case(np.clip, np.array([-2.0, 0.0, 3.0]), -1.0, 1.0, wrt=(0, 1, 2))
case(np.clip, normal(2, 3), np.array([[-1.1], [-0.2]]), np.array([0.3, 1.3, 0.7]), wrt=(0, 1, 2))
case(np.clip, normal(2, 3), min=-0.9, max=0.9)

# ---- reductions
AXES = [None, 0, 1, -1, (0, 1), (0, 2), (-1, 0)]
for axis in AXES:
    for keepdims in (False, True):
        x = normal(2, 3, 4)
        for fn in (np.sum, np.ndarray.sum, np.mean, np.ndarray.mean, np.prod, np.ndarray.prod):
            case(fn, x, axis=axis, keepdims=keepdims)
        for fn in (np.max, np.amax, np.ndarray.max, np.min, np.amin, np.ndarray.min):
            case(fn, distinct(2, 3, 4), axis=axis, keepdims=keepdims)
        for fn in (np.var, np.ndarray.var, np.std, np.ndarray.std):
            case(fn, x, axis=axis, keepdims=keepdims)
            case(fn, x, axis=axis, keepdims=keepdims, ddof=1)
for fn in (np.sum, np.mean, np.prod, np.max, np.min, np.var, np.std):
    case(fn, distinct(5))
    case(fn, distinct(2, 3), 1)  # axis given positionally
    case(fn, 1.5 if fn is not np.var and fn is not np.std else distinct(3))
case(np.var, normal(2, 3), axis=0, correction=1)
case(np.std, normal(2, 3), axis=-1, correction=1)
case(np.prod, np.array([1.0, 2.0, 0.0, 4.0]))
case(np.prod, np.array([[1.0, 0.0, 3.0], [0.0, 2.0, 0.0]]), axis=1)
for axis in (None, 0, 1, -1):
    case(np.cumsum, normal(2, 3), axis=axis)
    case(np.ndarray.cumsum, normal(2, 3), axis)
case(builtins.sum, [normal(3), normal(2, 3), 1.5], wrt=(0,))
case(builtins.sum, (normal(3), normal(3)), normal(2, 3), wrt=(0, 1))
case(builtins.sum, normal(4))
case(dict_values, {"W": normal(2, 3), "b": normal(3), "s": 1.5})
case(dict_items, {"W": normal(2, 3), "b": normal(3)})
case(builtins.sum, normal(3, 2))

# ---- shapes and indexing
case(np.reshape, normal(2, 3), (3, 2))
case(np.reshape, normal(2, 3), (-1,), order="F")
case(np.reshape, normal(2, 3), shape=(6, 1))
case(np.ndarray.reshape, normal(2, 3), 3, 2)
case(np.ndarray.reshape, normal(2, 3), (6,))
for fn in (np.ravel, np.ndarray.ravel, np.ndarray.flatten):
    case(fn, normal(2, 3))
    case(fn, normal(2, 3), order="F")
case(np.expand_dims, normal(2, 3), 1)
case(np.expand_dims, normal(2, 3), (0, -1))
case(np.squeeze, normal(2, 1, 3))
case(np.squeeze, normal(1, 3, 1), axis=0)
case(np.ndarray.squeeze, normal(2, 1))
case(np.transpose, normal(2, 3))
case(np.transpose, normal(2, 3, 4), (1, 2, 0))
case(np.ndarray.transpose, normal(2, 3))
case(np.ndarray.transpose, normal(2, 3, 4), 2, 0, 1)
case(np.ndarray.transpose, normal(2, 3, 4), (2, 0, 1))
case(np.swapaxes, normal(2, 3, 4), 0, 2)
case(np.ndarray.swapaxes, normal(2, 3), -1, 0)
case(np.moveaxis, normal(2, 3, 4), 0, -1)
case(np.moveaxis, normal(2, 3, 4), (0, 1), (2, 0))
case(np.flip, normal(2, 3))
case(np.flip, normal(2, 3), 1)
case(np.flip, normal(2, 3), axis=(0, 1))
case(np.broadcast_to, normal(3), (2, 3))
case(np.broadcast_to, normal(2, 1), (4, 2, 3))
case(np.broadcast_to, 1.5, (2,))
for axis in (0, 1, -1):
    case(np.concatenate, [normal(2, 3), normal(2, 3), normal(2, 3)], axis=axis)
    case(np.stack, [normal(2, 3), normal(2, 3)], axis=axis)
case(np.concatenate, (normal(2, 3), normal(1, 3)))
case(np.concatenate, [normal(2, 3), normal(4)], axis=None)
case(np.stack, [1.5, 2.5, normal()])
for array_fn in (np.array, np.asarray, np.asanyarray, np.ascontiguousarray, np.copy):
    case(array_fn, normal(2, 3))
    case(array_fn, [normal(3), normal(3)])
case(np.array, [[1.5, normal()], [normal(), 2.0]])
case(np.ndarray.copy, normal(2, 3))
case(np.ndarray.item, normal(1, 1))
case(np.ndarray.item, normal())
case(np.ndarray.item, normal(2, 3), 4)
case(np.ndarray.item, normal(2, 3), 1, 2)
case(np.ndarray.item, normal(2, 3), (0, 1))
case(np.ndarray.clip, normal(2, 3), -0.9, 0.9)
case(np.hstack, [normal(3), normal(2), 1.5])
case(np.hstack, [normal(2, 3), normal(2, 1)])
case(np.vstack, [normal(3), normal(2, 3)])
case(np.vstack, [normal(2, 3, 2), normal(1, 3, 2)])
case(np.tile, normal(2, 3), 2)
case(np.tile, normal(2, 3), (2, 1, 3))
case(np.tile, normal(3), (2, 2))
case(np.tile, 1.5, 3)
case(np.repeat, normal(2, 3), 2)
case(np.repeat, normal(2, 3), 3, axis=1)
case(np.repeat, normal(2, 3), [1, 0, 2], axis=-1)
case(np.repeat, normal(2, 3), [2, 1], axis=0)
case(np.ndarray.repeat, normal(4), [1, 2, 0, 3])
for index in [
    0, -1, (1, 2), slice(1, None), (slice(None), 1), (Ellipsis, 0), (None, 0),
    [0, 0, 1], np.array([2, 0, 2, 2]), ([0, 1, 1], [2, 2, 2]), (slice(None), [1, 1, 0]),
    np.array([[True, False, True, False], [False, True, True, False], [True] * 4]),
]:  # fmt: skip
    case(operator.getitem, normal(3, 4), index)
case(operator.getitem, [normal(3), 1.5, normal(2, 2)], 2)
case(operator.getitem, [normal(3), 1.5, normal(2, 2)], slice(0, 2))
case(operator.getitem, (1.5, 2.5), 1)

# ---- products
DOT_SHAPES = [((), (3,)), ((2, 3), ()), ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)),
              ((2, 3), (3, 4)), ((2, 2, 3), (3,)), ((2, 2, 3), (2, 3, 4))]  # fmt: skip
for fn in (np.dot, np.ndarray.dot):
    for a, b in DOT_SHAPES:
        case(fn, normal(*a), normal(*b), wrt=(0, 1))
case(np.dot, 1.5, normal(3), wrt=(0, 1))
for a, b in [((3,), (3,)), ((2, 3), (3,)), ((2, 3), (4, 3)), ((2, 2, 3), (4, 3)), ((), (2, 3))]:
    case(np.inner, normal(*a), normal(*b), wrt=(0, 1))
case(np.outer, normal(3), normal(4), wrt=(0, 1))
case(np.outer, normal(2, 2), normal(3), wrt=(0, 1))
for a, b, axes in [((2, 3), (3, 4), 1), ((2, 3), (2, 3), 2), ((2, 3, 4), (3, 4, 5), 2),
                   ((2, 3), (4,), 0), ((2, 3, 4), (4, 2), ([0, 2], [1, 0])),
                   ((3, 2), (3, 4), (0, 0)), ((2, 3, 4), (4, 3), ((-1, 1), (0, -1)))]:  # fmt: skip
    case(np.tensordot, normal(*a), normal(*b), axes, wrt=(0, 1))
case(np.tensordot, normal(2, 3), normal(2, 3), wrt=(0, 1))
case(np.trace, normal(3, 3))
case(np.trace, normal(3, 4), 1)
case(np.trace, normal(2, 3, 4), offset=-1, axis1=1, axis2=2)
case(np.ndarray.trace, normal(4, 3))
case(np.diagonal, normal(3, 4), 1)
case(np.diagonal, normal(2, 3, 4), axis1=0, axis2=2)
case(np.ndarray.diagonal, normal(3, 3))
case(np.diag, normal(3))
case(np.diag, normal(3), -1)
case(np.diag, normal(3, 4), 1)
for subscripts, shapes in [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("i,i->", [(3,), (3,)]), ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]), ("ij->i", [(2, 3)]), ("ii->i", [(3, 3)]), ("ii->", [(3, 3)]),
    ("i,j->ij", [(2,), (3,)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]), ("...ij,jk->...ik", [(2, 2, 3), (3, 4)]),
    ("...j,...j->...", [(2, 1, 3), (4, 3)]), ("ij,kl->i", [(2, 3), (2, 2)]),
    ("iij,j->ij", [(2, 2, 3), (3,)]), ("i...,i->...", [(3, 2, 2), (3,)]),
]:  # fmt: skip
    case(np.einsum, subscripts, *[normal(*s) for s in shapes], wrt=tuple(range(1, len(shapes) + 1)))

# ---- linalg
for shape in [(3, 3), (2, 3, 3)]:
    case(np.linalg.inv, well_conditioned(*shape))
    case(np.linalg.det, well_conditioned(*shape))
    case(np.linalg.slogdet, well_conditioned(*shape))
case(np.linalg.slogdet, -well_conditioned(3, 3))
for a, b in [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 2)), ((2, 3, 3), (3, 1)),
             ((2, 3, 3), (3,))]:  # fmt: skip
    case(np.linalg.solve, well_conditioned(*a), normal(*b), wrt=(0, 1))
for shape, kwargs in [
    ((3,), {}), ((2, 3), {}), ((2, 3, 4), {}), ((3,), {"ord": 1}), ((3,), {"ord": 2}),
    ((3,), {"ord": 3}), ((3,), {"ord": 0.5}), ((4,), {"ord": np.inf}), ((4,), {"ord": -np.inf}),
    ((2, 3), {"ord": "fro"}), ((2, 3), {"ord": "nuc"}), ((2, 3), {"axis": 1}),
    ((2, 3), {"axis": 0, "keepdims": True}), ((2, 3, 4), {"axis": -1, "ord": 1}),
    ((2, 3, 4), {"axis": (0, 2)}), ((2, 3, 4), {"axis": (2, 1), "keepdims": True}),
    ((2, 3, 4), {"axis": (0, 1), "ord": "nuc"}), ((2, 3), {"keepdims": True}),
]:  # fmt: skip
    case(np.linalg.norm, distinct(*shape), **kwargs)
case(np.linalg.norm, distinct(3), 1)

case(builtins.list, [normal(3), normal(2, 3), 1.5])
case(builtins.list, normal(2, 3))
case(builtins.tuple, (normal(3), normal(3)))
case(builtins.tuple, normal(4))
from tests.rules import generated_cases, more_primitive_cases  # noqa: E402, F401  (each appends its cases)
