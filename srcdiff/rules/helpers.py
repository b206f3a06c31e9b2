"""Small NumPy helpers that rules share.

The rules call these by name, and the static compiler inlines rules into
generated code, so every helper here is also visible in generated adjoints.

The helpers also take array types that answer NumPy's functions themselves
(``__array_function__`` / ``__array_ufunc__``, such as ``srcdiff.Tensor``
recording a backward pass with ``create_graph=True``): for those
(``foreign``) they call only NumPy functions that dispatch to the type, and
never convert to an ndarray, so each operation reaches the type's own
implementation.
"""

import functools
import math

import numpy as np

from srcdiff.rules.gradient_list import GradientList, joined_lists

_NDARRAY = np.ndarray
_NUMBERS = (int, float, complex)  # bool and NumPy's float64 are subclasses


def _shape(value):
    """``np.shape(value)``, with exact-type tests first: cheaper than NumPy's dispatch."""
    if type(value) is _NDARRAY:
        return value.shape
    if isinstance(value, _NUMBERS):
        return ()
    return np.shape(value)


def foreign(value):
    """Whether ``value`` is an array of another type that answers NumPy's functions itself."""
    return (
        type(value) is not _NDARRAY
        and not isinstance(value, (np.ndarray, np.generic, *_NUMBERS))
        and hasattr(type(value), "__array_function__")
    )


def ndim(value):
    """``np.ndim(value)``, with exact-type tests first (NumPy's converts a number to an array)."""
    if type(value) is _NDARRAY:
        return value.ndim
    if isinstance(value, _NUMBERS):
        return 0
    return np.ndim(value)


def unbroadcast(g, x):
    """Bring the cotangent ``g`` to the shape of ``x``, undoing broadcasting.

    ``g`` is summed over the dimensions broadcasting added; a ``g`` that is itself
    smaller (a scalar standing for a constant array) is spread over ``x``'s shape.
    Costs one shape comparison when the shapes already match.
    """
    if isinstance(g, list):  # the cotangent of a list: the operation joined Python lists
        if not isinstance(x, (list, tuple)) or len(x) != len(g):
            raise joined_lists()
        return g
    shape, g_shape = _shape(x), _shape(g)
    if g_shape == shape:
        return g
    if len(g_shape) < len(shape) or any(
        n == 1 and m != 1 for n, m in zip(g_shape[::-1], shape[::-1])
    ):
        # ``g`` may also be smaller than ``x`` (a broadcast value): spread it first.
        g = np.broadcast_to(g, np.broadcast_shapes(g_shape, shape))
    if not foreign(g):
        g = np.asarray(g)
    extra = g.ndim - len(shape)
    if extra > 0:
        g = np.sum(g, axis=tuple(range(extra)))
    kept = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if kept:
        g = np.sum(g, axis=kept, keepdims=True)
    if not shape and type(g) is _NDARRAY:
        return g[()]
    return g


def zeros_like(x):
    """A float zero of ``x``'s shape: the gradient of a value that got none."""
    if isinstance(x, (list, tuple)):
        return GradientList(zeros_like(item) for item in x)
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        return 0.0
    if not np.issubdtype(dtype, np.inexact):
        dtype = np.dtype(np.float64)
    if ndim(x) == 0:
        return dtype.type(0)
    return np.zeros(_shape(x), dtype)


def float_zeros(x, g=None):
    """Float zeros shaped like ``x``, in ``g``'s float dtype when it has one.

    The starting point of a scatter: indexing and repeat adjoints add into it.
    """
    dtype = getattr(g, "dtype", None)
    if dtype is None or not np.issubdtype(dtype, np.inexact):
        dtype = getattr(x, "dtype", None)
    if dtype is None or not np.issubdtype(dtype, np.inexact):
        dtype = np.float64
    if foreign(g):  # zeros of g's own type, so that writing g into them is recorded
        return np.zeros_like(g, dtype=dtype, shape=_shape(x))
    return np.zeros(_shape(x), dtype)


def cast_like(value, x):
    """``value`` in ``x``'s float dtype: a cotangent computed with float64 constants, for a
    float32 ``x``.  Unchanged when ``x`` has no float dtype (a Python number, an int array)."""
    dtype = getattr(x, "dtype", None)
    if dtype is None or dtype.kind != "f" or np.asarray(value).dtype == dtype:
        return value
    return np.asarray(value).astype(dtype)


def reduced_axes(axis, ndim):
    """The reduction's ``axis`` (None, int, negative int or tuple) as sorted non-negative ints."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (tuple, list)):
        return tuple(sorted(a % ndim for a in axis))
    return (axis % ndim,)


def restore_reduced_axes(g, x, axis=None, keepdims=False):
    """Give ``g`` (a reduction's cotangent or result) back the reduced axes, as size-1 axes.

    The result broadcasts against ``x``: ``np.sum(x, axis)`` followed by this
    has ``np.sum(x, axis, keepdims=True)``'s shape.
    """
    if keepdims:
        return g
    rank = ndim(x)
    if rank == 0:
        return g
    return np.expand_dims(g, reduced_axes(axis, rank))


def unreduce(g, x, axis=None, keepdims=False):
    """Spread a reduction's cotangent ``g`` over the reduced ``axis`` of ``x``.

    The adjoint of ``np.sum(x, axis, keepdims=keepdims)``: a fresh, writable
    array of ``x``'s shape.
    """
    shape = _shape(x)
    if foreign(g):  # the broadcast itself, not a copy: the type records it
        if axis is None and _shape(g) == ():
            return np.broadcast_to(g, shape)
        return np.broadcast_to(restore_reduced_axes(g, x, axis, keepdims), shape)
    if axis is None and _shape(g) == ():  # a full reduction: one value everywhere
        out = np.empty(shape, dtype=_float_dtype(g, x))
        out.fill(g)
        return out
    g = restore_reduced_axes(g, x, axis, keepdims)
    return np.array(np.broadcast_to(g, shape))


def _float_dtype(g, x):
    """The dtype of a cotangent of ``x``: x's float dtype, else g's, else float64."""
    for value in (x, g):
        dtype = getattr(value, "dtype", None)
        if dtype is not None and dtype.kind in "fc":
            return dtype
    return np.float64


def reduced_size(x, axis=None):
    """How many elements of ``x`` a reduction over ``axis`` combines into each result."""
    if axis is None:
        return x.size if type(x) is _NDARRAY else math.prod(np.shape(x))
    shape = _shape(x)
    return math.prod(shape[a] for a in reduced_axes(axis, len(shape)))


def tie_share(x, ans, axis=None, keepdims=False):
    """Where ``x`` attains a max/min reduction's result ``ans``: 1/(number of ties), else 0.

    Splits the gradient evenly among tied extrema, as ``torch.amax`` does.
    Piecewise constant: a ``foreign`` array gives its values' share, an ndarray.
    """
    x, ans = values_of(x), values_of(ans)
    hits = x == restore_reduced_axes(ans, x, axis, keepdims)
    share = hits / np.sum(hits, axis=axis, keepdims=True)
    return share.astype(np.result_type(x.dtype, np.float32), copy=False)


def prod_of_others(x, axis=None):
    """For each element of ``x``, the product of the other elements of its reduction slice.

    The derivative of ``np.prod(x, axis)``.  Exclusive cumulative products from
    both ends make it exact when the slice holds zeros (no division).
    """
    if foreign(x):
        return _prod_of_others_foreign(x, axis)
    x = np.asarray(x)
    axes = reduced_axes(axis, x.ndim)
    k = len(axes)
    moved = np.moveaxis(x, axes, tuple(range(x.ndim - k, x.ndim)))
    flat = moved.reshape(moved.shape[: x.ndim - k] + (-1,))
    ones = np.ones(flat.shape[:-1] + (1,), flat.dtype)
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    others = (left * right).reshape(moved.shape)
    return np.moveaxis(others, tuple(range(x.ndim - k, x.ndim)), axes)


def _prod_of_others_foreign(x, axis):
    """``prod_of_others`` in differentiable steps: each slice of n is copied n times with a
    1 in place of one element, and each copy multiplied out (n * n values per slice)."""
    rank = ndim(x)
    axes = reduced_axes(axis, rank)
    k = len(axes)
    moved = np.moveaxis(x, axes, tuple(range(rank - k, rank)))
    kept = _shape(moved)[: rank - k]
    n = math.prod(_shape(moved)[rank - k :])
    flat = np.reshape(moved, kept + (1, n))
    others = np.prod(np.where(np.eye(n, dtype=bool), 1.0, flat), axis=-1)
    others = np.reshape(others, _shape(moved))
    return np.moveaxis(others, tuple(range(rank - k, rank)), axes)


@functools.singledispatch
def values_of(x):
    """The values of ``x`` as an ndarray, for a piecewise-constant result (a mask, a share).

    An array type that records operations registers how to read its values
    without recording (``srcdiff.Tensor`` gives its data).
    """
    return np.asarray(x)


def is_basic_index(index):
    """True for an index made only of ints, slices, None and Ellipsis (a view, no repeats)."""
    if isinstance(index, tuple):
        return all(is_basic_index(item) for item in index)
    if isinstance(index, (bool, np.bool_)):
        return False
    return index is None or index is Ellipsis or isinstance(index, (int, np.integer, slice))


def scatter_add(g, x, index):
    """The adjoint of ``x[index]``: zeros shaped like ``x`` with ``g`` added at ``index``.

    Repeated fancy indices accumulate (``np.add.at``).  ``x`` may be a Python
    list or tuple indexed by an int or a slice; the cotangent is then a list.
    """
    if isinstance(x, (list, tuple)):
        out = GradientList(zeros_like(item) for item in x)
        out[index] = g
        return out
    if foreign(g) and not is_basic_index(index):
        return _scatter_add_foreign(g, x, index)
    out = float_zeros(x, g)
    if is_basic_index(index):
        out[index] = g
    else:
        np.add.at(out, index, g)
    return out


def _scatter_add_foreign(g, x, index):
    """``scatter_add`` by a product with a 0/1 matrix (which element of ``x`` each one of
    ``g`` lands on), made of operations an array type that records has rules for."""
    shape = _shape(x)
    size = math.prod(shape)
    positions = np.reshape(np.arange(size).reshape(shape)[index], (-1,))
    lands = (positions[:, None] == np.arange(size)[None, :]).astype(g.dtype)
    return np.reshape(np.reshape(g, (-1,)) @ lands, shape)


def diagonal_scatter(g, x, offset=0, axis1=0, axis2=1):
    """The adjoint of ``np.diagonal(x, offset, axis1, axis2)``: ``g`` written on that diagonal.

    ``g`` has the diagonal's shape: ``x``'s other axes, then the diagonal.
    """
    out = float_zeros(x, g)
    square = np.moveaxis(out, (axis1, axis2), (-2, -1))
    rows = np.arange(max(0, -offset), min(square.shape[-2], square.shape[-1] - offset))
    square[..., rows, rows + offset] = g
    return out
