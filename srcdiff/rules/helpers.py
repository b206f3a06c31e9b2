"""Small NumPy helpers that rules share.

The rules call these by name, and the static compiler inlines rules into
generated code, so every helper here is also visible in generated adjoints.
"""

import numpy as np


def unbroadcast(g, x):
    """Sum the cotangent ``g`` down to the shape of ``x``, undoing broadcasting.

    Costs one shape comparison when no broadcasting happened.
    """
    try:
        shape = x.shape
    except AttributeError:
        shape = np.shape(x)
    try:
        g_shape = g.shape
    except AttributeError:
        g_shape = np.shape(g)
    if g_shape == shape:
        return g
    g = np.asarray(g)
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    kept = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if kept:
        g = g.sum(axis=kept, keepdims=True)
    if not shape:
        return g[()]
    return g


def zeros_like(x):
    """A float zero of ``x``'s shape: the gradient of a value that got none."""
    if isinstance(x, (list, tuple)):
        return type(x)(zeros_like(item) for item in x)
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        return 0.0
    if not np.issubdtype(dtype, np.inexact):
        dtype = np.float64
    if np.ndim(x) == 0:
        return dtype.type(0)
    return np.zeros(np.shape(x), dtype)
