"""``trace_vjp``: the entry point the public API calls for ``mode="trace"``.

It wraps the differentiated arguments as leaf Tensors (keeping the caller's
float dtype; integers become float64), runs the user's function unchanged --
any Python: loops, closures, classes, ``with`` blocks, assignments into arrays
made with ``np.zeros`` and friends (``array_factories.py``) -- and backpropagates
a seed through the recorded graph.  Gradients are captured per leaf without
touching ``.grad``, and come back as plain NumPy values.
"""

import math
import types

import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.rules import is_nondifferentiable, vjp_rule
from srcdiff.trace.array_factories import factory_patches
from srcdiff.trace.dispatch import apply_op
from srcdiff.trace.grad_mode import strict_tracing
from srcdiff.trace.graph import run_backward
from srcdiff.trace.tensor import Tensor, make_tensor


def _leaf_for(value, position):
    if isinstance(value, Tensor):
        array = value._data
    else:
        try:
            array = np.asarray(value)
        except Exception as error:  # noqa: BLE001 (report any conversion failure the same way)
            raise DifferentiationError(
                f"argument {position} cannot be differentiated: {error}"
            ) from None
    if array.dtype.kind not in "biufc":
        raise DifferentiationError(
            f"argument {position} is {type(value).__name__} of dtype {array.dtype}; "
            "only numbers and numeric arrays can be differentiated"
        )
    if array.dtype.kind not in "fc":
        array = array.astype(np.float64)
    return make_tensor(array, True, None)


_MATH_PATCHES = []


def _traced_math(name, original):
    """``math.<name>`` that records when given a Tensor and is itself otherwise."""

    def traced(*args, **kwargs):
        if any(isinstance(a, Tensor) for a in args):
            return apply_op(original, args, kwargs)
        return original(*args, **kwargs)

    traced.__name__ = name
    traced.__doc__ = original.__doc__
    return traced


def math_patches():
    """Replacements for the ``math`` functions the rule table differentiates (built once).

    ``math.exp(t)`` would otherwise call ``float(t)`` and drop the gradient;
    during ``trace_vjp`` the module attribute is swapped for a recording
    version.  ``from math import exp`` bindings are not reached: those raise a
    ``DifferentiationError`` naming the call instead.
    """
    if not _MATH_PATCHES:
        for name in dir(math):
            original = getattr(math, name)
            if callable(original) and vjp_rule(original) is not None:
                _MATH_PATCHES.append((math, name, _traced_math(name, original)))
    return _MATH_PATCHES


class _Globals:
    """A function's globals dict seen as an object, so patches can set attributes on it."""

    def __init__(self, namespace):
        object.__setattr__(self, "_namespace", namespace)

    def __getattr__(self, name):
        return self._namespace[name]

    def __setattr__(self, name, value):
        self._namespace[name] = value


def rule_patches(f):
    """Recording stand-ins for the Python functions ``f``'s module calls by name that
    have a registered rule or are declared non-differentiable.

    A Python function's body would otherwise be traced, bypassing the user's rule.
    """
    namespace = getattr(f, "__globals__", None)
    if namespace is None:
        return []
    module = _Globals(namespace)
    patches = []
    for name, value in list(namespace.items()):
        if not isinstance(value, types.FunctionType) or value is f:
            continue
        if vjp_rule(value) is not None or is_nondifferentiable(value):
            patches.append((module, name, _traced_math(name, value)))
    return patches


def _plain_value(value):
    if isinstance(value, Tensor):
        data = value._data
        return data[()] if data.ndim == 0 else data
    return value


def _seeds(outputs, seed, several):
    """One cotangent per output, checked against its shape."""
    if several:
        if seed is None:
            raise DifferentiationError(
                f"grad needs a scalar output, but the function returned {len(outputs)} values; "
                "use srcdiff.vjp with a tuple of seeds, one for each"
            )
        if not isinstance(seed, (tuple, list)) or len(seed) != len(outputs):
            raise DifferentiationError(
                f"the function returned {len(outputs)} values; the seed of its vjp must be a "
                "tuple with one cotangent for each"
            )
        return [_seed_for(o, s) for o, s in zip(outputs, seed)]
    return [_seed_for(outputs[0], seed)]


def _seed_for(out, seed):
    value = _plain_value(out)
    shape = np.shape(value)
    if seed is None:
        if shape != ():
            raise DifferentiationError(
                f"grad needs a scalar output, but the function returned an array of shape "
                f"{shape}; use srcdiff.vjp with a seed of that shape"
            )
        return np.ones((), dtype=np.result_type(value, np.float32))
    seed_array = np.asarray(seed._data if isinstance(seed, Tensor) else seed)
    if seed_array.shape != shape:
        raise DifferentiationError(
            f"the seed has shape {seed_array.shape} but the output has shape {shape}; "
            "a seed (cotangent) must have the output's shape"
        )
    return seed_array


def trace_vjp(f, args, kwargs, wrt, seed):
    """Run ``f(*args, **kwargs)`` on Tensors; return ``(value, gradients)``.

    ``gradients`` holds one NumPy value per index in ``wrt``, shaped like that
    argument: d(output)/d(argument) contracted with ``seed``.  ``seed`` None
    means the output must be a scalar, with implicit seed 1; a function that
    returns a tuple of values takes a tuple of seeds.
    """
    args = list(args)
    leaves = []
    # Python and NumPy scalars get scalar gradients; arrays (0-d too) get arrays.
    scalars = [
        not isinstance(args[p], (np.ndarray, Tensor)) for p in wrt if -len(args) <= p < len(args)
    ]
    for position in wrt:
        if not -len(args) <= position < len(args):
            raise DifferentiationError(
                f"wrt={position} is out of range for a call with {len(args)} positional arguments"
            )
        leaf = _leaf_for(args[position], position)
        args[position] = leaf
        leaves.append(leaf)
    # math.exp(t) records, and np.zeros & co. give Tensors, so `a[i] = t` records too.
    with strict_tracing(math_patches() + factory_patches() + rule_patches(f)):
        out = f(*args, **(kwargs or {}))
    if isinstance(out, dict):
        raise DifferentiationError(
            "the function returned a dict; the tracing mode differentiates functions that "
            "return an array, a number, or a tuple or list of them"
        )
    several = isinstance(out, (tuple, list))
    outputs = list(out) if several else [out]
    seeds = _seeds(outputs, seed, several)
    captured = {leaf._accumulator(): None for leaf in leaves}
    roots = [(o, s) for o, s in zip(outputs, seeds) if isinstance(o, Tensor) and o._requires_grad]
    if roots:
        tensors, cotangents = [o for o, _ in roots], [s for _, s in roots]
        run_backward(tensors, cotangents, retain_graph=False, capture=captured)
    value = type(out)(_plain_value(o) for o in outputs) if several else _plain_value(out)
    gradients = []
    for leaf, scalar in zip(leaves, scalars):
        g = captured[leaf._accumulator()]
        if g is None:
            g = np.zeros(leaf._data.shape, leaf._data.dtype)
        else:
            g = np.array(g, dtype=leaf._data.dtype)
        gradients.append(g[()] if scalar else g)
    return value, tuple(gradients)
