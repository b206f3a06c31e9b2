"""Rules for ``np.linalg``: inv det slogdet solve norm.

Matrix rules work on stacks of matrices (``(..., n, n)``), so transposes are
``np.swapaxes(a, -1, -2)``.  ``norm`` covers vector norms (``ord`` None, 1, 2,
inf, any p) and the matrix norms of every ``ord`` (``decompositions.py``), ``axis`` and
``keepdims``; a zero input gets a zero gradient.
"""

import numpy as np

from srcdiff.rules.decompositions import matrix_norm_slope
from srcdiff.rules.helpers import foreign, restore_reduced_axes, tie_share, unbroadcast
from srcdiff.rules.registry import defvjp


@defvjp(np.linalg.inv)
def inv(g, ans, a):
    return (-np.swapaxes(ans, -1, -2) @ g @ np.swapaxes(ans, -1, -2),)


@defvjp(np.linalg.det)
def det(g, ans, a):
    return (np.expand_dims(g * ans, (-2, -1)) * np.swapaxes(np.linalg.inv(a), -1, -2),)


@defvjp(np.linalg.slogdet)
def slogdet(g, ans, a):
    """``ans`` is ``(sign, logabsdet)`` and ``g`` its cotangent pair; the sign has none."""
    return (np.expand_dims(g[1], (-2, -1)) * np.swapaxes(np.linalg.inv(a), -1, -2),)


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
    if not foreign(x):
        x = np.asarray(x)
    if axis is None and ord is not None and x.ndim == 2:
        axis = (0, 1)
    matrix = isinstance(axis, (tuple, list)) and len(axis) == 2
    g = restore_reduced_axes(g, x, axis, keepdims)
    n = restore_reduced_axes(ans, x, axis, keepdims)
    # Matrix norms other than Frobenius call their slope through a name, so that
    # differentiating this rule again (a second derivative) reads the SVD only
    # when that branch runs, and refuses it then.
    if matrix and ord == "nuc":
        slope = nuclear_norm_direction
        return (g * slope(x, axis), None, None, None)
    if matrix and ord not in (None, "fro"):
        slope = matrix_norm_slope
        return (g * slope(x, ord, axis), None, None, None)
    if ord is None or ord == "fro" or ord == 2:
        dx = g * x / _safe(n)
    elif ord == 1:
        dx = g * np.sign(x)
    elif ord == np.inf or ord == -np.inf:
        dx = g * np.sign(x) * tie_share(np.abs(x), ans, axis, keepdims)
    elif ord == 0:
        dx = np.zeros_like(x * g)
    else:  # a p-norm: d|x|_p = sign(x) |x|^(p-1) / |x|_p^(p-1)
        dx = g * np.sign(x) * (np.abs(x) / _safe(n)) ** (ord - 1)
    return (dx, None, None, None)
