"""Rules for elementwise functions: NumPy ufuncs and their ``math`` mirrors.

A unary rule multiplies ``g`` by the derivative, written with ``ans`` where
that saves work (``exp``, ``tanh``).  Binary rules (``maximum``,
``logaddexp``, ``where``, ``clip``) undo broadcasting with ``unbroadcast``.
Kinks follow PyTorch: ``abs'(0) = 0``, ties of ``maximum``/``minimum`` split
the gradient 0.5/0.5, ``clip`` passes the gradient at both bounds.
"""

import builtins
import math

import numpy as np

from srcdiff.rules.helpers import unbroadcast, zeros_like
from srcdiff.rules.registry import defvjp


@defvjp(np.exp, math.exp, elementwise=True)
def exp(g, ans, x):
    return (g * ans,)


@defvjp(np.log, elementwise=True)
def log(g, ans, x):
    return (g / x,)


@defvjp(math.log, elementwise=True)
def math_log(g, ans, x, base=None):
    """``math.log(x)`` or ``math.log(x, base)``; the base is differentiable too."""
    if base is None:
        return (g / x,)
    log_base = np.log(base)
    return g / (x * log_base), -g * ans / (base * log_base)


@defvjp(np.log1p, math.log1p, elementwise=True)
def log1p(g, ans, x):
    return (g / (1.0 + x),)


@defvjp(np.expm1, math.expm1, elementwise=True)
def expm1(g, ans, x):
    return (g * (ans + 1.0),)


@defvjp(np.sqrt, math.sqrt, elementwise=True)
def sqrt(g, ans, x):
    return (g * 0.5 / ans,)


@defvjp(np.square, elementwise=True)
def square(g, ans, x):
    return (g * 2.0 * x,)


@defvjp(np.reciprocal, elementwise=True)
def reciprocal(g, ans, x):
    return (-g * ans * ans,)


@defvjp(np.sin, math.sin, elementwise=True)
def sin(g, ans, x):
    return (g * np.cos(x),)


@defvjp(np.cos, math.cos, elementwise=True)
def cos(g, ans, x):
    return (-g * np.sin(x),)


@defvjp(np.tan, math.tan, elementwise=True)
def tan(g, ans, x):
    return (g * (1.0 + ans * ans),)


@defvjp(np.arcsin, math.asin, elementwise=True)
def arcsin(g, ans, x):
    return (g / np.sqrt(1.0 - x * x),)


@defvjp(np.arccos, math.acos, elementwise=True)
def arccos(g, ans, x):
    return (-g / np.sqrt(1.0 - x * x),)


@defvjp(np.arctan, math.atan, elementwise=True)
def arctan(g, ans, x):
    return (g / (1.0 + x * x),)


@defvjp(np.sinh, math.sinh, elementwise=True)
def sinh(g, ans, x):
    return (g * np.cosh(x),)


@defvjp(np.cosh, math.cosh, elementwise=True)
def cosh(g, ans, x):
    return (g * np.sinh(x),)


@defvjp(np.tanh, math.tanh, elementwise=True)
def tanh(g, ans, x):
    return (g * (1.0 - ans * ans),)


@defvjp(np.abs, np.absolute, builtins.abs, math.fabs, elementwise=True)
def absolute(g, ans, x):
    return (g * np.sign(x),)


@defvjp(np.sign)
def sign(g, ans, x):
    return (zeros_like(g),)


@defvjp(np.maximum, elementwise=True)
def maximum(g, ans, x, y):
    return (
        unbroadcast(np.where(x == y, 0.5 * g, g * (x > y)), x),
        unbroadcast(np.where(x == y, 0.5 * g, g * (x < y)), y),
    )


@defvjp(np.minimum, elementwise=True)
def minimum(g, ans, x, y):
    return (
        unbroadcast(np.where(x == y, 0.5 * g, g * (x < y)), x),
        unbroadcast(np.where(x == y, 0.5 * g, g * (x > y)), y),
    )


@defvjp(np.logaddexp, elementwise=True)
def logaddexp(g, ans, x, y):
    return unbroadcast(g * np.exp(x - ans), x), unbroadcast(g * np.exp(y - ans), y)


@defvjp(np.where, elementwise=True)
def where(g, ans, condition, x, y):
    return (
        None,
        unbroadcast(np.where(condition, g, 0.0), x),
        unbroadcast(np.where(condition, 0.0, g), y),
    )


@defvjp(np.clip, np.ndarray.clip)
def clip(g, ans, x, a_min=None, a_max=None, out=None, *, min=None, max=None):
    """``x`` gets ``g`` inside ``[a_min, a_max]`` (inclusive); a bound gets it where it binds."""
    low = a_min if a_min is not None else min
    high = a_max if a_max is not None else max
    inside = np.ones(np.shape(ans), dtype=bool)
    below = above = None
    if high is not None:  # np.clip applies the upper bound last, so it wins
        above = (x if low is None else np.maximum(x, low)) > high
        inside = inside & ~above
    if low is not None:
        below = x < low
        if above is not None:
            below = below & ~above
        inside = inside & ~below
    d_low = None if below is None else unbroadcast(g * below, low)
    d_high = None if above is None else unbroadcast(g * above, high)
    return unbroadcast(g * inside, x), d_low, d_high
