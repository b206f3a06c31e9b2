"""Rules for shape changes and indexing.

Shape changes move ``g`` back to the input's layout (reshape to its shape,
invert the permutation, split the joined pieces, sum the copies).  Indexing
scatters ``g`` into zeros; repeated fancy indices accumulate.  Options such as
a shape or an axis get ``None``.
"""

import operator

import numpy as np

from srcdiff.rules.gradient_list import GradientList
from srcdiff.rules.helpers import float_zeros, scatter_add, unbroadcast
from srcdiff.rules.registry import deflinear, defvjp


def _reshape_like(g, x, order):
    """``g`` in ``x``'s shape; ``order`` only when not "C" (Dask's reshape takes none)."""
    if order == "C":
        return np.reshape(g, np.shape(x))
    return np.reshape(g, np.shape(x), order=order)


@defvjp(np.reshape)
def reshape(g, ans, x, shape=None, order="C", *, copy=None):
    return _reshape_like(g, x, order), None


@defvjp(np.ndarray.reshape)
def reshape_method(g, ans, x, *shape, order="C", copy=None):
    """``x.reshape(2, 3)`` and ``x.reshape((2, 3))``."""
    return (_reshape_like(g, x, order),)


@defvjp(np.ravel, np.ndarray.ravel, np.ndarray.flatten)
def ravel(g, ans, x, order="C"):
    return (_reshape_like(g, x, order),)


@defvjp(np.expand_dims, np.squeeze, np.ndarray.squeeze)
def expand_dims(g, ans, x, axis=None):
    return np.reshape(g, np.shape(x)), None


@defvjp(np.transpose)
def transpose(g, ans, x, axes=None):
    if axes is None:
        return np.transpose(g), None
    return np.transpose(g, np.argsort(axes)), None


@defvjp(np.ndarray.transpose)
def transpose_method(g, ans, x, *axes):
    """``x.transpose()``, ``x.transpose(1, 0)`` and ``x.transpose((1, 0))``."""
    if len(axes) == 1:
        axes = axes[0]
    if not axes:
        return (np.transpose(g),)
    return (np.transpose(g, np.argsort(axes)),)


@defvjp(np.swapaxes, np.ndarray.swapaxes)
def swapaxes(g, ans, x, axis1, axis2):
    return np.swapaxes(g, axis1, axis2), None, None


@defvjp(np.moveaxis)
def moveaxis(g, ans, x, source, destination):
    return np.moveaxis(g, destination, source), None, None


@defvjp(np.flip)
def flip(g, ans, x, axis=None):
    return np.flip(g, axis), None


@defvjp(np.broadcast_to)
def broadcast_to(g, ans, x, shape, subok=False):
    return unbroadcast(g, x), None


def cut_along(g, lengths, axis):
    """``g`` cut along ``axis`` into consecutive pieces of the given lengths (slices: a Dask
    array or a recording Tensor follows them, where it may have no ``np.split``)."""
    ends = np.cumsum(lengths).tolist()
    before = (slice(None),) * (axis % np.ndim(g))
    return [g[(*before, slice(end - n, end))] for n, end in zip(lengths, ends)]


def _split_along(g, arrays, axis):
    """Cut ``g`` along ``axis`` into one piece per array, each in that array's shape."""
    pieces = cut_along(g, [np.shape(a)[axis] for a in arrays], axis)
    return GradientList(np.reshape(piece, np.shape(a)) for piece, a in zip(pieces, arrays))


def _split_like(g, x):
    """``g`` cut to the nesting of ``x``: a list for a list, an array of x's shape otherwise."""
    if isinstance(x, (list, tuple)):
        return GradientList(_split_like(g[i], item) for i, item in enumerate(x))
    return np.reshape(g, np.shape(x))


@defvjp(np.array, np.asarray, np.asanyarray, np.ascontiguousarray, np.copy, np.ndarray.copy)
def array(g, ans, x, *options, **keywords):
    """Building an array from a nested list gives each element its slice of ``g``."""
    return (_split_like(g, x),)


@defvjp(np.ndarray.item)
def item(g, ans, x, *index):
    """``x.item()`` of a one-element array, ``x.item(i)`` (a flat index) or ``x.item(i, j)``.

    The value is one element of ``x`` as a Python number: ``g`` flows back to that element.
    """
    dx = float_zeros(x)  # in x's dtype: the Python number ``ans`` has none
    if not index:
        dx[...] = g
    elif len(index) == 1 and isinstance(index[0], tuple):
        dx[index[0]] = g
    elif len(index) == 1:  # a flat index (not ``dx.flat``, which only an ndarray has)
        dx[np.unravel_index(index[0], np.shape(x))] = g
    else:
        dx[index] = g
    return (dx,) + (None,) * len(index)


@defvjp(np.concatenate)
def concatenate(g, ans, arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    if axis is None:  # NumPy joins the flattened arrays
        flat = [np.ravel(a) for a in arrays]
        return GradientList(
            np.reshape(p, np.shape(a)) for p, a in zip(_split_along(g, flat, 0), arrays)
        ), None
    return _split_along(g, arrays, axis), None


@defvjp(np.hstack)
def hstack(g, ans, arrays, *, dtype=None, casting="same_kind"):
    promoted = [np.atleast_1d(a) for a in arrays]
    axis = 0 if promoted[0].ndim == 1 else 1
    pieces = _split_along(g, promoted, axis)
    return (GradientList(np.reshape(p, np.shape(a)) for p, a in zip(pieces, arrays)),)


@defvjp(np.vstack)
def vstack(g, ans, arrays, *, dtype=None, casting="same_kind"):
    pieces = _split_along(g, [np.atleast_2d(a) for a in arrays], 0)
    return (GradientList(np.reshape(p, np.shape(a)) for p, a in zip(pieces, arrays)),)


@defvjp(np.stack)
def stack(g, ans, arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    # Indexing, which an array type that records has a rule for, in a loop rather
    # than a generator, so that a second derivative differentiates this rule too.
    lead = (slice(None),) * (axis % np.ndim(g))
    pieces = GradientList()
    for i in range(len(arrays)):
        pieces.append(g[lead + (i,)])
    return pieces, None


@defvjp(np.tile)
def tile(g, ans, x, reps):
    """Sum the copies: view ``g`` as (copies, size) pairs per axis, sum the copies."""
    reps = tuple(np.atleast_1d(reps))
    ndim = max(np.ndim(x), len(reps))
    shape = (1,) * (ndim - np.ndim(x)) + np.shape(x)
    reps = (1,) * (ndim - len(reps)) + reps
    paired = np.reshape(g, [n for pair in zip(reps, shape) for n in pair])
    return np.reshape(np.sum(paired, axis=tuple(range(0, 2 * ndim, 2))), np.shape(x)), None


@defvjp(np.repeat, np.ndarray.repeat)
def repeat(g, ans, x, repeats, axis=None):
    """Each element is copied ``repeats`` times along ``axis``; add the copies back."""
    if axis is None:  # NumPy repeats the flattened array
        return np.reshape(repeat(g, ans, np.ravel(x), repeats, 0)[0], np.shape(x)), None
    axis = axis % np.ndim(x)
    if np.ndim(repeats) == 0:
        length = np.shape(x)[axis]
        split = np.shape(g)[:axis] + (length, repeats) + np.shape(g)[axis + 1 :]
        return np.sum(np.reshape(g, split), axis=axis + 1), None
    source = np.repeat(np.arange(np.shape(x)[axis]), repeats)
    shape = np.shape(x)
    moved_x = np.broadcast_to(0.0, (shape[axis],) + shape[:axis] + shape[axis + 1 :])  # its shape
    moved = scatter_add(np.moveaxis(g, axis, 0), moved_x, source)
    return np.moveaxis(moved, 0, axis), None


@defvjp(operator.getitem)
def getitem(g, ans, x, index):
    return scatter_add(g, x, index), None


# Each of these only moves, copies or picks elements: its JVP is itself, on the tangent.
deflinear(
    np.reshape, np.ndarray.reshape, np.ravel, np.ndarray.ravel, np.ndarray.flatten,
    np.expand_dims, np.squeeze, np.ndarray.squeeze, np.transpose, np.ndarray.transpose,
    np.swapaxes, np.ndarray.swapaxes, np.moveaxis, np.flip, np.broadcast_to, np.array,
    np.asarray, np.asanyarray, np.ascontiguousarray, np.copy, np.ndarray.copy, np.ndarray.item,
    np.concatenate, np.hstack, np.vstack, np.stack, np.tile, np.repeat, np.ndarray.repeat,
    operator.getitem,
)  # fmt: skip
