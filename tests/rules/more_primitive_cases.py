"""Direct rule cases for the rule families past HIPS autograd's list.

Appended to ``primitive_cases.CASES``, so ``test_rules.py`` checks each VJP
against finite differences (and in float32) and ``test_jvps.py`` each JVP.
"""

import math
import operator

import numpy as np

from tests.rules.primitive_cases import BROADCAST_PAIRS, _binary, case, operand
from tests.values import Values

_values = Values(4321)
normal, positive, unit = _values.normal, _values.positive, _values.unit
distinct, well_conditioned = _values.distinct, _values.well_conditioned


def spd(*shape):
    """Symmetric positive definite (stacks of) matrices: ``B B^T + n I``."""
    b = normal(*shape)
    return b @ np.swapaxes(b, -1, -2) + shape[-1] * np.eye(shape[-1])


def spread_spectrum(*shape):
    """Symmetric matrices with well separated eigenvalues (eigh's vectors are stable)."""
    q, _ = np.linalg.qr(normal(*shape))
    w = np.arange(1, shape[-1] + 1) * 1.5 + 0.1 * unit(shape[-1])
    return (q * w[..., None, :]) @ np.swapaxes(q, -1, -2)


# ---- elementwise
SHAPES = [None, (), (3,), (2, 3)]
for values, fns in [
    (normal, [np.fabs, np.exp2, np.arcsinh, np.rad2deg, np.degrees, np.deg2rad, np.radians, np.sinc,
              np.real, np.imag, np.conj, np.conjugate, np.real_if_close, np.angle,
              np.nan_to_num]),
    (positive, [np.log2, np.log10]),
    (unit, [np.arctanh]),
    (lambda *s: positive(*s) + 1.0, [np.arccosh]),
]:  # fmt: skip
    for fn in fns:
        for shape in SHAPES:
            case(fn, operand(shape, values))
for fn, x in [(math.log2, 1.5), (math.log10, 2.5), (math.asinh, 0.7), (math.acosh, 1.7),
              (math.atanh, 0.3), (math.degrees, 0.7), (math.radians, 40.0)]:  # fmt: skip
    case(fn, x)
case(np.ndarray.conj, normal(2, 3))
case(np.ndarray.conjugate, normal(3))
case(np.nan_to_num, np.array([1.5, np.nan, np.inf, -np.inf, -0.5]))
case(np.nan_to_num, np.array([1.5, np.nan, np.inf, -np.inf, np.nan]), True, 0.5, 9.0, -9.0,
     wrt=(0, 2, 3, 4))  # fmt: skip
case(np.sinc, np.array([0.0, 0.5, -1.5]))
_binary([np.arctan2, np.hypot, np.logaddexp2], BROADCAST_PAIRS)
_binary([np.fmax, np.fmin], BROADCAST_PAIRS, distinct, distinct)
case(np.fmax, np.array([1.0, np.nan, 2.0]), np.array([np.nan, 3.0, 1.0]), wrt=(0, 1))
case(math.atan2, -0.5, 1.5, wrt=(0, 1))
case(math.hypot, -0.5, 1.5, wrt=(0, 1))
_binary([np.remainder, operator.mod, np.fmod], BROADCAST_PAIRS, normal, positive)
case(math.fmod, -2.7, 0.8, wrt=(0, 1))

# ---- shapes and selections
case(np.roll, normal(5), 2)
case(np.roll, normal(2, 3), -1, axis=1)
case(np.roll, normal(2, 3, 4), (1, 2), axis=(0, 2))
case(np.rot90, normal(2, 3))
case(np.rot90, normal(2, 3, 4), 3, (2, 0))
case(np.flipud, normal(3, 2))
case(np.fliplr, normal(2, 3, 2))
case(np.rollaxis, normal(2, 3, 4), 2)
case(np.rollaxis, normal(2, 3, 4), 0, 3)
case(np.rollaxis, normal(2, 3, 4), -1, 1)
for fn in (np.atleast_1d, np.atleast_2d, np.atleast_3d):
    case(fn, 1.5)
    case(fn, normal(3))
    case(fn, normal(2, 3))
    case(fn, normal(2), normal(2, 2), wrt=(0, 1))
case(np.split, normal(6), 3)
case(np.split, normal(2, 5), [1, 3], axis=1)
case(np.array_split, normal(5, 2), 3)
case(np.hsplit, normal(2, 4), 2)
case(np.hsplit, normal(4), [1])
case(np.vsplit, normal(4, 2), 2)
case(np.dsplit, normal(2, 2, 4), [1, 3])
for k in (0, 1, -1):
    case(np.triu, normal(3, 4), k)
    case(np.tril, normal(2, 3, 3), k)
case(np.pad, normal(3), 2)
case(np.pad, normal(2, 3), ((1, 0), (2, 1)), constant_values=1.5)
for mode in ("edge", "reflect", "symmetric", "wrap"):
    case(np.pad, normal(3, 4), ((2, 1), (3, 2)), mode)
case(np.take, normal(5), [0, 3, 3, -1])
case(np.take, normal(3, 4), np.array([[1, 1], [0, 3]]), axis=1)
case(np.take, normal(3, 4), [2, 0, 2], axis=0)
case(np.take, normal(2, 3, 2), 1, axis=-2)
case(np.take, normal(4), [5, -6], mode="wrap")
case(np.take, normal(4), [7, -1], mode="clip")
case(np.ndarray.take, normal(2, 3), [4, 4, 0])
case(np.take_along_axis, distinct(3, 4), np.argsort(distinct(3, 4), axis=1), axis=1)
case(np.take_along_axis, normal(3, 4), np.array([[0, 0, 2]]).T, axis=1)
case(np.take_along_axis, normal(3, 4), np.array([[2, 0, 1, 1], [0, 0, 0, 0]]), axis=0)
case(np.take_along_axis, normal(2, 3), np.array([5, 0, 5]), axis=None)
case(np.kron, normal(2, 3), normal(3, 2), wrt=(0, 1))
case(np.kron, normal(3), normal(2, 2), wrt=(0, 1))
case(np.kron, 1.5, normal(2), wrt=(0, 1))
case(np.cross, normal(3), normal(3), wrt=(0, 1))
case(np.cross, normal(4, 3), normal(3), wrt=(0, 1))
case(np.cross, normal(3, 4), normal(4, 3), axisa=0, wrt=(0, 1))
case(np.cross, normal(2, 3, 2), normal(2, 3, 2), axis=1, wrt=(0, 1))
case(np.cross, normal(2, 2), normal(2), wrt=(0, 1))
case(np.cross, normal(2), normal(2, 3), wrt=(0, 1))
case(np.cross, normal(3), normal(3), axisc=0, wrt=(0, 1))
case(np.full, (2, 3), 1.5, wrt=(1,))
case(np.full, (2, 3), normal(3), wrt=(1,))
case(np.full_like, normal(2, 3), 1.5, wrt=(1,))
case(np.full_like, normal(2, 3), normal(2, 1), wrt=(1,))
case(np.linspace, 0.5, 2.0, 5, wrt=(0, 1))
case(np.linspace, normal(2), normal(2), 4, endpoint=False, wrt=(0, 1))
case(np.linspace, normal(3), 1.0, 4, axis=-1, wrt=(0, 1))
case(np.linspace, 0.5, normal(2, 1), 3, retstep=True, wrt=(0, 1))
case(np.ndarray.astype, normal(2, 3), np.float64)
case(np.ndarray.astype, normal(3).astype(np.float32), np.float64)

# ---- windows and scans
for a, v in [(5, 3), (3, 5), (4, 4), (6, 2), (2, 6), (1, 3)]:
    for mode in ("full", "same", "valid"):
        case(np.convolve, normal(a), normal(v), mode, wrt=(0, 1))
        case(np.correlate, normal(a), normal(v), mode=mode, wrt=(0, 1))
case(np.convolve, normal(4), normal(3), wrt=(0, 1))
case(np.correlate, normal(4), normal(3), wrt=(0, 1))
case(np.diff, normal(5))
case(np.diff, normal(3, 5), 2)
case(np.diff, normal(4, 3), axis=0)
case(np.diff, normal(2, 4), 1, -1, normal(2, 1), normal(2, 2), wrt=(0, 3, 4))
case(np.diff, normal(2, 4), 1, 0, 1.5, wrt=(0, 3))
case(np.gradient, normal(5))
case(np.gradient, normal(5), 0.5, wrt=(0, 1))
case(np.gradient, normal(5), np.array([0.0, 0.5, 1.5, 2.0, 3.5]), wrt=(0, 1))
case(np.gradient, normal(6), np.cumsum(positive(6)), edge_order=2, wrt=(0, 1))
case(np.gradient, normal(2), np.array([0.5, 1.7]), wrt=(0, 1))
case(np.gradient, normal(3, 4), np.cumsum(positive(3)), np.cumsum(positive(4)), wrt=(0, 1, 2))
case(np.gradient, normal(4, 3), np.cumsum(positive(4)), axis=0, edge_order=2, wrt=(0, 1))
case(np.gradient, normal(6), 0.7, edge_order=2, wrt=(0, 1))
case(np.gradient, normal(3, 4), wrt=(0,))
case(np.gradient, normal(3, 4), 0.5, 2.0, wrt=(0, 1, 2))
case(np.gradient, normal(3, 4), axis=1)
case(np.gradient, normal(2, 3, 4), 0.5, axis=(0, 2), wrt=(0, 1))
for axis in (None, 0, 1, -1):
    case(np.cumprod, normal(3, 4), axis=axis)
    case(np.ndarray.cumprod, normal(2, 3), axis)
case(np.cumprod, np.array([2.0, 0.0, 3.0, 0.0, 5.0]))
case(np.cumprod, np.array([[0.0, 1.5, 2.0], [1.5, -2.0, 0.0], [1.0, 2.0, 3.0]]), axis=1)

# ---- sorting
case(np.sort, distinct(5))
case(np.sort, distinct(3, 4))
case(np.sort, distinct(3, 4), axis=0)
case(np.sort, distinct(2, 3, 4), axis=1)
case(np.sort, distinct(3, 4), axis=None)
case(np.partition, distinct(6), 2)
case(np.partition, distinct(3, 5), (1, 3), axis=1)
case(np.partition, distinct(4, 3), 1, axis=0)

# ---- decompositions
for shape in [(3, 3), (2, 4, 4)]:
    case(np.linalg.cholesky, spd(*shape))
    case(np.linalg.cholesky, spd(*shape), upper=True)
    case(np.linalg.eigh, spread_spectrum(*shape))
    case(np.linalg.eigh, spread_spectrum(*shape), "U")
    case(np.linalg.pinv, well_conditioned(*shape))


def real_spectrum(*shape):
    """Matrices ``P diag(w) P^-1`` with real, well separated eigenvalues."""
    p = well_conditioned(*shape)
    w = np.arange(1, shape[-1] + 1) * 1.5 - 2.2
    return (p * w) @ np.linalg.inv(p)


case(np.linalg.eig, real_spectrum(3, 3))
case(np.linalg.eig, real_spectrum(2, 4, 4))
for shape in [(3, 3), (4, 2), (2, 4), (2, 3, 2)]:
    case(np.linalg.svd, distinct(*shape), False)
    case(np.linalg.svd, distinct(*shape), compute_uv=False)
    case(np.linalg.pinv, normal(*shape) + np.eye(*shape[-2:]))
case(np.linalg.svd, distinct(3, 3))
for shape in [(3, 3), (4, 2), (2, 4, 3)]:
    case(np.linalg.qr, well_conditioned(3) if shape == (3, 3) else normal(*shape))
    case(np.linalg.qr, normal(*shape), "r")
case(np.linalg.qr, well_conditioned(3), "complete")
for shape, kwargs in [
    ((3, 4), {"ord": 2}), ((3, 4), {"ord": -2}), ((4, 3), {"ord": 1}), ((4, 3), {"ord": -1}),
    ((3, 4), {"ord": np.inf}), ((3, 4), {"ord": -np.inf}),
    ((2, 3, 4), {"ord": 2, "axis": (2, 0)}), ((2, 3, 4), {"ord": 1, "axis": (0, 1)}),
    ((2, 3, 4), {"ord": -np.inf, "axis": (-1, 1), "keepdims": True}),
]:  # fmt: skip
    case(np.linalg.norm, distinct(*shape), **kwargs)

# ---- order statistics, weighted sums, integrals
for axis, keepdims in [(None, False), (0, False), (1, True), (-1, False), ((0, 2), True)]:
    case(np.median, distinct(3, 4, 2), axis=axis, keepdims=keepdims)
    case(np.quantile, distinct(3, 4, 2), 0.3, axis=axis, keepdims=keepdims, wrt=(0, 1))
case(np.median, distinct(4))
case(np.median, distinct(5), 0)
for method in ("linear", "lower", "higher", "midpoint"):
    case(np.quantile, distinct(2, 5), np.array([0.1, 0.65]), axis=1, method=method, wrt=(0, 1))
case(np.percentile, distinct(6), 35.0, wrt=(0, 1))
case(np.percentile, distinct(3, 4), np.array([20.0, 70.0]), axis=0, keepdims=True, wrt=(0, 1))
case(np.average, normal(3, 4))
case(np.average, normal(3, 4), 1)
case(np.average, normal(3, 4), 0, positive(3), wrt=(0, 2))
case(np.average, normal(3, 4), None, positive(3, 4), wrt=(0, 2))
case(np.average, normal(3, 4), 1, positive(4), True, wrt=(0, 2))
case(np.average, normal(2, 3), -1, positive(2, 3), keepdims=True, wrt=(0, 2))
case(np.ptp, distinct(3, 4))
case(np.ptp, distinct(3, 4), 1)
case(np.ptp, distinct(2, 3, 4), axis=(0, 2), keepdims=True)
case(np.trapezoid, normal(5))
case(np.trapezoid, normal(3, 4), None, 0.5, wrt=(0, 2))
case(np.trapezoid, normal(3, 4), np.array([0.0, 0.5, 1.5, 2.0]), wrt=(0, 1))
case(np.trapezoid, normal(3, 4), np.cumsum(positive(3, 4), axis=0), axis=0, wrt=(0, 1))

# ---- joins
case(np.append, normal(3), normal(2), wrt=(0, 1))
case(np.append, normal(2, 3), normal(2), wrt=(0, 1))
case(np.append, normal(2, 3), normal(1, 3), axis=0, wrt=(0, 1))
case(np.column_stack, [normal(3), normal(3, 2)])
case(np.dstack, [normal(2, 3), normal(2, 3, 2), normal(2, 3)])
case(np.dstack, [normal(3), normal(3)])

# ---- NumPy 2's array-API linear algebra, matrix_power, multi_dot
case(np.linalg.outer, normal(3), normal(2), wrt=(0, 1))
case(np.linalg.matmul, normal(2, 2, 3), normal(3, 4), wrt=(0, 1))
case(np.linalg.tensordot, normal(2, 3), normal(3, 4), axes=1, wrt=(0, 1))
case(np.linalg.cross, normal(2, 3), normal(3), wrt=(0, 1))
case(np.linalg.trace, normal(2, 3, 3), offset=1)
case(np.linalg.diagonal, normal(2, 3, 4), offset=-1)
case(np.linalg.matrix_transpose, normal(2, 3, 4))
case(np.matrix_transpose, normal(3, 4))
case(np.vecdot, normal(2, 3), normal(3), wrt=(0, 1))
case(np.vecdot, normal(3, 2), normal(3, 1), axis=0, wrt=(0, 1))
case(np.linalg.vecdot, normal(4, 3), normal(4, 3), wrt=(0, 1))
case(np.linalg.svdvals, distinct(3, 4))
case(np.linalg.vector_norm, normal(2, 3))
case(np.linalg.vector_norm, normal(2, 3, 4), axis=(0, 2), keepdims=True)
case(np.linalg.vector_norm, normal(2, 3), axis=1, ord=1)
case(np.linalg.vector_norm, distinct(2, 3), axis=-1, ord=np.inf)
case(np.linalg.matrix_norm, normal(2, 3, 4))
case(np.linalg.matrix_norm, distinct(2, 3, 4), ord=2, keepdims=True)
case(np.linalg.matrix_norm, distinct(3, 4), ord="nuc")
for power in (0, 1, 3, -2):
    case(np.linalg.matrix_power, well_conditioned(3), power)
case(np.linalg.matrix_power, well_conditioned(2, 3, 3), 2)
case(np.linalg.multi_dot, [normal(2, 3), normal(3, 4), normal(4, 2)])
case(np.linalg.multi_dot, [normal(3), normal(3, 4), normal(4)])
case(np.linalg.multi_dot, [normal(3), normal(3, 2), normal(2, 4)])

# ---- cumulative_sum / cumulative_prod, interp
for kwargs in ({}, {"include_initial": True}):
    case(np.cumulative_sum, normal(4), **kwargs)
    case(np.cumulative_sum, normal(2, 3), axis=1, **kwargs)
    case(np.cumulative_prod, normal(4), **kwargs)
    case(np.cumulative_prod, normal(3, 2), axis=0, **kwargs)
KNOTS = np.array([-1.0, 0.0, 0.7, 2.0])
case(np.interp, np.array([-0.5, 0.3, 0.35, 1.9]), KNOTS, normal(4), wrt=(0, 1, 2))
case(np.interp, np.array([-1.5, 0.3, 2.5]), KNOTS, normal(4), wrt=(0, 1, 2))
case(np.interp, np.array([[-1.5, 0.3], [1.2, 2.5]]), KNOTS, normal(4), -3.0, 4.0,
     wrt=(0, 1, 2, 3, 4))  # fmt: skip
case(np.interp, 0.45, KNOTS, normal(4), wrt=(0, 1, 2))
