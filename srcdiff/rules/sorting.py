"""Rules for sorting and partitioning: sort partition (``msort`` left NumPy in 2.0).

Both only rearrange ``x`` along an axis, so each entry of the result is one
entry of ``x``.  Which one is read off by ranking: the entry of rank ``r`` in
``x`` is the entry of rank ``r`` in the result (exact for distinct values; a
tie hands the gradient to one of the equal entries, as PyTorch does).  The
VJP moves ``g`` back along that matching, the JVP moves the tangent forward.
"""

import numpy as np

from srcdiff.rules.helpers import scatter_add
from srcdiff.rules.more_shapes import along_axis_index
from srcdiff.rules.registry import defjvp, defvjp, nondifferentiable


@nondifferentiable
def _matching(x, ans, axis):
    """``(order of x, order of ans)`` along ``axis``: entry ``x[order_x[r]]`` is ``ans[order_ans[r]]``."""
    return np.argsort(x, axis=axis, kind="stable"), np.argsort(ans, axis=axis, kind="stable")


def rearranged_back(g, x, ans, axis):
    """The cotangent of ``x`` for a result ``ans`` that rearranges it along ``axis``."""
    if axis is None:  # NumPy sorts the flattened array
        flat = rearranged_back(np.ravel(g), np.ravel(x), np.ravel(ans), 0)
        return np.reshape(flat, np.shape(x))
    order_x, order_ans = _matching(x, ans, axis)
    index = along_axis_index(x, order_x, axis % np.ndim(x), np.shape(x))
    return scatter_add(np.take_along_axis(np.asarray(g), order_ans, axis), x, index)


def rearranged_forward(t, x, ans, axis):
    """The tangent of ``ans`` for a tangent ``t`` of ``x`` it rearranges along ``axis``."""
    if axis is None:
        return rearranged_forward(np.ravel(t), np.ravel(x), np.ravel(ans), 0)
    order_x, order_ans = _matching(x, ans, axis)
    out = np.zeros(np.shape(ans), np.result_type(t, 1.0))
    np.put_along_axis(out, order_ans, np.take_along_axis(np.asarray(t), order_x, axis), axis)
    return out


@defvjp(np.sort)
def sort(g, ans, a, axis=-1, kind=None, order=None, *, stable=None):
    return rearranged_back(g, a, ans, axis), None


@defjvp(np.sort)
def sort_jvp(t, ans, a, axis=-1, kind=None, order=None, *, stable=None):
    return rearranged_forward(t, a, ans, axis)


@defvjp(np.partition)
def partition(g, ans, a, kth, axis=-1, kind="introselect", order=None):
    return rearranged_back(g, a, ans, axis), None, None


@defjvp(np.partition)
def partition_jvp(t, ans, a, kth, axis=-1, kind="introselect", order=None):
    return rearranged_forward(t, a, ans, axis)
