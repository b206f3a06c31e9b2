"""Rules for the other elementwise functions: logs in base 2 and 10, ``exp2``, inverse
hyperbolics, angle units, ``sinc``, ``arctan2``, ``hypot``, ``fmax``/``fmin``,
``logaddexp2``, ``remainder``/``%``/``fmod``, ``nan_to_num`` and the complex-part functions.

srcdiff refuses complex values, so ``real``, ``conj`` and ``real_if_close``
are the identity on its inputs, ``imag`` is zero and ``angle`` is piecewise
constant (0 or pi).  Each function has a VJP rule (``g`` times the
derivative) and a JVP rule (the tangent times the same derivative); linear
ones are declared with ``deflinear``.  Kinks follow PyTorch: ties of
``fmax``/``fmin`` go to the first operand and a NaN operand loses, ``arctan2``
is flat at the origin; ``hypot`` is too, as the norm it is (PyTorch: NaN).
"""

import math
import operator

import numpy as np

from srcdiff.rules.elementwise import absolute
from srcdiff.rules.helpers import unbroadcast, zeros_like
from srcdiff.rules.registry import defjvp, deflinear, defvjp

defvjp(np.fabs, elementwise=True)(absolute)


@defjvp(np.fabs)
def fabs_jvp(t, ans, x):
    return t * np.sign(x)


@defvjp(np.exp2, elementwise=True)
def exp2(g, ans, x):
    return (g * ans * math.log(2.0),)


@defjvp(np.exp2)
def exp2_jvp(t, ans, x):
    return t * ans * math.log(2.0)


@defvjp(np.log2, math.log2, elementwise=True)
def log2(g, ans, x):
    return (g / (x * math.log(2.0)),)


@defjvp(np.log2, math.log2)
def log2_jvp(t, ans, x):
    return t / (x * math.log(2.0))


@defvjp(np.log10, math.log10, elementwise=True)
def log10(g, ans, x):
    return (g / (x * math.log(10.0)),)


@defjvp(np.log10, math.log10)
def log10_jvp(t, ans, x):
    return t / (x * math.log(10.0))


@defvjp(np.arcsinh, math.asinh, elementwise=True)
def arcsinh(g, ans, x):
    return (g / np.sqrt(x * x + 1.0),)


@defjvp(np.arcsinh, math.asinh)
def arcsinh_jvp(t, ans, x):
    return t / np.sqrt(x * x + 1.0)


@defvjp(np.arccosh, math.acosh, elementwise=True)
def arccosh(g, ans, x):
    return (g / np.sqrt(x * x - 1.0),)


@defjvp(np.arccosh, math.acosh)
def arccosh_jvp(t, ans, x):
    return t / np.sqrt(x * x - 1.0)


@defvjp(np.arctanh, math.atanh, elementwise=True)
def arctanh(g, ans, x):
    return (g / (1.0 - x * x),)


@defjvp(np.arctanh, math.atanh)
def arctanh_jvp(t, ans, x):
    return t / (1.0 - x * x)


@defvjp(np.rad2deg, np.degrees, math.degrees, elementwise=True)
def degrees(g, ans, x):
    return (g * (180.0 / math.pi),)


@defvjp(np.deg2rad, np.radians, math.radians, elementwise=True)
def radians(g, ans, x):
    return (g * (math.pi / 180.0),)


deflinear(np.rad2deg, np.degrees, math.degrees, np.deg2rad, np.radians, math.radians)


def sinc_slope(x, ans):
    """The derivative of ``np.sinc`` (``sin(pi x) / (pi x)``): ``(cos(pi x) - sinc(x)) / x``, 0 at 0.

    At 0 it is written as its first-order term there, ``-pi**2 / 3 * x``, so that its own
    derivative (the second derivative of ``sinc``) is right at 0 too.
    """
    safe = np.where(x == 0, 1.0, x)
    return np.where(x == 0, -(math.pi**2) / 3.0 * x, (np.cos(math.pi * x) - ans) / safe)


@defvjp(np.sinc, elementwise=True)
def sinc(g, ans, x):
    return (g * sinc_slope(x, ans),)


@defjvp(np.sinc)
def sinc_jvp(t, ans, x):
    return t * sinc_slope(x, ans)


def _replaced_by(g, x, which):
    """The part of ``g`` on the entries ``nan_to_num`` replaced by ``which``'s value."""
    where = {"nan": np.isnan, "posinf": np.isposinf, "neginf": np.isneginf}[which](x)
    return np.sum(np.where(where, g, 0.0))


@defvjp(np.nan_to_num)
def nan_to_num(g, ans, x, copy=True, nan=0.0, posinf=None, neginf=None):
    """Finite entries pass ``g``; a replacement value gets ``g`` summed where it went in."""
    return (
        np.where(np.isfinite(x), g, 0.0),
        None,
        _replaced_by(g, x, "nan"),
        None if posinf is None else _replaced_by(g, x, "posinf"),
        None if neginf is None else _replaced_by(g, x, "neginf"),
    )


@defjvp(np.nan_to_num)
def nan_to_num_jvp(t, ans, x, copy=True, nan=0.0, posinf=None, neginf=None):
    return np.where(np.isfinite(x), t, 0.0)


def _nan_to_num_value_jvp(which, test):
    def nan_to_num_value_jvp(t, ans, x, copy=True, nan=0.0, posinf=None, neginf=None):
        return np.where(test(x), t, 0.0)

    nan_to_num_value_jvp.__name__ = f"nan_to_num_{which}_jvp"
    return nan_to_num_value_jvp


for _argnum, _which, _test in [(2, "nan", np.isnan), (3, "posinf", np.isposinf),
                               (4, "neginf", np.isneginf)]:  # fmt: skip
    defjvp(np.nan_to_num, argnum=_argnum)(_nan_to_num_value_jvp(_which, _test))


# ---- complex parts of a real value: the identity, or zero
@defvjp(np.real, np.conj, np.conjugate, np.ndarray.conj, np.ndarray.conjugate, np.real_if_close)
def real(g, ans, x, *options):
    return (unbroadcast(g, x),) + (None,) * len(options)


@defvjp(np.imag, np.angle)
def imag(g, ans, x, *options):
    """``imag`` of a real value is 0, ``angle`` is 0 or pi: no gradient reaches ``x``."""
    return (zeros_like(x),) + (None,) * len(options)


deflinear(
    np.real, np.conj, np.conjugate, np.ndarray.conj, np.ndarray.conjugate, np.real_if_close,
    np.imag,
)  # fmt: skip


@defjvp(np.angle)
def angle_jvp(t, ans, x, deg=False):
    return zeros_like(ans)


# ---- binary
def atan2_slope(numerator, y, x):
    """``numerator / (x^2 + y^2)``, 0 at the origin (as PyTorch's ``atan2``)."""
    r2 = x * x + y * y
    return np.where(r2 == 0, 0.0, numerator / np.where(r2 == 0, 1.0, r2))


@defvjp(np.arctan2, math.atan2, elementwise=True)
def arctan2(g, ans, y, x):
    """``arctan2(y, x)``: the angle of the point (x, y); y comes first."""
    return unbroadcast(g * atan2_slope(x, y, x), y), unbroadcast(g * atan2_slope(-y, y, x), x)


@defjvp(np.arctan2, math.atan2, argnum=0)
def arctan2_jvp_y(t, ans, y, x):
    return t * atan2_slope(x, y, x)


@defjvp(np.arctan2, math.atan2, argnum=1)
def arctan2_jvp_x(t, ans, y, x):
    return t * atan2_slope(-y, y, x)


def hypot_share(x, ans):
    """``x / hypot(x, y)``, 0 where both are 0 (as ``abs'(0) = 0``)."""
    return np.where(ans == 0, 0.0, x / np.where(ans == 0, 1.0, ans))


@defvjp(np.hypot, math.hypot, elementwise=True)
def hypot(g, ans, x, y):
    return unbroadcast(g * hypot_share(x, ans), x), unbroadcast(g * hypot_share(y, ans), y)


@defjvp(np.hypot, math.hypot, argnum=0)
def hypot_jvp_x(t, ans, x, y):
    return t * hypot_share(x, ans)


@defjvp(np.hypot, math.hypot, argnum=1)
def hypot_jvp_y(t, ans, x, y):
    return t * hypot_share(y, ans)


def picks(g, x, y, wins):
    """The part of ``g`` that ``fmax``/``fmin``'s first operand gets: all of it where it wins
    or ties or ``y`` is NaN, as in PyTorch."""
    return g * (wins(x, y) | np.isnan(y))


def loses(g, x, y, wins):
    """The part of ``g`` the second operand gets: the rest."""
    return g * ~(wins(x, y) | np.isnan(y))


@defvjp(np.fmax, elementwise=True)
def fmax(g, ans, x, y):
    return unbroadcast(picks(g, x, y, np.greater_equal), x), unbroadcast(
        loses(g, x, y, np.greater_equal), y
    )


@defvjp(np.fmin, elementwise=True)
def fmin(g, ans, x, y):
    return unbroadcast(picks(g, x, y, np.less_equal), x), unbroadcast(
        loses(g, x, y, np.less_equal), y
    )


@defjvp(np.fmax, argnum=0)
def fmax_jvp_x(t, ans, x, y):
    return picks(t, x, y, np.greater_equal)


@defjvp(np.fmax, argnum=1)
def fmax_jvp_y(t, ans, x, y):
    return loses(t, x, y, np.greater_equal)


@defjvp(np.fmin, argnum=0)
def fmin_jvp_x(t, ans, x, y):
    return picks(t, x, y, np.less_equal)


@defjvp(np.fmin, argnum=1)
def fmin_jvp_y(t, ans, x, y):
    return loses(t, x, y, np.less_equal)


@defvjp(np.logaddexp2, elementwise=True)
def logaddexp2(g, ans, x, y):
    return unbroadcast(g * np.exp2(x - ans), x), unbroadcast(g * np.exp2(y - ans), y)


@defjvp(np.logaddexp2, argnum=0)
def logaddexp2_jvp_x(t, ans, x, y):
    return t * np.exp2(x - ans)


@defjvp(np.logaddexp2, argnum=1)
def logaddexp2_jvp_y(t, ans, x, y):
    return t * np.exp2(y - ans)


@defvjp(np.remainder, operator.mod, elementwise=True)
def remainder(g, ans, x, y):
    """``x - q * y`` with the quotient ``q`` piecewise constant (PyTorch's ``remainder``)."""
    return unbroadcast(g, x), unbroadcast(-g * np.floor_divide(x, y), y)


@defvjp(np.fmod, math.fmod, elementwise=True)
def fmod(g, ans, x, y):
    """``fmod`` truncates the quotient toward zero where ``remainder`` floors it."""
    return unbroadcast(g, x), unbroadcast(-g * np.trunc(np.true_divide(x, y)), y)


@defjvp(np.remainder, operator.mod, np.fmod, math.fmod, argnum=0)
def remainder_jvp_x(t, ans, x, y):
    return t + zeros_like(ans)


@defjvp(np.remainder, operator.mod, argnum=1)
def remainder_jvp_y(t, ans, x, y):
    return -t * np.floor_divide(x, y)


@defjvp(np.fmod, math.fmod, argnum=1)
def fmod_jvp_y(t, ans, x, y):
    return -t * np.trunc(np.true_divide(x, y))
