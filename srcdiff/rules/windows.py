"""Rules for sliding windows and scans: convolve correlate diff gradient cumprod.

``convolve`` and ``correlate`` are linear in each operand: the VJP places
``g`` in the ``'full'`` result and correlates it with the other operand.
``diff`` and ``gradient`` are linear in the array; their VJPs apply the
transposed difference.  ``cumprod`` is exact with zeros: the division by
``x`` is used only up to the first zero of each scan, and the entry at that
zero gets the product of the others.
"""

import numpy as np

from srcdiff.rules.helpers import cast_like, unbroadcast
from srcdiff.rules.registry import defjvp, deflinear, defvjp


def _full_offset(fn, n, m, mode):
    """Where the ``mode`` result of ``fn(a, v)`` starts inside the ``'full'`` one."""
    k = min(n, m)
    if mode == "full":
        return 0
    if mode == "valid":
        return k - 1
    if fn is np.correlate and n < m:  # NumPy centres 'same' differently when v is longer
        return k // 2
    return (k - 1) // 2


def _in_full(fn, g, a, v, mode):
    """``g`` written into zeros of the ``'full'`` result's length, where ``mode`` took it."""
    n, m = np.size(a), np.size(v)
    full = np.zeros(n + m - 1, dtype=np.result_type(g, 1.0))
    start = _full_offset(fn, n, m, mode)
    full[start : start + np.size(g)] = g
    return full


@defvjp(np.convolve)
def convolve(g, ans, a, v, mode="full"):
    """``full[k] = sum_i a[i] v[k - i]``: each operand gets ``g`` correlated with the other."""
    full = _in_full(np.convolve, g, a, v, mode)
    return np.correlate(full, v, "valid"), np.correlate(full, a, "valid")


@defvjp(np.correlate)
def correlate(g, ans, a, v, mode="valid"):
    """``correlate(a, v)`` is ``convolve(a, v[::-1])``, with its own centring for 'same'."""
    full = _in_full(np.correlate, g, a, v, mode)
    return np.correlate(full, v[::-1], "valid"), np.correlate(full, a, "valid")[::-1]


deflinear(np.convolve, np.correlate, argnums=(0, 1))


def diff_adjoint(g, n, axis):
    """The transpose of ``n`` differences along ``axis``: ``-diff`` of ``g`` padded with zeros."""
    for _ in range(n):
        widths = [(0, 0)] * np.ndim(g)
        widths[axis] = (1, 1)
        g = -np.diff(np.pad(g, widths), axis=axis)
    return g


def _edge(value, x, axis):
    """``diff``'s ``prepend``/``append`` as NumPy uses it: a scalar becomes one slice."""
    if np.ndim(value) == 0:
        shape = list(np.shape(x))
        shape[axis] = 1
        return np.broadcast_to(value, shape)
    return value


@defvjp(np.diff)
def diff(g, ans, a, n=1, axis=-1, prepend=np._NoValue, append=np._NoValue):
    """``prepend`` and ``append`` are joined to ``a`` first, so they get their slices of it."""
    axis = axis % np.ndim(a)
    whole = diff_adjoint(g, n, axis)
    sizes = [
        0 if prepend is np._NoValue else np.shape(_edge(prepend, a, axis))[axis],
        np.shape(a)[axis],
    ]
    ends = np.cumsum(sizes).tolist()
    cut = (slice(None),) * axis  # slices, not np.split, which Dask has not
    starts, stops = [0, *ends], [*ends, None]
    d_prepend, da, d_append = (whole[(*cut, slice(a, b))] for a, b in zip(starts, stops))
    return (
        da,
        None,
        None,
        None if prepend is np._NoValue else unbroadcast(d_prepend, prepend),
        None if append is np._NoValue else unbroadcast(d_append, append),
    )


def diff_tangent(t, position, a, n, axis, prepend, append):
    """``np.diff`` of the joined ``(prepend, a, append)`` whose part ``position`` moves by ``t``."""
    axis = axis % np.ndim(a)
    parts = [
        None if prepend is np._NoValue else _edge(prepend, a, axis),
        np.asarray(a),
        None if append is np._NoValue else _edge(append, a, axis),
    ]
    tangents = [
        None
        if p is None
        else np.broadcast_to(t, np.shape(p))
        if i == position
        else np.zeros(np.shape(p))
        for i, p in enumerate(parts)
    ]
    return np.diff(np.concatenate([p for p in tangents if p is not None], axis), n, axis)


@defjvp(np.diff)
def diff_jvp(t, ans, a, n=1, axis=-1, prepend=np._NoValue, append=np._NoValue):
    return diff_tangent(t, 1, a, n, axis, prepend, append)


@defjvp(np.diff, argnum=3)
def diff_jvp_prepend(t, ans, a, n=1, axis=-1, prepend=np._NoValue, append=np._NoValue):
    return diff_tangent(t, 0, a, n, axis, prepend, append)


@defjvp(np.diff, argnum=4)
def diff_jvp_append(t, ans, a, n=1, axis=-1, prepend=np._NoValue, append=np._NoValue):
    return diff_tangent(t, 2, a, n, axis, prepend, append)


# ---- np.gradient: central differences inside, one-sided at the edges
def _gradient_axes(f, axis):
    if axis is None:
        return list(range(np.ndim(f)))
    return [a % np.ndim(f) for a in np.atleast_1d(axis)]


def gradient_matrix(n, spacing, edge_order):
    """The matrix ``M`` with ``np.gradient(v, spacing) == M @ v`` for vectors of length ``n``."""
    return np.gradient(np.eye(n), spacing, axis=0, edge_order=edge_order)


def _spacing(varargs, k):
    if not varargs:
        return 1.0
    return varargs[0] if len(varargs) == 1 else varargs[k]


_STEP = 1e-20  # a complex step: exact derivatives of the rational difference weights


def coordinate_cotangent(gk, f, coordinates, axis, edge_order):
    """The cotangent of the coordinates along ``axis`` for the result's cotangent ``gk``.

    Result ``i`` reads at most the three coordinates ``start_i .. start_i + 2``; one
    complex step moving every third coordinate gives, for each result, its derivative
    in the one coordinate of that colour it reads.
    """
    n = len(coordinates)
    start = np.clip(np.arange(n) - 1, 0, max(n - 3, 0))
    g_rows = np.moveaxis(gk, axis, 0).reshape(n, -1)
    out = np.zeros(n)
    as_complex = np.asarray(f, dtype=complex)  # NumPy's result takes f's dtype
    for colour in range(3):
        read = start + (colour - start) % 3
        moved = coordinates + 1j * _STEP * (np.arange(n) % 3 == colour)
        slope = np.gradient(as_complex, moved, axis=axis, edge_order=edge_order).imag / _STEP
        share = np.sum(g_rows * np.moveaxis(slope, axis, 0).reshape(n, -1), axis=1)
        valid = read < n
        np.add.at(out, read[valid], share[valid])
    return out


@defvjp(np.gradient)
def gradient(g, ans, f, *varargs, axis=None, edge_order=1):
    """One result per axis: ``g[k]`` goes back through the transposed difference matrix.

    A scalar spacing ``h`` gets ``-sum(g[k] * ans[k]) / h``; coordinates get the
    derivative of the difference weights (``coordinate_cotangent``).
    """
    axes = _gradient_axes(f, axis)
    if len(axes) == 1:
        g, ans = [g], [ans]
    df = np.zeros(np.shape(f))
    d_spacing = [None] * len(varargs)
    for k, (gk, axis_k) in enumerate(zip(g, axes)):
        if gk is None:
            continue
        spacing = _spacing(varargs, k)
        matrix = gradient_matrix(np.shape(f)[axis_k], spacing, edge_order)
        back = np.tensordot(matrix, np.moveaxis(gk, axis_k, 0), (0, 0))
        df = df + np.moveaxis(back, 0, axis_k)
        if varargs:
            j = 0 if len(varargs) == 1 else k
            if np.ndim(spacing) == 0:
                share = -np.sum(gk * ans[k]) / spacing
            else:
                share = coordinate_cotangent(gk, f, np.asarray(spacing), axis_k, edge_order)
                share = cast_like(share, spacing)
            d_spacing[j] = share if d_spacing[j] is None else d_spacing[j] + share
    return (cast_like(df, f), *d_spacing)


deflinear(np.gradient)


def _gradient_spacing_jvp(position):
    def gradient_spacing_jvp(t, ans, f, *varargs, axis=None, edge_order=1):
        """A scalar spacing ``h`` scales the result on its axis by ``1/h``: ``-t ans / h``;
        moving coordinates, a complex step along ``t`` gives the exact change."""
        axes = _gradient_axes(f, axis)
        results = [ans] if len(axes) == 1 else list(ans)
        spacing = varargs[position - 1]

        def moved_result(r, axis_k):
            if np.ndim(spacing) == 0:
                return -t * r / spacing
            stepped = np.asarray(spacing) + 1j * _STEP * np.asarray(t)
            as_complex = np.asarray(f, dtype=complex)
            return np.gradient(as_complex, stepped, axis=axis_k, edge_order=edge_order).imag / _STEP

        moved = [
            moved_result(r, axes[k]) if len(varargs) == 1 or k == position - 1 else np.zeros_like(r)
            for k, r in enumerate(results)
        ]
        return moved[0] if len(axes) == 1 else moved

    return gradient_spacing_jvp


for _position in range(1, 9):  # one spacing per axis, for up to 8 axes
    defjvp(np.gradient, argnum=_position)(_gradient_spacing_jvp(_position))


# ---- cumprod, exact at zeros
def _scan_rows(x, axis):
    """``x`` with the scanned axis last, as rows of a 2-D array, and how to undo it."""
    x = np.asarray(x, dtype=float)
    if axis is None:
        return x.reshape(1, -1), lambda rows: rows.reshape(x.shape)
    moved = np.moveaxis(x, axis, -1)
    return moved.reshape(-1, moved.shape[-1]), lambda rows: np.moveaxis(
        rows.reshape(moved.shape), -1, axis
    )


def cumprod_vjp_rows(g, x, ans):
    """Row by row: ``sum_{i >= j} g_i ans_i / x_j`` before a row's first zero; exact at it."""
    tail = np.cumsum((g * ans)[:, ::-1], axis=1)[:, ::-1]
    dx = np.where(x == 0, 0.0, tail / np.where(x == 0, 1.0, x))
    if np.any(x == 0):
        # Called through a name: a second derivative reads it only when zeros occur
        # (and refuses it, see ``exact_at_zeros``).
        at_zeros = exact_at_zeros
        dx = at_zeros(dx, g, x, ans)
    return dx


def exact_at_zeros(dx, g, x, ans):
    """The cumprod VJP of rows holding a zero: the first zero gets the product of the others.

    Its code treats the zeros as constants, so differentiating it again would
    drop the terms those zeros multiply: a second derivative refuses it.
    """
    dx = np.array(dx)
    for row in np.flatnonzero(np.any(x == 0, axis=1)):
        z = np.flatnonzero(x[row] == 0)[0]
        before = ans[row, z - 1] if z else 1.0
        after = np.cumprod(np.concatenate([[1.0], x[row, z + 1 :]]))
        dx[row, z] = before * np.sum(g[row, z:] * after)
        dx[row, z + 1 :] = 0.0
    return dx


def cumprod_jvp_rows(t, x, ans):
    """Row by row: ``ans_i * sum_{j <= i} t_j / x_j`` before a row's first zero; exact after."""
    safe = np.where(x == 0, 1.0, x)
    dans = ans * np.cumsum(np.where(x == 0, 0.0, t / safe), axis=1)
    for row in np.flatnonzero(np.any(x == 0, axis=1)):
        z = np.flatnonzero(x[row] == 0)[0]
        before = ans[row, z - 1] if z else 1.0
        after = np.cumprod(np.concatenate([[1.0], x[row, z + 1 :]]))
        dans[row, z:] = t[row, z] * before * after
    return dans


@defvjp(np.cumprod, np.ndarray.cumprod)
def cumprod(g, ans, a, axis=None, dtype=None, out=None):
    rows, back = _scan_rows(a, axis)
    g_rows, _ = _scan_rows(g, axis if axis is not None else None)
    ans_rows, _ = _scan_rows(ans, axis)
    return (back(cumprod_vjp_rows(g_rows, rows, ans_rows)).astype(np.result_type(a, g)),)


@defjvp(np.cumprod, np.ndarray.cumprod)
def cumprod_jvp(t, ans, a, axis=None, dtype=None, out=None):
    rows, _ = _scan_rows(a, axis)
    t_rows, _ = _scan_rows(t, axis)
    ans_rows, back = _scan_rows(ans, axis)
    return back(cumprod_jvp_rows(t_rows, rows, ans_rows))


# ---- NumPy 2's cumulative_sum and cumulative_prod: an initial 0 or 1 may lead the result
def _after_initial(values, axis, include_initial):
    """``values`` without the leading initial entry (a constant) along ``axis``."""
    if not include_initial:
        return values
    return np.delete(values, 0, axis=-1 if axis is None else axis)


@defvjp(np.cumulative_sum)
def cumulative_sum(g, ans, x, *, axis=None, dtype=None, out=None, include_initial=False):
    g = _after_initial(g, axis, include_initial)
    return (np.flip(np.cumsum(np.flip(g, axis if axis is not None else 0), axis), axis),)


deflinear(np.cumulative_sum)


@defvjp(np.cumulative_prod)
def cumulative_prod(g, ans, x, *, axis=None, dtype=None, out=None, include_initial=False):
    g = _after_initial(g, axis, include_initial)
    return cumprod(g, _after_initial(ans, axis, include_initial), x, axis)


@defjvp(np.cumulative_prod)
def cumulative_prod_jvp(t, ans, x, *, axis=None, dtype=None, out=None, include_initial=False):
    moved = cumprod_jvp(t, _after_initial(ans, axis, include_initial), x, axis)
    if not include_initial:
        return moved
    axis = -1 if axis is None else axis
    return np.concatenate([np.zeros_like(np.take(moved, [0], axis)), moved], axis)
