"""Helpers the generated adjoints call at run time.

Generated code stays plain Python; what would be noisy to spell out inline
(checking the output's shape, scatter-adding into an array, shaping the
final gradient) lives here, under names that say what they do.
"""

import numbers

import numpy as np

from srcdiff import trees
from srcdiff.errors import DifferentiationError
from srcdiff.rules.gradient_list import NO_GRADIENT, GradientList, container_gradient
from srcdiff.rules.helpers import (
    foreign,
    reduced_size,
    refuse_scatter,
    unbroadcast,
    unreduce,
    zeros_like,
)
from srcdiff.rules.registry import nondifferentiable

__all__ = [
    "add_at",
    "added_at",
    "check_not_a_view",
    "check_seed",
    "gradient_of",
    "reduced_size",
    "restore_item",
    "saved_item",
    "shaped_like",
    "unbroadcast",
    "unreduce",
    "unit_seed",
    "writable",
    "zeros_for",
    "zeros_like",
]


_REAL_SCALARS = (float, np.float64, np.float32, int)


# How to get a real output from complex values; the rules differentiate real functions.
_REAL_ADVICE = (
    "srcdiff differentiates real-valued functions of real arguments; carry complex "
    "values as separate real and imaginary parts"
)


def unit_seed(value):
    """The cotangent 1.0 of a scalar output; any other output is an error."""
    if type(value) in _REAL_SCALARS:
        return 1.0
    if isinstance(value, (list, tuple)):
        raise DifferentiationError(
            f"grad needs a scalar output, but the function returned a {type(value).__name__} "
            f"of {len(value)} value{'s' * (len(value) != 1)}; use srcdiff.vjp(f)(..., "
            "seed=(v1, v2, ...)) with a tuple of seeds, one for each"
        )
    if not (isinstance(value, (numbers.Number, np.ndarray, np.generic)) or foreign(value)):
        raise DifferentiationError(
            f"grad needs a scalar output, but the function returned {_kind(value)}; "
            "return a number (a missing 'return' gives None)"
        )
    _check_real_output(value)
    shape = np.shape(value)
    if shape != ():
        raise DifferentiationError(
            f"grad needs a scalar output, but the function returned shape {shape}; "
            "use srcdiff.vjp(f)(..., seed=v) with a cotangent v of that shape"
        )
    return 1.0


def gradient_out(t, value):
    """The derivative of scalar ``value`` along a tangent 1.0 (``t``, maybe 0.0: zero),
    as a gradient with respect to a number: a float; any other output is the error
    ``unit_seed`` raises."""
    if type(value) is not float or type(t) is not float:
        unit_seed(value)
        _check_real_derivative(t, "derivative")
    return float(t)


def _kind(value):
    return "None" if value is None else f"a {type(value).__name__}"


def _check_real_output(value):
    if np.iscomplexobj(value):
        raise DifferentiationError(f"the function returned a complex value; {_REAL_ADVICE}")


def check_seed(seed, value):
    """The cotangent passed to a vjp, checked against the output's shape."""
    if seed is None:
        return unit_seed(value)
    if isinstance(value, (list, tuple)):
        if not isinstance(seed, (list, tuple)) or len(seed) != len(value):
            raise DifferentiationError(
                f"the function returned a {type(value).__name__} of {len(value)} values; "
                "the seed of its vjp must be a tuple with one cotangent for each"
            )
        return GradientList(check_seed(s, v) for s, v in zip(seed, value))
    _check_real_output(value)
    if np.shape(seed) != np.shape(value):
        raise DifferentiationError(
            f"the seed has shape {np.shape(seed)} but the output has shape {np.shape(value)}; "
            "the seed of a vjp must have the output's shape"
        )
    return seed


def check_plain_array(x):
    """Refuse NumPy's array subclasses whose operations the rules do not follow."""
    if isinstance(x, np.ma.MaskedArray):
        raise DifferentiationError(
            "cannot differentiate through a masked array (np.ma): the rules ignore its "
            "mask; pass x.filled(0.0) or x.compressed(), or multiply by a 0/1 weight "
            "array instead of masking"
        )
    if isinstance(x, np.matrix):
        raise DifferentiationError(
            "cannot differentiate through an np.matrix, whose '*' is a matrix product; "
            "pass np.asarray(x) and write '@' where a matrix product is meant"
        )


def check_argument(x):
    """Refuse an argument whose gradient srcdiff cannot compute (see the messages)."""
    if trees.is_container(x):
        for _, item in trees.children(x):
            if not isinstance(item, trees.STATIC_LEAVES):
                check_argument(item)
        return
    if isinstance(x, (bool, np.bool_)) or not (
        isinstance(x, (numbers.Number, np.ndarray, np.generic)) or foreign(x)
    ):
        raise DifferentiationError(
            f"cannot differentiate with respect to a {type(x).__name__} argument; "
            "only numbers and numeric arrays (or lists and tuples of them) have gradients"
        )
    check_plain_array(x)
    if np.iscomplexobj(x):
        raise DifferentiationError(
            f"cannot differentiate with respect to a complex argument; {_REAL_ADVICE}"
        )
    if getattr(x, "dtype", np.dtype(float)).kind not in "iuf":
        raise DifferentiationError(
            f"cannot differentiate with respect to an array of dtype {x.dtype}; "
            "only numeric arrays have gradients"
        )


def check_not_a_view(value, name):
    """Raise when ``value`` is a view, whose ``+=`` would update another array.

    A statement of its own in generated code, not an ``assert``: the check must
    hold under ``python -O`` too.
    """
    if isinstance(value, np.ndarray) and value.base is not None:
        raise DifferentiationError(
            f"'{name}' is a view of another array here, so '{name} += ...' would update "
            f"that array in place; copy it first ({name} = {name}.copy()), or use "
            'mode="trace"'
        )


# Generated code differentiated again (``grad(grad(f))``) passes no gradient through it.
nondifferentiable(check_not_a_view)


# The old item of a dict under a key the forward sweep added.
MISSING = type("Missing", (), {"__repr__": lambda self: "<no item>"})()


def saved_item(d, key):
    """``d[key]`` before an assignment overwrites it (``MISSING`` for a new key)."""
    return d.get(key, MISSING) if isinstance(d, dict) else d[key]


def restore_item(d, key, old):
    """Undo ``d[key] = ...``: the old item back, or a key the assignment added removed."""
    if old is MISSING:
        del d[key]
    else:
        d[key] = old


nondifferentiable(saved_item)


def shaped_like(x):
    """What the forward sweep saves of a value the backward sweep reads only for its shape
    and dtype: an array of ``x``'s shape and dtype that holds no data (a read-only zero,
    all strides 0).

    Anything but a NumPy array is kept as it is, and so is a small array (it costs
    less than the stand-in), one of Python objects or of items larger than a number.
    """
    if type(x) is not np.ndarray or x.nbytes <= _SMALL or x.itemsize > len(_ZERO_BYTES):
        return x
    if x.dtype.hasobject:
        return x
    return np.ndarray(x.shape, x.dtype, _ZERO_BYTES, 0, (0,) * x.ndim)


# Arrays of at most this many bytes are saved whole; ``_ZERO_BYTES`` holds a zero of
# any dtype's item (immutable: what ``shaped_like`` returns cannot be written).
_SMALL = 1024
_ZERO_BYTES = bytes(64)


nondifferentiable(shaped_like)


def gradient_of(g, x):
    """The gradient ``g`` of argument ``x``: x's shape, float dtype.

    Refuses what would be a wrong number: a masked or matrix argument, a complex
    gradient (from a complex output, or complex values on the way to it).  A
    gradient that is another library's array (Dask's, where the function read
    Dask arrays) is returned as that array, not computed.
    """
    if type(x) is np.ndarray and type(g) is np.ndarray and g.shape == x.shape:
        if g.dtype == x.dtype and x.dtype.kind == "f" and g.flags.writeable:
            return g
    elif type(x) is float and type(g) in _REAL_SCALARS:
        return float(g)
    if trees.is_container(x):
        return trees.rebuild(x, _per_item(gradient_of, g, x, None))
    check_argument(x)
    _check_real_derivative(g, "gradient")
    if isinstance(g, np.ma.MaskedArray):
        raise DifferentiationError(
            "the gradient came out as a masked array: a masked array (np.ma) took part, "
            "and the rules ignore its mask; use x.filled(0.0), or a 0/1 weight array"
        )
    if foreign(g) or foreign(x):
        return _lazy_gradient(g, x)
    if isinstance(x, numbers.Number) and not isinstance(x, np.generic):
        return float(np.sum(g)) if np.ndim(g) else float(g)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    g = unbroadcast(g, x) if np.shape(g) != np.shape(x) and np.ndim(g) else g
    out = np.broadcast_to(np.asarray(g, dtype=dtype), np.shape(x))
    if isinstance(x, np.ndarray):
        return np.array(out)
    return dtype.type(out[()]) if out.ndim == 0 else np.array(out)


def _lazy_gradient(g, x):
    """``gradient_of`` for another library's array: shaped and cast by its own methods."""
    dtype = getattr(x, "dtype", np.dtype(np.float64))
    dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
    if not foreign(g):  # x is the other library's array: g becomes one like it
        return zeros_like(x) + g
    g = unbroadcast(g, x) if np.shape(g) != np.shape(x) and np.ndim(g) else g
    if np.shape(g) != np.shape(x):
        g = np.broadcast_to(g, np.shape(x))
    return g if g.dtype == dtype else g.astype(dtype)


def zeros_for(x):
    """A zero gradient for ``x`` that can be updated in place (a gradient container for a
    container, None for its items that carry no gradient)."""
    if trees.is_container(x):
        return container_gradient(x, [_item_zeros(v) for _, v in trees.children(x)])
    check_plain_array(x)
    return zeros_like(x)


def writable(g, x):
    """A fresh float array with ``x``'s shape holding ``g``, safe to update in place."""
    if trees.is_container(x):
        return container_gradient(x, _per_item(writable, g, x, NO_GRADIENT))
    check_plain_array(x)
    out = zeros_like(x)
    if isinstance(out, np.ndarray) and not foreign(g):
        out += g
        return out
    return out + g


def _item_zeros(x):
    return NO_GRADIENT if isinstance(x, trees.STATIC_LEAVES) else zeros_for(x)


def _per_item(fn, g, x, none):
    """``fn(g_item, x_item)`` for each item of container ``x`` (a number in ``g`` goes to
    each); ``none`` for the items that carry no gradient."""
    spread = zeros_like(x) + g
    return [
        none if isinstance(item, trees.STATIC_LEAVES) else fn(spread[key], item)
        for key, item in trees.children(x)
    ]


def _is_basic(index):
    if isinstance(index, tuple):
        return all(_is_basic(i) for i in index)
    return index is None or index is Ellipsis or isinstance(index, (numbers.Integral, slice))


def add_at(g, index, value):
    """``g[index] += value`` where repeated indices accumulate, as in ``np.add.at``.

    A ``value`` of another library (Dask) added into a NumPy ``g`` is computed
    here: a NumPy array holds numbers.
    """
    if isinstance(g, (list, dict)):  # a gradient container
        g[index] = g[index] + value
    elif _is_basic(index):
        if foreign(g):
            index, value = _plain_index(g, index, value)
        elif foreign(value):  # NumPy adds no Dask array into a row in place
            value = np.asarray(value)
        g[index] += value
    else:
        refuse_scatter(g, "indexing with an array of indices or a mask")
        np.add.at(g, index, np.asarray(value) if foreign(value) else value)


def _plain_index(g, index, value):
    """A basic ``index`` of ``g`` without None and negative steps, and ``value`` to match.

    Dask's item assignment takes neither: a None's axis is dropped from
    ``value``, and a reversed slice becomes a forward one with ``value`` flipped.
    """
    index = index if isinstance(index, tuple) else (index,)
    if not any(i is None or isinstance(i, slice) and (i.step or 1) < 0 for i in index):
        return index, value
    value = np.broadcast_to(value, g[index].shape)
    count = sum(i is not None and i is not Ellipsis for i in index)
    items, drop, flip, axis = [], [], [], 0
    for item in index:
        if item is Ellipsis:
            items += [slice(None)] * (np.ndim(g) - count)
            axis += np.ndim(g) - count
        elif item is None:
            drop.append(axis)
            axis += 1
        elif isinstance(item, slice):
            picked = range(np.shape(g)[len(items)])[item]
            if (item.step or 1) < 0:
                item = slice(picked[-1], picked[0] + 1, -item.step) if picked else slice(0, 0)
                flip.append(axis)
            items.append(item)
            axis += 1
        else:
            items.append(item)
    for a in flip:
        value = np.flip(value, a)
    return tuple(items), np.squeeze(value, axis=tuple(drop)) if drop else value


# -- forward mode (``static/forward.py`` names these with their objects) ------------


def tangents_in(tangent, count):
    """The tuple of tangents a jvp with respect to ``count`` arguments was called with."""
    if not isinstance(tangent, (tuple, list)) or len(tangent) != count:
        raise DifferentiationError(
            f"this jvp differentiates {count} arguments: pass tangent=(one tangent per "
            f"argument), not {tangent!r:.60}"
        )
    return tangent


def tangent_in(t, x):
    """The tangent ``t`` given for argument ``x``, checked: x's shape, a float dtype."""
    if type(x) is float and type(t) in _REAL_SCALARS:
        return float(t)
    if type(x) is np.ndarray is type(t) and x.dtype == t.dtype == np.float64:
        if x.shape == t.shape:  # the common case, checked in a few C calls
            return t.copy()  # the function may write into it
    if isinstance(x, (list, tuple)):
        if not isinstance(t, (list, tuple)) or len(t) != len(x):
            raise DifferentiationError(
                f"the tangent of a {type(x).__name__} of {len(x)} items must be a list or "
                f"tuple of {len(x)} tangents, not {t!r:.60}"
            )
        return [tangent_in(ti, xi) for ti, xi in zip(t, x)]
    check_argument(x)
    if t is None or np.shape(t) != np.shape(x) or np.iscomplexobj(t):
        raise DifferentiationError(
            f"a tangent must have its argument's shape {np.shape(x)} and real values; got "
            f"{type(t).__name__} of shape {np.shape(t)}"
        )
    dtype = getattr(x, "dtype", np.dtype(np.float64))
    dtype = dtype if dtype.kind == "f" else np.float64
    if isinstance(x, np.ndarray):
        return np.array(t, dtype=dtype)  # a copy: the function may write into it
    return float(t) if isinstance(x, numbers.Number) and not isinstance(x, np.generic) else t


def _check_real_derivative(g, what):
    if np.iscomplexobj(g):
        raise DifferentiationError(
            f"the {what} of a real argument came out complex: a complex value (the output, "
            f"or one on the way to it) depends on the argument; {_REAL_ADVICE}"
        )


def tangent_out(t, value):
    """The tangent ``t`` of the output ``value``, in value's shape (``t`` may be 0.0: zero)."""
    if isinstance(value, (list, tuple)):
        items = t if isinstance(t, (list, tuple)) else [t] * len(value)
        return type(value)(tangent_out(ti, vi) for ti, vi in zip(items, value))
    if type(value) is float and type(t) in _REAL_SCALARS:
        return float(t)
    _check_real_output(value)
    _check_real_derivative(t, "derivative")
    if isinstance(value, numbers.Number) and not isinstance(value, np.generic):
        return float(t)
    dtype = value.dtype if value.dtype.kind == "f" else np.dtype(np.float64)
    out = np.broadcast_to(np.asarray(t, dtype=dtype), np.shape(value))
    return np.array(out) if isinstance(value, np.ndarray) else dtype.type(out[()])


@nondifferentiable
def tangent_zeros(value):
    """The zero tangent of a helper's result: ``zeros_like``, except that a number or a
    flag in a container (a mask a rule computed) gets a float zero, which the caller's
    tangent code can multiply, where a gradient would mark it ``NO_GRADIENT``."""
    if not trees.is_container(value):
        return zeros_like(value)
    items = [
        NO_GRADIENT if v is None or isinstance(v, (str, bytes)) else tangent_zeros(v)
        for _, v in trees.children(value)
    ]
    return container_gradient(value, items)


def added_at(g, index, value):
    """``g`` with ``value`` added at ``index`` (repeats accumulate), as a new array or list."""
    out = g.copy() if isinstance(g, (np.ndarray, GradientList)) else g
    add_at(out, index, value)
    return out
