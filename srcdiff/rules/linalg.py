"""Rules for ``np.linalg``: inv det slogdet solve norm.

Matrix rules work on stacks of matrices (``(..., n, n)``), so transposes are
``np.swapaxes(a, -1, -2)``.  ``norm`` covers vector norms (``ord`` None, 1, 2,
inf, any p) and the matrix norms of every ``ord`` (``decompositions.py``), ``axis`` and
``keepdims``; a zero input gets a zero gradient.
"""

import numpy as np

from srcdiff.rules.decompositions import matrix_norm_slope
from srcdiff.rules.helpers import as_array, restore_reduced_axes, tie_share, unbroadcast, zeros_like
from srcdiff.rules.registry import defjvp, deflinear, defvjp, nondifferentiable


@defvjp(np.linalg.inv)
def inv(g, ans, a):
    return (-np.swapaxes(ans, -1, -2) @ g @ np.swapaxes(ans, -1, -2),)


@defjvp(np.linalg.inv)
def inv_jvp(t, ans, a):
    return -ans @ t @ ans


def _trace_of_solve(a, t):
    """``trace(inv(a) @ t)`` over the last two axes: the derivative of ``log|det a|``."""
    return np.trace(np.linalg.solve(a, t), axis1=-2, axis2=-1)


@defvjp(np.linalg.det)
def det(g, ans, a):
    return (np.expand_dims(g * ans, (-2, -1)) * np.swapaxes(np.linalg.inv(a), -1, -2),)


@defjvp(np.linalg.det)
def det_jvp(t, ans, a):
    return ans * _trace_of_solve(a, t)


@defvjp(np.linalg.slogdet)
def slogdet(g, ans, a):
    """``ans`` is ``(sign, logabsdet)`` and ``g`` its cotangent pair; the sign has none."""
    return (np.expand_dims(g[1], (-2, -1)) * np.swapaxes(np.linalg.inv(a), -1, -2),)


@defjvp(np.linalg.slogdet)
def slogdet_jvp(t, ans, a):
    """The tangent pair of ``(sign, logabsdet)``: the sign is constant."""
    return zeros_like(ans[1]), _trace_of_solve(a, t)


@defvjp(np.linalg.solve)
def solve(g, ans, a, b):
    """``ans = inv(a) @ b``; ``b`` is one vector when 1-D, else a stack of matrices."""
    a_t = np.swapaxes(a, -1, -2)
    if np.ndim(b) == 1:
        db = np.linalg.solve(a_t, g[..., None])[..., 0]
        da = -db[..., :, None] * ans[..., None, :]
    else:
        db = np.linalg.solve(a_t, g)
        da = -db @ np.swapaxes(ans, -1, -2)
    return unbroadcast(da, a), unbroadcast(db, b)


@defjvp(np.linalg.solve)
def solve_jvp(t, ans, a, b):
    """``d(inv(a) @ b) = -inv(a) @ t @ ans``."""
    if np.ndim(b) == 1:
        return -np.linalg.solve(a, (t @ ans[..., None]))[..., 0]
    return -np.linalg.solve(a, t @ ans)


deflinear(np.linalg.solve, argnums=(1,))


def _safe(norm):
    """``norm`` with zeros replaced by ones: a zero norm means a zero input, so 0/1 gives 0."""
    return np.where(norm == 0, 1.0, norm)


def nuclear_norm_direction(x, axis):
    """``U V^T`` of the SVD of ``x`` over the two ``axis``: the derivative of the nuclear norm."""
    rows, cols = axis
    u, _, vt = np.linalg.svd(np.moveaxis(x, (rows, cols), (-2, -1)), full_matrices=False)
    return np.moveaxis(u @ vt, (-2, -1), (rows, cols))


@defvjp(np.linalg.norm)
def norm(g, ans, x, ord=None, axis=None, keepdims=False):
    slope = _norm_slope(ans, x, ord, axis, keepdims)
    axes = norm_axes(x, ord, axis)
    return (restore_reduced_axes(g, x, axes, keepdims) * slope, None, None, None)


@defjvp(np.linalg.norm)
def norm_jvp(t, ans, x, ord=None, axis=None, keepdims=False):
    slope = _norm_slope(ans, x, ord, axis, keepdims)
    axes = norm_axes(x, ord, axis)
    return np.reshape(np.sum(t * slope, axis=axes, keepdims=keepdims), np.shape(ans))


def _norm_slope(ans, x, ord, axis, keepdims):
    """The derivative of ``np.linalg.norm`` with respect to each element of ``x``."""
    x = as_array(x)
    axis = norm_axes(x, ord, axis)
    matrix = isinstance(axis, (tuple, list)) and len(axis) == 2
    n = restore_reduced_axes(ans, x, axis, keepdims)
    # Matrix norms other than Frobenius call their slope through a name, so that
    # differentiating this rule again (a second derivative) reads the SVD only
    # when that branch runs, and refuses it then.
    if matrix and ord == "nuc":
        slope = nuclear_norm_direction
        return slope(x, axis)
    if matrix and ord not in (None, "fro"):
        slope = matrix_norm_slope
        return slope(x, ord, axis)
    if ord is None or ord == "fro" or ord == 2:
        return x / _safe(n)
    if ord == 1:
        return np.sign(x)
    if ord == np.inf or ord == -np.inf:
        return np.sign(x) * tie_share(np.abs(x), ans, axis, keepdims)
    if ord == 0:
        return np.zeros(x.shape)
    # a p-norm: d|x|_p = sign(x) |x|^(p-1) / |x|_p^(p-1)
    return np.sign(x) * (np.abs(x) / _safe(n)) ** (ord - 1)


@nondifferentiable
def norm_axes(x, ord, axis):
    """The axes ``np.linalg.norm`` reduces: None for all of them, a pair for a matrix norm."""
    if axis is None and ord is not None and np.ndim(x) == 2:
        return (0, 1)
    return tuple(axis) if isinstance(axis, (tuple, list)) else axis
