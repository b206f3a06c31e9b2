"""A list or tuple argument of a traced function: Python's container, NumPy's array.

Each item of a differentiated list is a leaf Tensor of its own, so the list
keeps Python's meaning (``xs + ys`` joins, ``xs * 2`` repeats, items may have
different shapes).  Where NumPy reads the list as one array (``np.sum(xs)``,
``np.mean(xs, axis=0)``, ``np.exp(xs)``), the container's ``__array_function__``
and ``__array_ufunc__`` stack its items first, so the gradient flows back to
each of them instead of being dropped by a conversion to ndarray.
"""


def _as_arrays(values):
    from srcdiff.trace.facades import stacked  # facades reach this module through dispatch

    return [stacked(v) if isinstance(v, _Items) else v for v in values]


class _Items:
    """Behaves as a Tensor of its stacked items when given to NumPy."""

    __slots__ = ()

    def __array_function__(self, func, types, args, kwargs):
        return func(*_as_arrays(args), **dict(zip(kwargs, _as_arrays(kwargs.values()))))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return getattr(ufunc, method)(*_as_arrays(inputs), **kwargs)


class TensorList(_Items, list):
    """A differentiated list argument whose items are leaf Tensors (or such lists)."""


class TensorTuple(_Items, tuple):
    """A differentiated tuple argument whose items are leaf Tensors (or such tuples)."""


def container_like(value, items):
    """``items`` in a container of ``value``'s kind (a list or a tuple)."""
    return TensorTuple(items) if isinstance(value, tuple) else TensorList(items)
