"""Rules for order statistics, weighted sums and integrals: median quantile percentile
average ptp trapezoid.

A quantile is a weighted sum of sorted entries: ``method='linear'`` weighs
the two entries around position ``q (n - 1)`` by their distance to it,
``'lower'``, ``'higher'`` and ``'midpoint'`` take one or both of them.  The
VJP puts ``g`` times those weights on the sorted entries and moves them back
through the sort (as ``np.sort``'s rule does); ``q`` gets the slope between
the two entries.  ``axis`` may be None, an int or a tuple; ``keepdims`` works.
"""

import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.rules.helpers import cast_like, reduced_axes, tie_share, unbroadcast, unreduce
from srcdiff.rules.registry import defjvp, defvjp

_METHODS = ("linear", "lower", "higher", "midpoint")


def _flat_last(x, axis):
    """``x`` with the reduced axes moved last and joined, and the moved array's shape."""
    x = np.asarray(x)
    axes = reduced_axes(axis, x.ndim)
    kept = x.ndim - len(axes)
    moved = np.moveaxis(x, axes, tuple(range(kept, x.ndim)))
    return moved.reshape(moved.shape[:kept] + (-1,)), axes, moved.shape


def order_weights(n, q, method):
    """Weights (shape ``q.shape + (n,)``) on ``n`` sorted entries that give the ``q``-quantile,
    and the slope of the quantile in ``q`` per unit of ``s[hi] - s[lo]``."""
    if method not in _METHODS:
        raise DifferentiationError(
            f"np.quantile with method={method!r} has no rule; use one of {_METHODS}"
        )
    q = np.asarray(q, dtype=float)
    position = q * (n - 1)
    lo = np.floor(position).astype(int)
    hi = np.minimum(np.ceil(position).astype(int), n - 1)
    frac = position - lo
    share_lo = (
        {"linear": 1.0 - frac, "lower": np.ones_like(frac), "higher": 0.0 * frac}[method]
        if method != "midpoint"
        else np.where(lo == hi, 1.0, 0.5)
    )
    share_hi = 1.0 - share_lo
    weights = np.zeros(q.shape + (n,))
    columns = np.arange(n)
    weights += (columns == lo[..., None]) * share_lo[..., None]
    weights += (columns == hi[..., None]) * share_hi[..., None]
    slope = (n - 1.0) if method == "linear" else 0.0
    return weights, lo, hi, slope


def _quantile_parts(a, q, axis, method):
    flat, axes, moved_shape = _flat_last(a, axis)
    order = np.argsort(flat, axis=-1, kind="stable")
    weights, lo, hi, slope = order_weights(flat.shape[-1], q, method)
    batch = flat.ndim - 1
    weights = weights.reshape(np.shape(q) + (1,) * batch + (flat.shape[-1],))
    return flat, axes, moved_shape, order, weights, lo, hi, slope


def _without_kept_axes(g, a, axes, q_ndim, keepdims):
    if not keepdims:
        return np.asarray(g)
    return np.squeeze(g, axis=tuple(q_ndim + ax for ax in axes))


def q_slope(a, q, axis, method, keepdims):
    """The derivative of the quantiles in ``q``, shaped like the result."""
    flat, axes, _, order, _, lo, hi, slope = _quantile_parts(a, q, axis, method)
    ordered = np.take_along_axis(flat, order, -1)
    gap = np.take(ordered, hi, -1) - np.take(ordered, lo, -1)  # batch + q.shape
    kept = flat.ndim - 1
    gap = np.moveaxis(gap, tuple(range(kept)), tuple(range(np.ndim(q), np.ndim(q) + kept)))
    if keepdims:
        gap = np.expand_dims(gap, tuple(np.ndim(q) + ax for ax in axes))
    return gap * slope


def quantile_vjp(g, a, q, axis, method, keepdims):
    """Cotangents of ``a`` and ``q`` for ``np.quantile(a, q, axis, method=..., keepdims=...)``."""
    flat, axes, moved_shape, order, weights, _, _, _ = _quantile_parts(a, q, axis, method)
    g_batch = _without_kept_axes(g, a, axes, np.ndim(q), keepdims)
    on_sorted = np.sum(g_batch[..., None] * weights, axis=tuple(range(np.ndim(q))))
    d_flat = np.zeros(flat.shape, np.result_type(flat, g, 1.0))
    np.put_along_axis(d_flat, order, on_sorted, -1)
    kept = flat.ndim - 1
    da = np.moveaxis(d_flat.reshape(moved_shape), tuple(range(kept, np.ndim(a))), axes)
    slope = q_slope(a, q, axis, method, keepdims)
    dq = np.sum(g * slope, axis=tuple(range(np.ndim(q), np.ndim(slope))))
    return cast_like(da, a), dq


def quantile_jvp(t, a, q, axis, method, keepdims):
    flat, axes, _, order, weights, _, _, _ = _quantile_parts(a, q, axis, method)
    flat_t, _, _ = _flat_last(t, axis)
    out = np.sum(weights * np.take_along_axis(flat_t, order, -1), axis=-1)
    if keepdims:
        out = np.expand_dims(out, tuple(np.ndim(q) + ax for ax in axes))
    return out


@defvjp(np.quantile)
def quantile(g, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False, *, weights=None, interpolation=None):  # fmt: skip
    return quantile_vjp(g, a, q, axis, method, keepdims)


@defjvp(np.quantile)
def quantile_jvp_a(t, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear",
                   keepdims=False, *, weights=None, interpolation=None):  # fmt: skip
    return quantile_jvp(t, a, q, axis, method, keepdims)


@defjvp(np.quantile, argnum=1)
def quantile_jvp_q(t, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear",
                   keepdims=False, *, weights=None, interpolation=None):  # fmt: skip
    slope = q_slope(a, q, axis, method, keepdims)
    return np.reshape(t, np.shape(q) + (1,) * (np.ndim(slope) - np.ndim(q))) * slope


@defvjp(np.percentile)
def percentile(g, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False, *, weights=None, interpolation=None):  # fmt: skip
    da, dq = quantile_vjp(g, a, np.true_divide(q, 100.0), axis, method, keepdims)
    return da, dq / 100.0


@defjvp(np.percentile)
def percentile_jvp_a(t, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear",
                     keepdims=False, *, weights=None, interpolation=None):  # fmt: skip
    return quantile_jvp(t, a, np.true_divide(q, 100.0), axis, method, keepdims)


@defjvp(np.percentile, argnum=1)
def percentile_jvp_q(t, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear",
                     keepdims=False, *, weights=None, interpolation=None):  # fmt: skip
    slope = q_slope(a, np.true_divide(q, 100.0), axis, method, keepdims) / 100.0
    return np.reshape(t, np.shape(q) + (1,) * (np.ndim(slope) - np.ndim(q))) * slope


@defvjp(np.median)
def median(g, ans, a, axis=None, out=None, overwrite_input=False, keepdims=False):
    return (quantile_vjp(g, a, 0.5, axis, "linear", keepdims)[0],)


@defjvp(np.median)
def median_jvp(t, ans, a, axis=None, out=None, overwrite_input=False, keepdims=False):
    return quantile_jvp(t, a, 0.5, axis, "linear", keepdims)


# ---- weighted sums
def _weights_like(weights, a, axis):
    """``np.average``'s weights broadcast against ``a`` (1-D weights lie along ``axis``)."""
    if np.ndim(weights) == 1 and np.ndim(a) > 1:
        return np.reshape(weights, [-1 if d == axis % np.ndim(a) else 1 for d in range(np.ndim(a))])
    return np.asarray(weights)


def _kept(keepdims):
    return keepdims is True  # np.average's default is NumPy's "no value" marker


@defvjp(np.average)
def average(g, ans, a, axis=None, weights=None, returned=False, *, keepdims=np._NoValue):
    """``sum(a w) / sum(w)``: ``a`` gets ``g w / sum(w)``, ``w`` gets ``g (a - avg) / sum(w)``."""
    keepdims = _kept(keepdims)
    g_avg, g_total = (g[0], g[1]) if returned else (g, 0.0)
    avg = ans[0] if returned else ans
    if weights is None:
        return (unreduce(g_avg * (np.size(avg) / np.size(a)), a, axis, keepdims),)
    w = _weights_like(weights, a, axis)
    full = np.broadcast_to(w, np.shape(a))
    total = np.sum(full, axis=axis, keepdims=True)
    g_avg = unreduce(g_avg, a, axis, keepdims)
    avg = unreduce(avg, a, axis, keepdims)
    da = g_avg * full / total
    dw = g_avg * (np.asarray(a) - avg) / total + unreduce(g_total, a, axis, keepdims)
    dw = np.reshape(unbroadcast(dw, w), np.shape(weights))
    return cast_like(da, a), None, cast_like(dw, weights)


@defjvp(np.average)
def average_jvp(t, ans, a, axis=None, weights=None, returned=False, *, keepdims=np._NoValue):
    moved = np.average(t, axis, weights, keepdims=_kept(keepdims))
    return (moved, 0.0 * ans[1]) if returned else moved


@defjvp(np.average, argnum=2)
def average_jvp_weights(t, ans, a, axis=None, weights=None, returned=False, *,
                        keepdims=np._NoValue):  # fmt: skip
    keepdims = _kept(keepdims)
    w = np.broadcast_to(_weights_like(weights, a, axis), np.shape(a))
    dw = np.broadcast_to(_weights_like(t, a, axis), np.shape(a))
    total = np.sum(w, axis=axis, keepdims=True)
    avg = np.sum(a * w, axis=axis, keepdims=True) / total
    d_avg = np.sum(dw * (np.asarray(a) - avg) / total, axis=axis, keepdims=keepdims)
    if returned:
        return d_avg, np.sum(dw, axis=axis, keepdims=keepdims)
    return d_avg


@defvjp(np.ptp)
def ptp(g, ans, a, axis=None, out=None, keepdims=np._NoValue):
    """``max - min``: ties split as ``max``'s do."""
    keepdims = _kept(keepdims)
    top = np.max(a, axis=axis, keepdims=True)
    bottom = np.min(a, axis=axis, keepdims=True)
    share = tie_share(a, top, axis, True) - tie_share(a, bottom, axis, True)
    return (unreduce(g, a, axis, keepdims) * share,)


@defjvp(np.ptp)
def ptp_jvp(t, ans, a, axis=None, out=None, keepdims=np._NoValue):
    keepdims = _kept(keepdims)
    top = tie_share(a, np.max(a, axis=axis, keepdims=True), axis, True)
    bottom = tie_share(a, np.min(a, axis=axis, keepdims=True), axis, True)
    return np.sum(t * (top - bottom), axis=axis, keepdims=keepdims)


# ---- the trapezoidal rule
def _segments(values, axis):
    """``(values[i] + values[i + 1]) / 2`` along ``axis``."""
    values = np.moveaxis(np.asarray(values, dtype=float), axis, -1)
    return (values[..., 1:] + values[..., :-1]) / 2.0


def _ends_minus_starts(segments, n):
    """For each of ``n`` points, the segment it ends minus the segment it starts."""
    zero = np.zeros(segments.shape[:-1] + (1,))
    return np.concatenate([zero, segments], -1) - np.concatenate([segments, zero], -1)


def _trapezoid_weights(y, x, dx, axis):
    """How much of ``trapezoid(y, x, dx, axis)`` each ``y`` holds, with ``y``'s axis last."""
    n = np.shape(y)[axis]
    if x is None:
        steps = np.full(n - 1, float(dx))
    else:
        steps = np.diff(np.moveaxis(np.asarray(x, dtype=float), axis if np.ndim(x) > 1 else -1, -1))
    zero = np.zeros(np.shape(steps)[:-1] + (1,))
    return (np.concatenate([zero, steps], -1) + np.concatenate([steps, zero], -1)) / 2.0


@defvjp(np.trapezoid)
def trapezoid(g, ans, y, x=None, dx=1.0, axis=-1):
    """Linear in ``y``; ``x[i]`` gets the mean height of the segment it ends minus the one it
    starts; a step ``dx`` gets the integral over ``dx``."""
    axis = axis % np.ndim(y)
    g_last = np.expand_dims(g, -1)
    dy = np.moveaxis(g_last * _trapezoid_weights(y, x, dx, axis), -1, axis)
    dy = cast_like(unbroadcast(dy, y), y)
    if x is None:
        return dy, None, np.sum(g * ans) / dx
    d_x = g_last * _ends_minus_starts(_segments(y, axis), np.shape(y)[axis])
    if np.ndim(x) == 1:
        return dy, cast_like(np.sum(d_x.reshape(-1, np.shape(x)[0]), 0), x), None
    return dy, cast_like(unbroadcast(np.moveaxis(d_x, -1, axis), x), x), None


@defjvp(np.trapezoid)
def trapezoid_jvp(t, ans, y, x=None, dx=1.0, axis=-1):
    moved = np.moveaxis(np.broadcast_to(t, np.shape(y)), axis, -1)
    return np.sum(moved * _trapezoid_weights(y, x, dx, axis % np.ndim(y)), -1)


@defjvp(np.trapezoid, argnum=1)
def trapezoid_jvp_x(t, ans, y, x=None, dx=1.0, axis=-1):
    axis = axis % np.ndim(y)
    t = np.moveaxis(np.asarray(t, dtype=float), axis if np.ndim(t) > 1 else -1, -1)
    return np.sum(t * _ends_minus_starts(_segments(y, axis), np.shape(y)[axis]), -1)


@defjvp(np.trapezoid, argnum=2)
def trapezoid_jvp_dx(t, ans, y, x=None, dx=1.0, axis=-1):
    return t * ans / dx
