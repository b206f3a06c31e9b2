"""Rules for Python's arithmetic operators and their NumPy ufuncs.

Every binary rule undoes broadcasting on both operands with ``unbroadcast``.
"""

import math
import operator

import numpy as np

from srcdiff.rules.helpers import unbroadcast
from srcdiff.rules.registry import defvjp


@defvjp(np.add, operator.add, operator.iadd)
def add(g, ans, x, y):
    return unbroadcast(g, x), unbroadcast(g, y)


@defvjp(np.subtract, operator.sub, operator.isub)
def subtract(g, ans, x, y):
    return unbroadcast(g, x), unbroadcast(-g, y)


@defvjp(np.multiply, operator.mul, operator.imul)
def multiply(g, ans, x, y):
    return unbroadcast(g * y, x), unbroadcast(g * x, y)


@defvjp(np.true_divide, operator.truediv, operator.itruediv)
def divide(g, ans, x, y):
    return unbroadcast(g / y, x), unbroadcast(-g * ans / y, y)


@defvjp(np.power, operator.pow, operator.ipow, math.pow)
def power(g, ans, x, y):
    # ``0 ** (y * y)`` is 1 where y == 0, else 0: it makes d(x ** 0)/dx = 0 * x ** 0 = 0 at
    # x == 0 (not 0 * inf), as PyTorch; for a constant y it folds away (``x ** 2`` -> ``2 * x``).
    return (
        unbroadcast(g * y * x ** (y - 1 + 0 ** (y * y)), x),
        unbroadcast(g * ans * np.log(np.where(x == 0, 1.0, x)), y),
    )


@defvjp(np.negative, operator.neg)
def negative(g, ans, x):
    return (-g,)


@defvjp(np.positive, operator.pos)
def positive(g, ans, x):
    return (g,)


@defvjp(np.matmul, operator.matmul, operator.imatmul)
def matmul(g, ans, x, y):
    x_ndim, y_ndim = np.ndim(x), np.ndim(y)
    if x_ndim == 1 and y_ndim == 1:
        return g * y, g * x
    if x_ndim == 2 and y_ndim == 2:
        return g @ y.T, x.T @ g
    # Promote vectors to matrices as matmul does, then undo it.
    x2 = x[np.newaxis, :] if x_ndim == 1 else x
    y2 = y[:, np.newaxis] if y_ndim == 1 else y
    g2 = g
    if x_ndim == 1:
        g2 = np.expand_dims(g2, -2)
    if y_ndim == 1:
        g2 = np.expand_dims(g2, -1)
    dx = g2 @ np.swapaxes(y2, -1, -2)
    dy = np.swapaxes(x2, -1, -2) @ g2
    if x_ndim == 1:
        dx = np.squeeze(dx, -2)
    if y_ndim == 1:
        dy = np.squeeze(dy, -1)
    return unbroadcast(dx, x), unbroadcast(dy, y)
