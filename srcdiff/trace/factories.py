"""Functions that make leaf Tensors: ``tensor``, ``ones``, ``zeros``, ``rand`` ...

Dtypes follow PyTorch: Python floats give float32 (the default dtype),
Python ints int64, bools bool; a NumPy array or scalar keeps its dtype.
``requires_grad=True`` on an integer result raises PyTorch's error.  Random
factories draw from NumPy's global generator, so ``np.random.seed`` makes
them reproducible.
"""

import warnings

import numpy as np

from srcdiff.trace import messages
from srcdiff.trace.tensor import Tensor, make_tensor

DEFAULT_DTYPE = np.dtype(np.float32)


def get_default_dtype():
    """The dtype of factories given Python floats: float32, as in PyTorch."""
    return DEFAULT_DTYPE


def as_array(data, dtype):
    """A fresh ndarray for ``data`` with PyTorch's dtype inference."""
    if isinstance(data, Tensor):
        warnings.warn(messages.COPY_CONSTRUCT_WARNING, UserWarning, stacklevel=3)
        data = data._data
    if isinstance(data, (np.ndarray, np.generic)):
        return np.array(data, dtype=dtype, copy=True)
    if isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in data):
        data = [d._data if isinstance(d, Tensor) else d for d in data]
    array = np.array(data, dtype=dtype)
    if dtype is None and array.dtype.kind == "f" and not _holds_numpy_floats(data):
        array = array.astype(DEFAULT_DTYPE)
    elif dtype is None and array.dtype.kind in "iu":
        array = array.astype(np.int64)
    return array


def _holds_numpy_floats(data):
    """True when a (nested) list holds NumPy float64 scalars, which keep their dtype."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, np.floating) and item.dtype != DEFAULT_DTYPE:
            return True
    return False


def _leaf(array, requires_grad):
    t = make_tensor(array, False, None)
    if requires_grad:
        if array.dtype.kind not in "fc":
            raise RuntimeError(messages.INT_AT_CONSTRUCTION)
        t._requires_grad = True
    return t


def _shape(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(size[0])
    return tuple(size)


def tensor(data, dtype=None, requires_grad=False):
    """A new leaf Tensor holding a copy of ``data``."""
    return _leaf(as_array(data, dtype), requires_grad)


def as_tensor(data, dtype=None):
    """A Tensor around ``data``, sharing an ndarray's memory when the dtype fits."""
    if isinstance(data, Tensor) and (dtype is None or np.dtype(dtype) == data.dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or np.dtype(dtype) == data.dtype):
        return make_tensor(data, False, None)
    return tensor(data, dtype)


def from_numpy(array):
    """A Tensor sharing ``array``'s memory (``requires_grad=False``)."""
    return make_tensor(np.asarray(array), False, None)


def ones(*size, dtype=None, requires_grad=False):
    """A Tensor of ones (float32 unless ``dtype``)."""
    return _leaf(np.ones(_shape(size), dtype or DEFAULT_DTYPE), requires_grad)


def zeros(*size, dtype=None, requires_grad=False):
    """A Tensor of zeros (float32 unless ``dtype``)."""
    return _leaf(np.zeros(_shape(size), dtype or DEFAULT_DTYPE), requires_grad)


def empty(*size, dtype=None, requires_grad=False):
    """An uninitialised Tensor (here: zeros)."""
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False):
    """A Tensor filled with ``fill_value``; its dtype follows the value's Python type."""
    if dtype is None:
        dtype = as_array(fill_value, None).dtype
    return _leaf(
        np.full(_shape((size,)) if np.ndim(size) else (size,), fill_value, dtype), requires_grad
    )


def ones_like(t, dtype=None, requires_grad=False):
    """Ones with ``t``'s shape and dtype."""
    return _leaf(np.ones(t.shape, dtype or t.dtype), requires_grad)


def zeros_like(t, dtype=None, requires_grad=False):
    """Zeros with ``t``'s shape and dtype."""
    return _leaf(np.zeros(t.shape, dtype or t.dtype), requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    """The identity matrix (``n`` x ``m``)."""
    return _leaf(np.eye(n, m, dtype=dtype or DEFAULT_DTYPE), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    """Evenly spaced values; float32 when any bound is a float, else int64."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        floats = any(isinstance(v, float) for v in (start, end, step))
        dtype = DEFAULT_DTYPE if floats else np.int64
    return _leaf(np.arange(start, end, step, dtype=dtype), requires_grad)


def rand(*size, dtype=None, requires_grad=False):
    """Uniform samples in [0, 1)."""
    return _leaf(
        np.random.random_sample(_shape(size)).astype(dtype or DEFAULT_DTYPE), requires_grad
    )


def randn(*size, dtype=None, requires_grad=False):
    """Standard normal samples."""
    return _leaf(
        np.random.standard_normal(_shape(size)).astype(dtype or DEFAULT_DTYPE), requires_grad
    )
