"""How Python operators, indexing and NumPy functions reach a Tensor's graph.

``a + b``, ``a[i]``, ``a[i] = v``, ``a += b`` and comparisons are methods of
``TensorOperators``; ``np.exp(t)`` and ``np.sum(t, axis=0)`` arrive through
NumPy's ``__array_ufunc__`` / ``__array_function__`` hooks.  All of them hand
the work to ``dispatch.py``: this module only decides which NumPy function an
operator means (``c / a`` is ``c * reciprocal(a)``, as PyTorch records it) and
which calls never carry a gradient (queries such as ``np.shape``, comparisons).
"""

import operator

import numpy as np

from srcdiff.errors import DifferentiationError
from srcdiff.rules import vjp_rule
from srcdiff.trace import dispatch, numpy_writes
from srcdiff.trace.dispatch import apply_inplace, apply_op, apply_setitem, unwrap_index
from srcdiff.trace.grad_mode import GRAD_STATE

# Functions that only ask about an array (never carry a gradient), whatever the rule table says.
_QUERIES = frozenset(
    {
        np.shape,
        np.ndim,
        np.size,
        np.result_type,
        np.zeros_like,
        np.ones_like,
        np.empty_like,
        np.argmax,
        np.argmin,
        np.argsort,
        np.nonzero,
        np.isclose,
        np.allclose,
        np.array_equal,
        np.iscomplexobj,
        np.isrealobj,
        np.count_nonzero,
    }
)
_BOOL_UFUNCS = frozenset(
    {
        np.equal,
        np.not_equal,
        np.less,
        np.less_equal,
        np.greater,
        np.greater_equal,
        np.logical_and,
        np.logical_or,
        np.logical_not,
        np.logical_xor,
        np.isnan,
        np.isinf,
        np.isfinite,
        np.signbit,
    }
)


def _plain(value):
    return value._data if isinstance(value, TensorOperators) else value


def _compare(ufunc):
    def compare(self, other):
        return self._new_plain(ufunc(self._data, _plain(other)))

    compare.__name__ = f"__{ufunc.__name__}__"
    compare.__doc__ = f"Elementwise ``np.{ufunc.__name__}``: a Tensor never in the graph."
    return compare


class TensorOperators:
    """Mixin with Tensor's operators and NumPy hooks; every result comes from ``dispatch``."""

    __slots__ = ()
    __array_priority__ = 1000.0

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, index):
        return apply_op(operator.getitem, (self, unwrap_index(index)))

    def __setitem__(self, index, value):
        apply_setitem(self, index, value)

    # ------------------------------------------------------------------ operators
    def __add__(self, other):
        return apply_op(np.add, (self, other))

    def __radd__(self, other):
        return apply_op(np.add, (self, other))

    def __sub__(self, other):
        return apply_op(np.subtract, (self, other))

    def __rsub__(self, other):
        return apply_op(np.subtract, (other, self))

    def __mul__(self, other):
        return apply_op(np.multiply, (self, other))

    def __rmul__(self, other):
        return apply_op(np.multiply, (self, other))

    def __truediv__(self, other):
        return apply_op(np.true_divide, (self, other))

    def __rtruediv__(self, other):
        # PyTorch records ``c / a`` as ``c * reciprocal(a)``: MulBackward0 -> ReciprocalBackward0.
        return apply_op(
            np.multiply, (apply_op(np.true_divide, (1.0, self), via="reciprocal"), other)
        )

    def __pow__(self, other):
        return apply_op(np.power, (self, other))

    def __rpow__(self, other):
        return apply_op(np.power, (other, self))

    def __matmul__(self, other):
        return apply_op(np.matmul, (self, other))

    def __rmatmul__(self, other):
        return apply_op(np.matmul, (other, self))

    def __neg__(self):
        return apply_op(np.negative, (self,))

    def __pos__(self):
        return self

    def __abs__(self):
        return apply_op(np.abs, (self,))

    def __round__(self, ndigits=None):
        # Builtin round has no array form: NumPy rounds, the rule of round (if any) applies.
        args = (self,) if ndigits is None else (self, ndigits)
        return apply_op(np.round, args, rule=vjp_rule(round))

    def __floordiv__(self, other):
        return self._new_plain(np.floor_divide(self._data, _plain(other)))

    def __mod__(self, other):
        return apply_op(np.remainder, (self, other))

    def __rmod__(self, other):
        return apply_op(np.remainder, (other, self))

    def __iadd__(self, other):
        return apply_inplace(self, np.add, (other,))

    def __isub__(self, other):
        return apply_inplace(self, np.subtract, (other,))

    def __imul__(self, other):
        return apply_inplace(self, np.multiply, (other,))

    def __itruediv__(self, other):
        return apply_inplace(self, np.true_divide, (other,))

    __and__ = __rand__ = _compare(np.bitwise_and)
    __or__ = __ror__ = _compare(np.bitwise_or)
    __xor__ = __rxor__ = _compare(np.bitwise_xor)

    def __invert__(self):
        return self._new_plain(np.invert(self._data))

    __eq__ = _compare(np.equal)
    __ne__ = _compare(np.not_equal)
    __lt__ = _compare(np.less)
    __le__ = _compare(np.less_equal)
    __gt__ = _compare(np.greater)
    __ge__ = _compare(np.greater_equal)

    # ------------------------------------------------------------------ NumPy protocol
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "__call__" and "out" not in kwargs:
            if ufunc in _BOOL_UFUNCS:
                return self._new_plain(ufunc(*map(_plain, inputs), **kwargs))
            return apply_op(ufunc, inputs, kwargs)
        out = kwargs.get("out")
        target = out[0] if isinstance(out, tuple) and len(out) == 1 else out
        if (
            method == "__call__"
            and inputs
            and target is inputs[0]
            and isinstance(target, TensorOperators)
        ):
            # np.add(a, b, out=a) is a += b
            rest = {key: value for key, value in kwargs.items() if key != "out"}
            return apply_inplace(target, ufunc, inputs[1:], rest)
        if GRAD_STATE.flags.enabled and any(
            isinstance(x, TensorOperators) and x._requires_grad for x in inputs
        ):
            if method == "__call__":
                raise DifferentiationError(
                    f"np.{ufunc.__name__} with out= is not recorded by the tracing mode: NumPy "
                    "would write the result into that array and drop its gradient (this is also "
                    "what `a += t` does when `a` is a NumPy array, not one made by np.zeros & co. "
                    "in the differentiated code); write `a = a + t`, or copy the array first "
                    "with np.array(a)"
                )
            raise DifferentiationError(
                f"np.{ufunc.__name__}.{method} is not recorded by the tracing mode; call the "
                "plain function (np.sum, np.cumsum, ...) instead"
            )
        target = inputs[0] if inputs else None
        if method == "at" and GRAD_STATE.flags.strict and isinstance(target, TensorOperators):
            rest = [_plain(x) for x in inputs[1:]]
            return numpy_writes.strict_write(target, lambda data: ufunc.at(data, *rest, **kwargs))
        out = kwargs.pop("out", None)
        result = getattr(ufunc, method)(*map(_plain, inputs), **kwargs)
        if out is not None:
            target = out[0] if isinstance(out, tuple) else out
            if isinstance(target, TensorOperators):
                apply_inplace(target, lambda old, new: new, (result,))
                return target
            target[...] = result
            return target
        return dispatch.wrap_plain(result)

    def __array_function__(self, func, types, args, kwargs):
        if func in _QUERIES:
            args = [_plain(a) for a in args]
            return dispatch.wrap_plain(func(*args, **kwargs))
        return apply_op(func, args, kwargs)
