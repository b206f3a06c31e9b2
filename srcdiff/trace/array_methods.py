"""Tensor's NumPy-array methods with a rule elsewhere in the table: selections, scans, sorting,
and the complex-part views.

``t.take``, ``t.diagonal``, ``t.cumprod``, ``t.conj()``, ``t.real``, ``t.imag``,
``t.sort`` ... accept NumPy's keywords and PyTorch's (``dim``, ``dim1``); each
maps onto the NumPy function whose rule differentiates it.  ``sort`` and
``partition`` sort in place and return None under ``trace_vjp`` (NumPy's
meaning); elsewhere ``sort`` returns ``(values, indices)`` as PyTorch's does.
Index results (``argsort``, ``nonzero`` ...) carry no gradient.
"""

import numpy as np

from srcdiff.trace.dispatch import apply_inplace, apply_op
from srcdiff.trace.grad_mode import GRAD_STATE
from srcdiff.trace.reductions import ReturnTypes


class _Sort(ReturnTypes):
    __slots__ = ()
    kind = "sort"


def _pick(torch_value, numpy_value, default):
    """The value given under either spelling, else ``default``."""
    if numpy_value is not None:
        return numpy_value
    return default if torch_value is None else torch_value


class TensorArrayMethods:
    """Mixin with the array methods whose rules live in the table's later families."""

    __slots__ = ()

    @property
    def real(self):
        """The real part: the Tensor's values (srcdiff's values are real)."""
        return apply_op(np.real, (self,))

    @property
    def imag(self):
        """The imaginary part: zeros, which carry no gradient back."""
        return apply_op(np.imag, (self,))

    def conj(self):
        """The complex conjugate: the same values."""
        return apply_op(np.conj, (self,))

    conjugate = conj

    def fill(self, value):
        """``a.fill(v)``: every element set to ``v``, as ``a[...] = v`` (NumPy's meaning)."""
        self[...] = value

    def take(self, indices, axis=None, out=None, mode="raise"):
        """Entries at ``indices`` of the flattened Tensor, or along ``axis``."""
        indices = getattr(indices, "_data", indices)
        return apply_op(np.take, (self, indices), {"axis": axis, "mode": mode})

    def diagonal(self, offset=0, axis1=None, axis2=None, *, dim1=None, dim2=None):
        """The diagonal ``offset`` of the matrices on ``axis1``/``axis2`` (``dim1``/``dim2``)."""
        axis1, axis2 = _pick(dim1, axis1, 0), _pick(dim2, axis2, 1)
        return apply_op(np.diagonal, (self, offset, axis1, axis2))

    def cumprod(self, dim=None, *, axis=None, dtype=None):
        """Cumulative product along ``dim`` / ``axis`` (of the flattened Tensor when None)."""
        return apply_op(np.cumprod, (self, _pick(dim, axis, None)))

    def sort(self, dim=None, descending=False, *, axis=None, kind=None, stable=None):
        """NumPy's in-place sort under ``trace_vjp``, else PyTorch's ``(values, indices)``."""
        axis = _pick(dim, axis, -1)
        if GRAD_STATE.flags.strict:
            apply_inplace(self, np.sort, (axis,))
            return None
        indices = np.argsort(self._data, axis=axis, kind="stable")
        values = apply_op(np.sort, (self, axis))
        if descending:
            indices = np.flip(indices, axis)
            values = apply_op(np.flip, (values, axis))
        return _Sort(values, self._new_plain(indices))

    def partition(self, kth, axis=-1, kind="introselect", order=None):
        """NumPy's in-place partition: the ``kth`` entries in their sorted places."""
        apply_inplace(self, np.partition, (kth, axis))

    def argsort(self, axis=-1, kind=None, order=None, *, dim=None, descending=False):
        """The indices that sort along ``axis`` (no gradient)."""
        order_ = np.argsort(self._data, axis=_pick(dim, axis, -1), kind=kind)
        return self._new_plain(np.flip(order_, _pick(dim, axis, -1)) if descending else order_)

    def argpartition(self, kth, axis=-1, kind="introselect", order=None):
        """The indices that partition along ``axis`` (no gradient)."""
        return self._new_plain(np.argpartition(self._data, kth, axis=axis, kind=kind))

    def nonzero(self):
        """The indices of the nonzero entries (no gradient)."""
        return tuple(self._new_plain(i) for i in np.nonzero(self._data))

    def searchsorted(self, v, side="left", sorter=None):
        """Where ``v`` would be inserted to keep the order (no gradient)."""
        return self._new_plain(np.searchsorted(self._data, getattr(v, "_data", v), side, sorter))

    def round(self, decimals=0):
        """Rounded values: piecewise constant, so no gradient."""
        return apply_op(np.round, (self, decimals))
