"""Rules for the joins NumPy builds from ``concatenate``: append column_stack dstack.

Each cuts ``g`` back into the pieces it joined (``GradientList`` for a list
of arrays); their JVPs join the tangents the same way, zeros for arguments
without one.
"""

import numpy as np

from srcdiff.rules.gradient_list import GradientList
from srcdiff.rules.helpers import zeros_like
from srcdiff.rules.registry import defjvp, deflinear, defvjp


def _cut(g, pieces, axis):
    """``g`` cut along ``axis`` into pieces of the given shapes' lengths on that axis."""
    sizes = [np.shape(p)[axis] for p in pieces]
    return np.split(g, np.cumsum(sizes)[:-1], axis=axis)


@defvjp(np.append)
def append(g, ans, arr, values, axis=None):
    """Without ``axis`` both are flattened first."""
    if axis is None:
        d_arr, d_values = _cut(g, [np.ravel(arr), np.ravel(values)], 0)
        return np.reshape(d_arr, np.shape(arr)), np.reshape(d_values, np.shape(values)), None
    d_arr, d_values = _cut(g, [arr, values], axis)
    return d_arr, d_values, None


@defjvp(np.append)
def append_jvp_arr(t, ans, arr, values, axis=None):
    return np.append(t, zeros_like(values), axis)


@defjvp(np.append, argnum=1)
def append_jvp_values(t, ans, arr, values, axis=None):
    return np.append(zeros_like(arr), t, axis)


def _as_columns(v):
    return np.reshape(v, (-1, 1)) if np.ndim(v) < 2 else np.asarray(v)


@defvjp(np.column_stack)
def column_stack(g, ans, tup):
    """1-D arrays became columns; 2-D ones keep their columns."""
    pieces = _cut(g, [_as_columns(v) for v in tup], 1)
    return (GradientList(np.reshape(p, np.shape(v)) for p, v in zip(pieces, tup)),)


@defvjp(np.dstack)
def dstack(g, ans, tup):
    """Each array was made at least 3-D, then joined along the third axis."""
    pieces = _cut(g, [np.atleast_3d(v) for v in tup], 2)
    return (GradientList(np.reshape(p, np.shape(v)) for p, v in zip(pieces, tup)),)


deflinear(np.column_stack, np.dstack)
