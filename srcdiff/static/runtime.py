"""Helpers the generated adjoints call at run time.

Generated code stays plain Python; what would be noisy to spell out inline
(checking the output's shape, scatter-adding into an array, shaping the
final gradient) lives here, under names that say what they do.
"""

import numbers

import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.rules.gradient_list import GradientList
from srcdiff.rules.helpers import unbroadcast, zeros_like
from srcdiff.rules.registry import nondifferentiable

__all__ = [
    "add_at",
    "added_at",
    "check_not_a_view",
    "check_seed",
    "gradient_of",
    "unbroadcast",
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
    if not isinstance(value, (numbers.Number, np.ndarray, np.generic)):
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
    if isinstance(x, (list, tuple)):
        for item in x:
            check_argument(item)
        return
    if isinstance(x, (bool, np.bool_)) or not isinstance(
        x, (numbers.Number, np.ndarray, np.generic)
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
    if isinstance(x, (np.ndarray, np.generic)) and x.dtype.kind not in "iuf":
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


def gradient_of(g, x):
    """The gradient ``g`` of argument ``x``: x's shape, float dtype.

    Refuses what would be a wrong number: a masked or matrix argument, a complex
    gradient (from a complex output, or complex values on the way to it).
    """
    if type(x) is np.ndarray and type(g) is np.ndarray and g.shape == x.shape:
        if g.dtype == x.dtype and x.dtype.kind == "f" and g.flags.writeable:
            return g
    elif type(x) is float and type(g) in _REAL_SCALARS:
        return float(g)
    if isinstance(x, (list, tuple)):
        return type(x)(gradient_of(gi, xi) for gi, xi in zip(_spread(g, x), x))
    check_argument(x)
    if np.iscomplexobj(g):
        raise DifferentiationError(
            "the gradient of a real argument came out complex: a complex value (the output, "
            f"or one on the way to it) depends on the argument; {_REAL_ADVICE}"
        )
    if isinstance(g, np.ma.MaskedArray):
        raise DifferentiationError(
            "the gradient came out as a masked array: a masked array (np.ma) took part, "
            "and the rules ignore its mask; use x.filled(0.0), or a 0/1 weight array"
        )
    if isinstance(x, numbers.Number) and not isinstance(x, np.generic):
        return float(np.sum(g)) if np.ndim(g) else float(g)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    g = unbroadcast(g, x) if np.shape(g) != np.shape(x) and np.ndim(g) else g
    out = np.broadcast_to(np.asarray(g, dtype=dtype), np.shape(x))
    if isinstance(x, np.ndarray):
        return np.array(out)
    return dtype.type(out[()]) if out.ndim == 0 else np.array(out)


def zeros_for(x):
    """A zero gradient for ``x`` that can be updated in place (a list for a tuple)."""
    if isinstance(x, (list, tuple)):
        return GradientList(zeros_for(item) for item in x)
    check_plain_array(x)
    return zeros_like(x)


def writable(g, x):
    """A fresh float array with ``x``'s shape holding ``g``, safe to update in place."""
    if isinstance(x, (list, tuple)):
        return GradientList(writable(gi, xi) for gi, xi in zip(_spread(g, x), x))
    check_plain_array(x)
    out = zeros_like(x)
    if isinstance(out, np.ndarray):
        out += g
        return out
    return out + g


def _spread(g, x):
    """The gradient ``g`` of the list ``x`` as one gradient per item (a number goes to each)."""
    return zeros_like(x) + g


def _is_basic(index):
    if isinstance(index, tuple):
        return all(_is_basic(i) for i in index)
    return index is None or index is Ellipsis or isinstance(index, (numbers.Integral, slice))


def add_at(g, index, value):
    """``g[index] += value`` where repeated indices accumulate, as in ``np.add.at``."""
    if isinstance(g, list):
        g[index] = g[index] + value
    elif _is_basic(index):
        g[index] += value
    else:
        np.add.at(g, index, value)


def added_at(g, index, value):
    """``g`` with ``value`` added at ``index`` (repeats accumulate), as a new array or list."""
    out = g.copy() if isinstance(g, (np.ndarray, GradientList)) else g
    add_at(out, index, value)
    return out
