"""Rules for reductions and scans: sum mean prod max min var std cumsum.

Every reduction takes NumPy's ``axis`` (None, int, negative int, tuple) and
``keepdims``; ``unreduce`` spreads the cotangent back over the reduced axes.
``max``/``min`` split the gradient evenly among ties (as ``torch.amax``);
``prod`` is exact with zeros; ``var``/``std`` follow NumPy's ``ddof=0``
default.  Builtin ``sum`` is here too, for lists, tuples and arrays.
"""

import builtins

import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.rules.gradient_list import GradientList
from srcdiff.rules.helpers import (
    foreign,
    prod_of_others,
    reduced_size,
    tie_share,
    unbroadcast,
    unreduce,
)
from srcdiff.rules.registry import defvjp


@defvjp(np.sum, np.ndarray.sum)
def sum_(g, ans, x, axis=None, dtype=None, out=None, keepdims=False, initial=None):
    return (unreduce(g, x, axis, keepdims),)


@defvjp(np.mean, np.ndarray.mean)
def mean(g, ans, x, axis=None, dtype=None, out=None, keepdims=False):
    return (unreduce(g / reduced_size(x, axis), x, axis, keepdims),)


@defvjp(np.prod, np.ndarray.prod)
def prod(g, ans, x, axis=None, dtype=None, out=None, keepdims=False):
    return (unreduce(g, x, axis, keepdims) * prod_of_others(x, axis),)


@defvjp(np.max, np.amax, np.ndarray.max, np.min, np.amin, np.ndarray.min)
def max_(g, ans, x, axis=None, out=None, keepdims=False):
    return (unreduce(g, x, axis, keepdims) * tie_share(x, ans, axis, keepdims),)


def _centered_over_count(x, axis, ddof, correction):
    """``(x - mean) / (N - ddof)``: the derivative of the variance, halved."""
    if correction is not None:
        ddof = correction
    centered = x - np.mean(x, axis=axis, keepdims=True)
    return centered / (reduced_size(x, axis) - ddof)


@defvjp(np.var, np.ndarray.var)
def var(g, ans, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, correction=None):
    slope = _centered_over_count(x, axis, ddof, correction)
    return (unreduce(g, x, axis, keepdims) * slope * 2.0,)


@defvjp(np.std, np.ndarray.std)
def std(g, ans, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, correction=None):
    slope = _centered_over_count(x, axis, ddof, correction)
    return (unreduce(g / ans, x, axis, keepdims) * slope,)


@defvjp(np.cumsum, np.ndarray.cumsum)
def cumsum(g, ans, x, axis=None, dtype=None, out=None):
    """Each input feeds every later partial sum: a reversed cumulative sum of ``g``."""
    if axis is None:  # NumPy scans the flattened array
        return (np.reshape(np.cumsum(g[::-1])[::-1], np.shape(x)),)
    return (np.flip(np.cumsum(np.flip(g, axis), axis), axis),)


@defvjp(builtins.sum)
def builtin_sum(g, ans, iterable, start=0):
    """``sum(items, start)`` over a list, tuple or array: each item gets ``g``, unbroadcast.

    A generator is spent by the time the gradient runs, so it is refused.
    """
    if foreign(iterable):  # an array type that records (a Tensor): its own operations
        d_items = np.stack([unbroadcast(g, item) for item in iterable])
    elif isinstance(iterable, np.ndarray):
        if iterable.ndim == 1:
            d_items = np.full(iterable.shape, np.sum(g))
        else:
            d_items = np.stack([unbroadcast(g, item) for item in iterable])
    elif isinstance(iterable, (list, tuple)):
        d_items = GradientList(unbroadcast(g, item) for item in iterable)
    else:
        raise DifferentiationError(
            f"cannot differentiate builtin sum over a {type(iterable).__name__}: "
            "pass a list, tuple or array (a generator is consumed before the gradient runs)"
        )
    return d_items, unbroadcast(g, start)
