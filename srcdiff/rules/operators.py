"""Rules for Python's arithmetic operators and their NumPy ufuncs.

Every binary rule undoes broadcasting on both operands with ``unbroadcast``.
"""

import math
import operator

import numpy as np

from srcdiff.rules.helpers import ndim, unbroadcast
from srcdiff.rules.registry import defjvp, deflinear, defvjp


@defvjp(np.add, operator.add, operator.iadd, elementwise=True)
def add(g, ans, x, y):
    return unbroadcast(g, x), unbroadcast(g, y)


@defjvp(np.add, operator.add, operator.iadd, np.subtract, operator.sub, operator.isub)
@defjvp(np.add, operator.add, operator.iadd, argnum=1)
def add_jvp(t, ans, x, y):
    return t


@defvjp(np.subtract, operator.sub, operator.isub, elementwise=True)
def subtract(g, ans, x, y):
    return unbroadcast(g, x), unbroadcast(-g, y)


@defjvp(np.subtract, operator.sub, operator.isub, argnum=1)
def subtract_jvp(t, ans, x, y):
    return -t


@defvjp(np.multiply, operator.mul, operator.imul, elementwise=True)
def multiply(g, ans, x, y):
    return unbroadcast(g * y, x), unbroadcast(g * x, y)


deflinear(np.multiply, operator.mul, argnums=(0, 1))


@defjvp(operator.imul)
def multiply_jvp(t, ans, x, y):
    return t * y


@defjvp(operator.imul, argnum=1)
def multiply_right_jvp(t, ans, x, y):
    return x * t


@defvjp(np.true_divide, operator.truediv, operator.itruediv, elementwise=True)
def divide(g, ans, x, y):
    return unbroadcast(g / y, x), unbroadcast(-g * ans / y, y)


@defjvp(np.true_divide, operator.truediv, operator.itruediv)
def divide_jvp(t, ans, x, y):
    return t / y


@defjvp(np.true_divide, operator.truediv, operator.itruediv, argnum=1)
def divide_right_jvp(t, ans, x, y):
    return -t * ans / y


@defvjp(np.power, operator.pow, operator.ipow, math.pow, elementwise=True)
def power(g, ans, x, y):
    # ``0 ** (y * y)`` is 1 where y == 0, else 0: it makes d(x ** 0)/dx = 0 * x ** 0 = 0 at
    # x == 0 (not 0 * inf), as PyTorch; for a constant y it folds away (``x ** 2`` -> ``2 * x``).
    return (
        unbroadcast(g * y * x ** (y - 1 + 0 ** (y * y)), x),
        unbroadcast(g * ans * np.log(np.where(x == 0, 1.0, x)), y),
    )


@defjvp(np.power, operator.pow, operator.ipow, math.pow)
def power_jvp(t, ans, x, y):
    return t * y * x ** (y - 1 + 0 ** (y * y))


@defjvp(np.power, operator.pow, operator.ipow, math.pow, argnum=1)
def power_right_jvp(t, ans, x, y):
    return t * ans * np.log(np.where(x == 0, 1.0, x))


@defvjp(np.negative, operator.neg, elementwise=True)
def negative(g, ans, x):
    return (-g,)


@defvjp(np.positive, operator.pos, elementwise=True)
def positive(g, ans, x):
    return (g,)


deflinear(np.negative, operator.neg, np.positive, operator.pos)


def _as_matrices(g, x, y):
    """matmul promotes a 1-D operand to a matrix; do the same to ``g``, ``x`` and ``y``."""
    x2 = x[np.newaxis, :] if ndim(x) == 1 else x
    y2 = y[:, np.newaxis] if ndim(y) == 1 else y
    if ndim(x) == 1:
        g = np.expand_dims(g, -2)
    if ndim(y) == 1:
        g = np.expand_dims(g, -1)
    return g, x2, y2


def matmul_left(g, x, y):
    """The cotangent of ``x`` in ``x @ y``."""
    x_ndim, y_ndim = ndim(x), ndim(y)
    if y_ndim == 2 and x_ndim == 2:
        return g @ y.T
    if y_ndim == 2 and x_ndim == 1:
        return y @ g
    if y_ndim == 1 and x_ndim == 2:
        return np.outer(g, y)
    if y_ndim == 1 and x_ndim == 1:
        return g * y
    g2, _, y2 = _as_matrices(g, x, y)
    dx = g2 @ np.swapaxes(y2, -1, -2)
    return unbroadcast(np.squeeze(dx, -2) if x_ndim == 1 else dx, x)


def matmul_right(g, x, y):
    """The cotangent of ``y`` in ``x @ y``."""
    x_ndim, y_ndim = ndim(x), ndim(y)
    if x_ndim == 2 and y_ndim in (1, 2):
        return x.T @ g
    if x_ndim == 1 and y_ndim == 2:
        return np.outer(x, g)
    if x_ndim == 1 and y_ndim == 1:
        return g * x
    g2, x2, _ = _as_matrices(g, x, y)
    dy = np.swapaxes(x2, -1, -2) @ g2
    return unbroadcast(np.squeeze(dy, -1) if y_ndim == 1 else dy, y)


@defvjp(np.matmul, operator.matmul, operator.imatmul)
def matmul(g, ans, x, y):
    return matmul_left(g, x, y), matmul_right(g, x, y)


deflinear(np.matmul, operator.matmul, argnums=(0, 1))


@defjvp(operator.imatmul)
def matmul_jvp(t, ans, x, y):
    return t @ y


@defjvp(operator.imatmul, argnum=1)
def matmul_right_jvp(t, ans, x, y):
    return x @ t
