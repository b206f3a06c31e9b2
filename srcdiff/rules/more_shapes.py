"""Rules for the other shape changes, copies and selections.

``roll``, ``rot90``, ``flipud``/``fliplr``, ``rollaxis``, ``atleast_*d``,
``split`` and friends, ``triu``/``tril``, ``pad``, ``take``,
``take_along_axis``, ``kron``, ``cross``, ``full`` and ``linspace``.  All of
them are linear in the array they move, so their JVP is the function itself
applied to the tangent (``deflinear``), except where an option adds a
constant (``pad``'s ``constant_values``) or the function mixes two inputs
(``linspace``).  A VJP moves ``g`` back: the inverse shift or rotation, a
concatenation of the pieces, a scatter that adds repeated indices.
"""

import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.rules.helpers import (
    cast_like,
    float_zeros,
    ndim,
    scatter_add,
    unbroadcast,
    zeros_like,
)
from srcdiff.rules.registry import defjvp, deflinear, defvjp, nondifferentiable


@defvjp(np.roll)
def roll(g, ans, a, shift, axis=None):
    return np.roll(g, np.negative(shift), axis), None, None


@defvjp(np.rot90)
def rot90(g, ans, m, k=1, axes=(0, 1)):
    return np.rot90(g, -k, axes), None, None


@defvjp(np.flipud)
def flipud(g, ans, m):
    return (np.flipud(g),)


@defvjp(np.fliplr)
def fliplr(g, ans, m):
    return (np.fliplr(g),)


def rollaxis_order(rank, axis, start=0):
    """The permutation ``np.rollaxis(a, axis, start)`` applies, as ``np.transpose``'s axes."""
    axis, start = axis % rank, start % (rank + 1)
    if axis < start:
        start -= 1
    order = [i for i in range(rank) if i != axis]
    order.insert(start, axis)
    return order


@defvjp(np.rollaxis)
def rollaxis(g, ans, a, axis, start=0):
    return np.transpose(g, np.argsort(rollaxis_order(ndim(a), axis, start))), None, None


@defvjp(np.atleast_1d, np.atleast_2d, np.atleast_3d)
def atleast_nd(g, ans, *arys):
    """One array gives one result; several give a list, whose cotangent is a list too."""
    if len(arys) == 1:
        return (np.reshape(g, np.shape(arys[0])),)
    return tuple(np.reshape(gi, np.shape(a)) for gi, a in zip(g, arys))


@nondifferentiable
def _pieces_axis(fn, ary, axis):
    if fn is np.hsplit:
        return 1 if ndim(ary) > 1 else 0
    return {np.vsplit: 0, np.dsplit: 2}.get(fn, axis)


def _split_vjp(fn):
    def split_vjp(g, ans, ary, indices_or_sections, axis=0):
        """The pieces' cotangents (zeros for pieces that got none), joined again."""
        pieces = [zeros_like(p) if gp is None else gp for gp, p in zip(g, ans)]
        return np.concatenate(pieces, _pieces_axis(fn, ary, axis)), None, None

    split_vjp.__name__ = split_vjp.__qualname__ = f"{fn.__name__}_vjp"
    return split_vjp


for _fn in (np.split, np.array_split, np.hsplit, np.vsplit, np.dsplit):
    defvjp(_fn)(_split_vjp(_fn))


@defvjp(np.triu)
def triu(g, ans, m, k=0):
    return np.triu(g, k), None


@defvjp(np.tril)
def tril(g, ans, m, k=0):
    return np.tril(g, k), None


def _atleast_jvp(position):
    def atleast_nd_jvp(t, ans, *arys):
        """The tangent of array ``position``, reshaped; the other results do not move."""
        if len(arys) == 1:
            return np.reshape(t, np.shape(ans))
        return [np.reshape(t, np.shape(a)) if i == position else zeros_like(a)
                for i, a in enumerate(ans)]  # fmt: skip

    return atleast_nd_jvp


for _position in range(8):  # calls with more arrays than this have no JVP
    defjvp(np.atleast_1d, np.atleast_2d, np.atleast_3d, argnum=_position)(_atleast_jvp(_position))

deflinear(
    np.roll, np.rot90, np.flipud, np.fliplr, np.rollaxis, np.split, np.array_split, np.hsplit, np.vsplit, np.dsplit, np.triu, np.tril,
)  # fmt: skip


# ---- pad: every padded entry is a copy of an input entry or a constant
_COPYING_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def pad_sources(shape, pad_width, mode, kwargs):
    """For each entry of the padded array, the flat index of the input entry it copies (-1: none)."""
    if mode not in _COPYING_MODES or kwargs.get("reflect_type", "even") != "even":
        raise DifferentiationError(
            f"np.pad with mode={mode!r} {kwargs.get('reflect_type', '')} has no rule; use one "
            "of the modes that copy entries: "
            + ", ".join(repr(m) for m in _COPYING_MODES)
            + " (with the default reflect_type='even')"
        )
    index = np.arange(int(np.prod(shape))).reshape(shape)
    if mode == "constant":
        return np.pad(index, pad_width, mode, constant_values=-1)
    return np.pad(index, pad_width, mode)


@defvjp(np.pad)
def pad(g, ans, array, pad_width, mode="constant", **kwargs):
    """Each input entry gets the sum of ``g`` over the entries that copy it."""
    sources = pad_sources(np.shape(array), pad_width, mode, kwargs).ravel()
    kept = sources >= 0
    weights = np.asarray(np.ravel(g))[kept]  # a NumPy scatter: a Dask g is computed
    flat = np.bincount(sources[kept], weights, minlength=int(np.size(array)))
    return np.reshape(flat.astype(float_zeros(array, g).dtype), np.shape(array)), None, None


@defjvp(np.pad)
def pad_jvp(t, ans, array, pad_width, mode="constant", **kwargs):
    """``pad`` of the tangent, with the padding constants (not the tangent's) set to 0."""
    kwargs = {k: v for k, v in kwargs.items() if k not in ("constant_values", "end_values")}
    return np.pad(t, pad_width, mode, **kwargs)


# ---- selections
@nondifferentiable
def take_sources(a, indices, axis, mode):
    """The index along ``axis`` each taken entry comes from, after ``mode`` wraps or clips."""
    length = np.size(a) if axis is None else np.shape(a)[axis]
    return np.take(np.arange(length), indices, mode=mode)


@defvjp(np.take, np.ndarray.take)
def take(g, ans, a, indices, axis=None, out=None, mode="raise"):
    """Scatter ``g`` back to the taken entries; an entry taken twice gets both."""
    sources = take_sources(a, indices, axis, mode)
    if axis is None:
        return np.reshape(scatter_add(g, np.ravel(a), sources), np.shape(a)), None
    axis = axis % ndim(a)
    taken = tuple(range(axis, axis + np.ndim(sources)))
    g_first = np.moveaxis(g, taken, tuple(range(len(taken))))
    moved = scatter_add(g_first, np.moveaxis(np.asarray(a), axis, 0), sources)
    return np.moveaxis(moved, 0, axis), None


@nondifferentiable
def along_axis_index(arr, indices, axis, shape):
    """The full fancy index ``take_along_axis`` reads: ``indices`` on ``axis``, aranges elsewhere."""
    rank = len(shape)
    index = []
    for d in range(rank):
        if d == axis:
            index.append(indices)
        else:
            positions = np.minimum(np.arange(shape[d]), np.shape(arr)[d] - 1)
            index.append(positions.reshape([-1 if e == d else 1 for e in range(rank)]))
    return tuple(index)


@defvjp(np.take_along_axis)
def take_along_axis(g, ans, arr, indices, axis=-1):
    if axis is None:  # NumPy reads the flattened array
        return np.reshape(scatter_add(g, np.ravel(arr), indices), np.shape(arr)), None, None
    index = along_axis_index(arr, indices, axis % ndim(arr), np.shape(ans))
    return scatter_add(g, arr, index), None, None


deflinear(np.take, np.ndarray.take, np.take_along_axis)


# ---- products of two arrays
def _kron_shapes(a, b):
    rank = max(ndim(a), ndim(b))
    a_shape = (1,) * (rank - ndim(a)) + np.shape(a)
    b_shape = (1,) * (rank - ndim(b)) + np.shape(b)
    return rank, a_shape, b_shape


@defvjp(np.kron)
def kron(g, ans, a, b):
    """View ``g`` as (a index, b index) pairs per axis and contract with the other factor."""
    rank, a_shape, b_shape = _kron_shapes(a, b)
    paired = np.reshape(g, [n for pair in zip(a_shape, b_shape) for n in pair])
    a_axes, b_axes = list(range(0, 2 * rank, 2)), list(range(1, 2 * rank, 2))
    da = np.tensordot(paired, np.reshape(b, b_shape), (b_axes, list(range(rank))))
    db = np.tensordot(paired, np.reshape(a, a_shape), (a_axes, list(range(rank))))
    return np.reshape(da, np.shape(a)), np.reshape(db, np.shape(b))


def _as_3d(v, axis):
    """Vectors of ``v`` along ``axis`` moved last and given a zero third component if 2-D."""
    v = np.moveaxis(np.asarray(v, dtype=float), axis, -1)
    if v.shape[-1] == 2:
        v = np.concatenate([v, np.zeros(v.shape[:-1] + (1,))], -1)
    return v


@defvjp(np.cross)
def cross(g, ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """``<g, a x b> = <a, b x g> = <b, g x a>``; 2-vectors are 3-vectors with z = 0."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a3, b3 = _as_3d(a, axisa), _as_3d(b, axisb)
    if np.ndim(ans) == np.ndim(np.cross(a3, b3)):  # the result holds vectors
        g3 = _as_3d(g, axisc)
    else:  # two 2-vectors: the result is the z component
        g3 = np.stack(np.broadcast_arrays(0.0 * g, 0.0 * g, g), -1)
    da = np.cross(b3, g3)[..., : np.shape(a)[axisa]]
    db = np.cross(g3, a3)[..., : np.shape(b)[axisb]]
    da = unbroadcast(da, np.moveaxis(np.asarray(a), axisa, -1))
    db = unbroadcast(db, np.moveaxis(np.asarray(b), axisb, -1))
    return cast_like(np.moveaxis(da, -1, axisa), a), cast_like(np.moveaxis(db, -1, axisb), b)


deflinear(np.kron, np.cross, argnums=(0, 1))


# ---- array factories whose values are differentiable
@defvjp(np.full)
def full(g, ans, shape, fill_value, dtype=None, order="C"):
    """``np.full(shape, v)`` copies ``v`` everywhere: ``v`` gets the sum of ``g``."""
    return None, unbroadcast(g, fill_value)


@defvjp(np.full_like)
def full_like(g, ans, a, fill_value, dtype=None, order="K", subok=True, shape=None):
    """Only ``a``'s shape is read: it gets no gradient."""
    return None, unbroadcast(g, fill_value)


deflinear(np.full, np.full_like, argnums=(1,))


def linspace_weights(ans, num, endpoint, axis):
    """How much of ``stop`` each sample holds (0 at ``start``), shaped to broadcast on ``ans``."""
    weights = np.linspace(0.0, 1.0, num, endpoint=endpoint)
    return weights.reshape([-1 if d == axis % np.ndim(ans) else 1 for d in range(np.ndim(ans))])


@defvjp(np.linspace)
def linspace(g, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """Sample ``i`` is ``start + (stop - start) * w_i``; with ``retstep`` also the step."""
    samples, g_step = (ans[0], g[1]) if retstep else (ans, 0.0)
    weights = linspace_weights(samples, num, endpoint, axis)
    g_samples = g[0] if retstep else g
    divisions = max(num - 1, 1) if endpoint else num
    d_stop = np.sum(g_samples * weights, axis=axis) + g_step / divisions
    d_start = np.sum(g_samples * (1.0 - weights), axis=axis) - g_step / divisions
    return cast_like(unbroadcast(d_start, start), start), cast_like(unbroadcast(d_stop, stop), stop)


@defjvp(np.linspace, argnum=0)
def linspace_jvp_start(t, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None,
                       axis=0):  # fmt: skip
    return _linspace_tangent(t, True, ans, num, endpoint, retstep, axis)


def _linspace_tangent(t, at_start, ans, num, endpoint, retstep, axis):
    """The tangent of ``linspace``'s result when ``start`` (``at_start=1``) or ``stop`` moves by t."""
    samples = ans[0] if retstep else ans
    weights = linspace_weights(samples, num, endpoint, axis)
    share = (1.0 - weights) if at_start else weights
    axis = axis % np.ndim(samples)
    others = np.shape(samples)[:axis] + np.shape(samples)[axis + 1 :]
    moved = np.expand_dims(np.broadcast_to(t, others), axis) * share
    tangent = np.broadcast_to(moved, np.shape(samples)).copy()
    if not retstep:
        return tangent
    divisions = max(num - 1, 1) if endpoint else num
    return tangent, (-t if at_start else t) / divisions


@defjvp(np.linspace, argnum=1)
def linspace_jvp_stop(t, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None,
                      axis=0):  # fmt: skip
    return _linspace_tangent(t, False, ans, num, endpoint, retstep, axis)


# ---- conversions
@defvjp(np.ndarray.astype)
def astype(g, ans, x, dtype, *options, **keywords):
    """Back in ``x``'s float dtype, as PyTorch's ``to``; an integer result carried no gradient."""
    if np.asarray(ans).dtype.kind != "f":
        return (float_zeros(x), None) + (None,) * len(options)
    dx = np.asarray(g).astype(float_zeros(x).dtype)
    return (dx, None) + (None,) * len(options)


@defjvp(np.ndarray.astype)
def astype_jvp(t, ans, x, dtype, *options, **keywords):
    return np.asarray(t).astype(ans.dtype) if ans.dtype.kind == "f" else zeros_like(ans)
