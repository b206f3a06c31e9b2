"""NumPy's array factories as the user's code sees them inside ``trace_vjp``.

``a = np.zeros(n); a[i] = x[i] ** 2`` cannot work on an ndarray: NumPy would
store the Tensor's value and drop its gradient.  So while ``trace_vjp`` runs,
``np.zeros``, ``np.ones``, ``np.array`` ... are swapped (like ``math.exp``,
see ``api.py``) for versions that return plain Tensors (``requires_grad``
False) to the user's code; a later ``a[i] = t`` then records ``CopySlices``
and ``a += t`` an in-place add, exactly as on any Tensor.

Only calls made from the user's code are answered with Tensors: NumPy itself,
srcdiff and anything installed still get ndarrays (``user_code.py`` decides,
from the calling frame).  Names
bound with ``from numpy import zeros`` are not reached (they keep NumPy's
behaviour).  ``trace_vjp`` turns a Tensor result back into NumPy before the
caller sees it.
"""

import sys

import numpy as np

from srcdiff.trace.dispatch import apply_op
from srcdiff.trace.tensor import Tensor, make_tensor
from srcdiff.trace.user_code import is_user_file

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
)
_PATCHES = []


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


def _stacked(data):
    """``np.array(data)`` for nested lists holding Tensors: stacks, so gradients flow."""
    if isinstance(data, (list, tuple)):
        return apply_op(np.stack, ([_stacked(item) for item in data],))
    return data


def _traced_shaped(name, original):
    def factory(*args, **kwargs):
        if not is_user_file(sys._getframe(1).f_code.co_filename):
            return original(*args, **kwargs)
        fill = args[1] if name.startswith("full") and len(args) > 1 else kwargs.get("fill_value")
        if isinstance(fill, Tensor) and fill._requires_grad:
            # NumPy converts the fill value, which raises trace_vjp's "leaves the graph" error.
            return original(*args, **kwargs)
        args = [_plain(a) for a in args]
        kwargs = {key: _plain(value) for key, value in kwargs.items()}
        return _wrap(original(*args, **kwargs))

    return factory


def _traced_array(name, original):
    copies = name == "array"

    def factory(*args, **kwargs):
        if not args or not is_user_file(sys._getframe(1).f_code.co_filename):
            return original(*args, **kwargs)
        data, dtype = args[0], kwargs.get("dtype", args[1] if len(args) > 1 else None)
        simple = len(args) <= 2 and set(kwargs) <= {"dtype", "copy"}
        if simple and isinstance(data, Tensor):
            copy = kwargs.get("copy", copies)
            if dtype is not None and np.dtype(dtype) != data._data.dtype:
                return data.to(dtype)
            return data.clone() if copy else data
        if simple and isinstance(data, (list, tuple)) and _holds_tensor(data):
            result = _stacked(data)
            return result if dtype is None else result.to(dtype)
        return _wrap(original(*args, **kwargs))

    return factory


def factory_patches():
    """``(numpy, name, replacement)`` for each factory ``trace_vjp`` swaps (built once)."""
    if not _PATCHES:
        for name in _SHAPED:
            _PATCHES.append((np, name, _traced_shaped(name, getattr(np, name))))
        for name in ("array", "asarray"):
            _PATCHES.append((np, name, _traced_array(name, getattr(np, name))))
        for _, name, replacement in _PATCHES:
            original = getattr(np, name)
            replacement.__name__ = name
            replacement.__qualname__ = name
            replacement.__doc__ = original.__doc__
            replacement.__wrapped__ = original
    return _PATCHES
