"""Conversions: ``x.astype(float)`` passes the gradient through, ``x.astype(int)`` stops it;
``list(items)`` and ``tuple(items)`` pass each item's gradient back to it.

A float or complex result is ``x`` again in another precision, so its
cotangent goes back to ``x`` cast to ``x``'s dtype.  An integer or boolean
result is piecewise constant in ``x``: it carries no gradient (zero).
"""

import builtins

import numpy as np

from srcdiff.rules.gradient_list import GradientList
from srcdiff.rules.helpers import zeros_like
from srcdiff.rules.registry import defjvp, deflinear, defvjp


def _carries_gradient(ans):
    return np.result_type(ans).kind in "fc"


@defvjp(np.ndarray.astype)
def astype(g, ans, x, dtype, order="K", casting="unsafe", subok=True, copy=True):
    if not _carries_gradient(ans):
        return (zeros_like(x),)
    return (np.asarray(g).astype(np.result_type(x), copy=False),)


@defjvp(np.ndarray.astype)
def astype_jvp(t, ans, x, dtype, order="K", casting="unsafe", subok=True, copy=True):
    if not _carries_gradient(ans):
        return zeros_like(ans)
    return np.asarray(t).astype(np.result_type(ans), copy=False)


@defvjp(builtins.list, builtins.tuple)
def sequence_copy(g, ans, items):
    """``list(items)``, ``tuple(items)``: item ``i`` of the result is item ``i`` of ``items``."""
    if isinstance(items, np.ndarray):  # the rows (or numbers) of an array
        dtype = items.dtype if np.issubdtype(items.dtype, np.inexact) else np.float64
        return (np.reshape(np.array([np.asarray(d) for d in g], dtype=dtype), items.shape),)
    return (GradientList(g),)


deflinear(builtins.list, builtins.tuple)
