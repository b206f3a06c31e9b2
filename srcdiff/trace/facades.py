"""NumPy and ``math`` as the traced function sees them: module facades, never patches.

``a = np.zeros(n); a[i] = x[i] ** 2`` cannot work on an ndarray: NumPy would
store the Tensor's value and drop its gradient, and ``math.exp(t)`` would call
``float(t)``.  So the function ``trace_vjp`` runs reads ``np`` and ``math``
through its own namespace (``namespace.py``), in which they are the facades
built here; the real modules are never modified, so NumPy's own code, other
threads and C extensions always see NumPy as it is.

- ``NUMPY``: a module object holding NumPy's attributes, except that the
  factories (``zeros``, ``ones``, ``empty``, ``full``, their ``*_like``,
  ``eye``, ``array``, ``asarray``) return plain Tensors (``requires_grad``
  False) for numeric results; a later ``a[i] = t`` records ``CopySlices`` and
  ``a += t`` an in-place update, exactly as on any Tensor.  Everything else is
  NumPy's own object (``np.linalg.inv(t)`` reaches the Tensor through
  ``__array_function__``; ``np.random`` draws plain arrays, which carry no
  gradient).
- ``math_facade()``: ``math`` with its functions that have a rule recording
  on Tensors, and the others refusing a Tensor that requires grad with a
  message naming the function (built again whenever the rule table changes).
- ``FACTORIES`` maps each NumPy factory and ``math`` function to its
  replacement, so ``from numpy import zeros`` bindings are translated too.
"""

import math
import types

import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.rules import registry, vjp_rule
from srcdiff.trace.dispatch import apply_op
from srcdiff.trace.tensor import Tensor, make_tensor
from srcdiff.trace.user_code import user_line

# Factories that make an array from a shape or a prototype (never a gradient path).
_SHAPED = (
    "zeros",
    "ones",
    "empty",
    "full",
    "zeros_like",
    "ones_like",
    "empty_like",
    "full_like",
    "eye",
    "identity",
    "arange",
    "tri",
    "indices",
)


def _plain(value):
    return value._data if isinstance(value, Tensor) else value


def _wrap(result):
    """A numeric ndarray as a plain Tensor; anything else (strings, objects) unchanged."""
    if type(result) is np.ndarray and result.dtype.kind in "biufc":
        return make_tensor(result, False, None)
    return result


def _holds_tensor(data):
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, Tensor):
            return True
        if isinstance(item, (list, tuple)):
            stack.extend(item)
    return False


def stacked(data):
    """``np.array(data)`` for nested lists holding Tensors: stacks, so gradients flow."""
    if isinstance(data, (list, tuple)):
        return apply_op(np.stack, ([stacked(item) for item in data],))
    return data


def _shaped_factory(name, original):
    def factory(*args, **kwargs):
        fill = args[1] if name.startswith("full") and len(args) > 1 else kwargs.get("fill_value")
        if isinstance(fill, Tensor) and fill._requires_grad:
            if name in ("full", "full_like"):  # rules give the fill value the sum of g
                return apply_op(original, args, kwargs)
            # NumPy converts the fill value, which raises trace_vjp's "leaves the graph" error.
            return original(*args, **kwargs)
        args = [_plain(a) for a in args]
        kwargs = {key: _plain(value) for key, value in kwargs.items()}
        return _wrap(original(*args, **kwargs))

    return factory


def _array_factory(name, original):
    copies = name in ("array", "copy")

    def factory(*args, **kwargs):
        if not args:
            return original(*args, **kwargs)
        data, dtype = args[0], kwargs.get("dtype", args[1] if len(args) > 1 else None)
        simple = len(args) <= 2 and set(kwargs) <= {"dtype", "copy"}
        if simple and isinstance(data, Tensor):
            copy = kwargs.get("copy", copies)
            if dtype is not None and np.dtype(dtype) != data._data.dtype:
                return data.to(dtype)
            return data.clone() if copy else data
        if simple and isinstance(data, (list, tuple)) and _holds_tensor(data):
            result = stacked(data)
            return result if dtype is None else result.to(dtype)
        return _wrap(original(*args, **kwargs))

    return factory


def _named(replacement, original, name):
    replacement.__name__ = name
    replacement.__qualname__ = name
    replacement.__doc__ = original.__doc__
    replacement.__module__ = getattr(original, "__module__", None)
    return replacement


def _numpy_facade():
    facade = types.ModuleType("numpy", np.__doc__)
    facade.__dict__.update(vars(np))
    facade.__getattr__ = lambda name: getattr(np, name)  # NumPy's lazily loaded submodules
    replacements = {}
    for name in _SHAPED:
        original = getattr(np, name)
        replacements[original] = _named(_shaped_factory(name, original), original, name)
    for name in ("array", "asarray", "copy"):
        original = getattr(np, name)
        replacements[original] = _named(_array_factory(name, original), original, name)
    for replacement in replacements.values():
        setattr(facade, replacement.__name__, replacement)
    return facade, replacements


NUMPY, FACTORIES = _numpy_facade()


def _recording_math(name, original):
    """``math.<name>`` that records when given a Tensor and is itself otherwise."""

    def recorded(*args, **kwargs):
        for a in args:
            if isinstance(a, Tensor):
                return apply_op(original, args, kwargs)
        return original(*args, **kwargs)

    return _named(recorded, original, name)


def _refusing_math(name, original):
    """``math.<name>`` without a rule: refuses a Tensor that requires grad, by name."""
    numpy = f"use np.{name}" if hasattr(np, name) else "write it with NumPy functions"

    def refusing(*args, **kwargs):
        for a in args:
            if isinstance(a, Tensor) and a._requires_grad:
                raise DifferentiationError(
                    f"math.{name} has no VJP rule, so it cannot be applied to a Tensor that "
                    f"requires grad{user_line()}: it would convert it to a Python float and "
                    f"drop its gradient; {numpy}, or register a rule with "
                    f"srcdiff.register_vjp(math.{name}, rule)"
                )
        return original(*args, **kwargs)

    return _named(refusing, original, name)


_MATH = {}


def math_facade():
    """``(facade module, {math function: replacement})`` for the current rule table."""
    version = registry.version()
    built = _MATH.get("built")
    if built is not None and built[0] == version:
        return built[1], built[2]
    facade = types.ModuleType("math", math.__doc__)
    facade.__dict__.update(vars(math))
    replacements = {}
    for name, original in vars(math).items():
        if callable(original) and not name.startswith("_"):
            make = _recording_math if vjp_rule(original) is not None else _refusing_math
            replacements[original] = replacement = make(name, original)
            setattr(facade, name, replacement)
    _MATH["built"] = (version, facade, replacements)
    return facade, replacements
