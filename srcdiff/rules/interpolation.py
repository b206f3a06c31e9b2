"""Rules for ``np.interp``: piecewise-linear interpolation.

Each point ``x`` falls in one interval ``[xp[j], xp[j + 1]]`` at the fraction
``u`` of its width: the result is ``fp[j] + u (fp[j + 1] - fp[j])``.  So
``fp[j]`` and ``fp[j + 1]`` get ``1 - u`` and ``u`` of the gradient, ``x``
gets the interval's slope, the knots ``xp`` get the derivative of ``u``.
Outside ``[xp[0], xp[-1]]`` the result is ``fp[0]`` / ``fp[-1]``, or
``left`` / ``right`` when given: whichever it is gets the gradient there.  A
``period`` is refused.
"""

import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.rules.registry import defjvp, defvjp


def interval(x, xp, fp, period):
    """``(j, u, slope, inside)`` for every point of ``x``, flattened."""
    if period is not None:
        raise DifferentiationError(
            "np.interp with period= has no rule; unwrap the points first (np.mod) and "
            "call it without period"
        )
    x, xp, fp = np.ravel(x), np.asarray(xp, dtype=float), np.asarray(fp, dtype=float)
    j = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, len(xp) - 2)
    width = xp[j + 1] - xp[j]
    u = (x - xp[j]) / width
    slope = (fp[j + 1] - fp[j]) / width
    inside = (x >= xp[0]) & (x <= xp[-1])
    return j, u, slope, inside


def _spread(n, j, first, second):
    """Length-``n`` sums: ``first`` added at ``j`` and ``second`` at ``j + 1``."""
    return np.bincount(j, first, minlength=n) + np.bincount(j + 1, second, minlength=n)


@defvjp(np.interp)
def interp(g, ans, x, xp, fp, left=None, right=None, period=None):
    j, u, slope, inside = interval(x, xp, fp, period)
    g_flat = np.ravel(g) * np.ones(np.size(x))
    g_in = g_flat * inside
    n = np.size(fp)
    dfp = _spread(n, j, g_in * (1.0 - u), g_in * u)
    if left is None:
        dfp[0] += np.sum(g_flat[np.ravel(x) < xp[0]])
    if right is None:
        dfp[-1] += np.sum(g_flat[np.ravel(x) > xp[-1]])
    dx = np.reshape(g_in * slope, np.shape(x))
    dxp = _spread(n, j, g_in * slope * (u - 1.0), -g_in * slope * u)
    d_left = None if left is None else np.sum(g_flat[np.ravel(x) < xp[0]])
    d_right = None if right is None else np.sum(g_flat[np.ravel(x) > xp[-1]])
    return dx, dxp, dfp, d_left, d_right  # float64, as NumPy's result


@defjvp(np.interp)
def interp_jvp_x(t, ans, x, xp, fp, left=None, right=None, period=None):
    _, _, slope, inside = interval(x, xp, fp, period)
    return np.reshape(np.ravel(t) * slope * inside, np.shape(ans))


@defjvp(np.interp, argnum=1)
def interp_jvp_xp(t, ans, x, xp, fp, left=None, right=None, period=None):
    j, u, slope, inside = interval(x, xp, fp, period)
    t = np.asarray(t)
    moved = (t[j] * (u - 1.0) - t[j + 1] * u) * slope * inside
    return np.reshape(moved, np.shape(ans))


@defjvp(np.interp, argnum=2)
def interp_jvp_fp(t, ans, x, xp, fp, left=None, right=None, period=None):
    """Interpolating the tangent; the constants ``left``/``right`` have none."""
    return np.interp(
        x, xp, t, None if left is None else 0.0, None if right is None else 0.0, period
    )


@defjvp(np.interp, argnum=3)
def interp_jvp_left(t, ans, x, xp, fp, left=None, right=None, period=None):
    return np.where(np.asarray(x) < xp[0], t, 0.0)


@defjvp(np.interp, argnum=4)
def interp_jvp_right(t, ans, x, xp, fp, left=None, right=None, period=None):
    return np.where(np.asarray(x) > xp[-1], t, 0.0)
