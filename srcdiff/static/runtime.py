"""Helpers the generated adjoints call at run time.

Generated code stays plain Python; what would be noisy to spell out inline
(checking the output's shape, scatter-adding into an array, shaping the
final gradient) lives here, under names that say what they do.
"""

import numbers

import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.rules.helpers import unbroadcast, zeros_like
from srcdiff.rules.registry import nondifferentiable

__all__ = [
    "add_at",
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


def unit_seed(value):
    """The cotangent 1.0 of a scalar output; any other output is an error."""
    if type(value) in _REAL_SCALARS:
        return 1.0
    shape = np.shape(value)
    if shape != ():
        raise DifferentiationError(
            f"grad needs a scalar output, but the function returned shape {shape}; "
            "use srcdiff.vjp(f)(..., seed=v) with a cotangent v of that shape"
        )
    if isinstance(value, (complex, np.complexfloating)):
        raise DifferentiationError("grad of a complex output is not supported")
    return 1.0


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
        return type(seed)(check_seed(s, v) for s, v in zip(seed, value))
    if np.shape(seed) != np.shape(value):
        raise DifferentiationError(
            f"the seed has shape {np.shape(seed)} but the output has shape {np.shape(value)}; "
            "the seed of a vjp must have the output's shape"
        )
    return seed


def _check_differentiable(x):
    if isinstance(x, (bool, np.bool_)) or not isinstance(
        x, (numbers.Number, np.ndarray, np.generic)
    ):
        raise DifferentiationError(
            f"cannot differentiate with respect to a {type(x).__name__} argument; "
            "only numbers and numeric arrays (or lists and tuples of them) have gradients"
        )
    if isinstance(x, (np.ndarray, np.generic)) and x.dtype.kind not in "iufc":
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
    """The gradient ``g`` of argument ``x``: x's shape, float dtype."""
    if type(x) is np.ndarray and type(g) is np.ndarray and g.shape == x.shape:
        if g.dtype == x.dtype and x.dtype.kind == "f" and g.flags.writeable:
            return g
    elif type(x) is float and type(g) in _REAL_SCALARS:
        return float(g)
    if isinstance(x, (list, tuple)):
        if isinstance(g, (list, tuple)):
            return type(x)(gradient_of(gi, xi) for gi, xi in zip(g, x))
        return type(x)(gradient_of(g, xi) for xi in x)
    _check_differentiable(x)
    if isinstance(x, numbers.Number) and not isinstance(x, np.generic):
        return float(np.real(np.sum(g))) if np.ndim(g) else float(g)
    dtype = x.dtype if x.dtype.kind in "fc" else np.dtype(np.float64)
    g = unbroadcast(g, x) if np.shape(g) != np.shape(x) and np.ndim(g) else g
    out = np.broadcast_to(np.asarray(g, dtype=dtype), np.shape(x))
    if isinstance(x, np.ndarray):
        return np.array(out)
    return dtype.type(out[()]) if out.ndim == 0 else np.array(out)


def zeros_for(x):
    """A zero gradient for ``x`` that can be updated in place (a list for a tuple)."""
    if isinstance(x, (list, tuple)):
        return [zeros_for(item) for item in x]
    return zeros_like(x)


def writable(g, x):
    """A fresh float array with ``x``'s shape holding ``g``, safe to update in place."""
    if isinstance(x, (list, tuple)):
        if isinstance(g, (list, tuple)):
            return [writable(gi, xi) for gi, xi in zip(g, x)]
        return [writable(g, xi) for xi in x]
    out = zeros_like(x)
    if isinstance(out, np.ndarray):
        out += g
        return out
    return out + g


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
