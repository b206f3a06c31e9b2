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
from srcdiff.rules.registry import defjvp, defvjp


@defvjp(np.exp, math.exp, elementwise=True)
def exp(g, ans, x):
    return (g * ans,)


@defjvp(np.exp, math.exp)
def exp_jvp(t, ans, x):
    return t * ans


@defvjp(np.log, elementwise=True)
def log(g, ans, x):
    return (g / x,)


@defjvp(np.log)
def log_jvp(t, ans, x):
    return t / x


@defvjp(math.log, elementwise=True)
def math_log(g, ans, x, base=None):
    """``math.log(x)`` or ``math.log(x, base)``; the base is differentiable too."""
    if base is None:
        return (g / x,)
    log_base = np.log(base)
    return g / (x * log_base), -g * ans / (base * log_base)


@defjvp(math.log)
def math_log_jvp(t, ans, x, base=None):
    return t / x if base is None else t / (x * math.log(base))


@defjvp(math.log, argnum=1)
def math_log_base_jvp(t, ans, x, base):
    return -t * ans / (base * math.log(base))


@defvjp(np.log1p, math.log1p, elementwise=True)
def log1p(g, ans, x):
    return (g / (1.0 + x),)


@defjvp(np.log1p, math.log1p)
def log1p_jvp(t, ans, x):
    return t / (1.0 + x)


@defvjp(np.expm1, math.expm1, elementwise=True)
def expm1(g, ans, x):
    return (g * (ans + 1.0),)


@defjvp(np.expm1, math.expm1)
def expm1_jvp(t, ans, x):
    return t * (ans + 1.0)


@defvjp(np.sqrt, math.sqrt, elementwise=True)
def sqrt(g, ans, x):
    return (g * 0.5 / ans,)


@defjvp(np.sqrt, math.sqrt)
def sqrt_jvp(t, ans, x):
    return t * 0.5 / ans


@defvjp(np.square, elementwise=True)
def square(g, ans, x):
    return (g * 2.0 * x,)


@defjvp(np.square)
def square_jvp(t, ans, x):
    return t * 2.0 * x


@defvjp(np.reciprocal, elementwise=True)
def reciprocal(g, ans, x):
    return (-g * ans * ans,)


@defjvp(np.reciprocal)
def reciprocal_jvp(t, ans, x):
    return -t * ans * ans


@defvjp(np.sin, math.sin, elementwise=True)
def sin(g, ans, x):
    return (g * np.cos(x),)


@defjvp(np.sin, math.sin)
def sin_jvp(t, ans, x):
    return t * np.cos(x)


@defvjp(np.cos, math.cos, elementwise=True)
def cos(g, ans, x):
    return (-g * np.sin(x),)


@defjvp(np.cos, math.cos)
def cos_jvp(t, ans, x):
    return -t * np.sin(x)


@defvjp(np.tan, math.tan, elementwise=True)
def tan(g, ans, x):
    return (g * (1.0 + ans * ans),)


@defjvp(np.tan, math.tan)
def tan_jvp(t, ans, x):
    return t * (1.0 + ans * ans)


@defvjp(np.arcsin, math.asin, elementwise=True)
def arcsin(g, ans, x):
    return (g / np.sqrt(1.0 - x * x),)


@defjvp(np.arcsin, math.asin)
def arcsin_jvp(t, ans, x):
    return t / np.sqrt(1.0 - x * x)


@defvjp(np.arccos, math.acos, elementwise=True)
def arccos(g, ans, x):
    return (-g / np.sqrt(1.0 - x * x),)


@defjvp(np.arccos, math.acos)
def arccos_jvp(t, ans, x):
    return -t / np.sqrt(1.0 - x * x)


@defvjp(np.arctan, math.atan, elementwise=True)
def arctan(g, ans, x):
    return (g / (1.0 + x * x),)


@defjvp(np.arctan, math.atan)
def arctan_jvp(t, ans, x):
    return t / (1.0 + x * x)


@defvjp(np.sinh, math.sinh, elementwise=True)
def sinh(g, ans, x):
    return (g * np.cosh(x),)


@defjvp(np.sinh, math.sinh)
def sinh_jvp(t, ans, x):
    return t * np.cosh(x)


@defvjp(np.cosh, math.cosh, elementwise=True)
def cosh(g, ans, x):
    return (g * np.sinh(x),)


@defjvp(np.cosh, math.cosh)
def cosh_jvp(t, ans, x):
    return t * np.sinh(x)


@defvjp(np.tanh, math.tanh, elementwise=True)
def tanh(g, ans, x):
    return (g * (1.0 - ans * ans),)


@defjvp(np.tanh, math.tanh)
def tanh_jvp(t, ans, x):
    return t * (1.0 - ans * ans)


@defvjp(np.abs, np.absolute, builtins.abs, math.fabs, elementwise=True)
def absolute(g, ans, x):
    return (g * np.sign(x),)


@defjvp(np.abs, np.absolute, builtins.abs, math.fabs)
def absolute_jvp(t, ans, x):
    return t * np.sign(x)


@defvjp(np.sign)
def sign(g, ans, x):
    return (zeros_like(g),)


@defjvp(np.sign)
def sign_jvp(t, ans, x):
    return zeros_like(ans)


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


@defjvp(np.maximum)
@defjvp(np.minimum, argnum=1)
def larger_jvp(t, ans, x, y):
    """The tangent of the larger operand (of ``x`` in ``maximum``); ties take half."""
    return np.where(x == y, 0.5 * t, t * (x > y))


@defjvp(np.maximum, argnum=1)
@defjvp(np.minimum)
def smaller_jvp(t, ans, x, y):
    return np.where(x == y, 0.5 * t, t * (x < y))


@defvjp(np.logaddexp, elementwise=True)
def logaddexp(g, ans, x, y):
    return unbroadcast(g * np.exp(x - ans), x), unbroadcast(g * np.exp(y - ans), y)


@defjvp(np.logaddexp)
def logaddexp_jvp(t, ans, x, y):
    return t * np.exp(x - ans)


@defjvp(np.logaddexp, argnum=1)
def logaddexp_right_jvp(t, ans, x, y):
    return t * np.exp(y - ans)


@defvjp(np.where, elementwise=True)
def where(g, ans, condition, x, y):
    return (
        None,
        unbroadcast(np.where(condition, g, 0.0), x),
        unbroadcast(np.where(condition, 0.0, g), y),
    )


@defjvp(np.where, argnum=1)
def where_jvp(t, ans, condition, x, y):
    return np.where(condition, t, 0.0)


@defjvp(np.where, argnum=2)
def where_right_jvp(t, ans, condition, x, y):
    return np.where(condition, 0.0, t)


@defvjp(np.clip, np.ndarray.clip)
def clip(g, ans, x, a_min=None, a_max=None, out=None, *, min=None, max=None):
    """``x`` gets ``g`` inside ``[a_min, a_max]`` (inclusive); a bound gets it where it binds."""
    inside, below, above = _clip_masks(ans, x, a_min, a_max, min, max)
    low = a_min if a_min is not None else min
    high = a_max if a_max is not None else max
    d_low = None if below is None else unbroadcast(g * below, low)
    d_high = None if above is None else unbroadcast(g * above, high)
    return unbroadcast(g * inside, x), d_low, d_high


@defjvp(np.clip, np.ndarray.clip)
def clip_jvp(t, ans, x, a_min=None, a_max=None, out=None, *, min=None, max=None):
    return t * _clip_masks(ans, x, a_min, a_max, min, max)[0]


@defjvp(np.clip, np.ndarray.clip, argnum=1)
def clip_low_jvp(t, ans, x, a_min=None, a_max=None, out=None, *, min=None, max=None):
    return t * _clip_masks(ans, x, a_min, a_max, min, max)[1]


@defjvp(np.clip, np.ndarray.clip, argnum=2)
def clip_high_jvp(t, ans, x, a_min=None, a_max=None, out=None, *, min=None, max=None):
    return t * _clip_masks(ans, x, a_min, a_max, min, max)[2]


def _clip_masks(ans, x, a_min, a_max, min, max):
    """Where ``np.clip``'s result follows ``x``, the lower bound and the upper bound."""
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
    return inside, below, above
