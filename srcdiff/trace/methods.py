"""Tensor's named methods: math, products, shapes, copies, in-place updates.

Each method maps PyTorch's spelling (``dim``, ``keepdim``, ``t()``,
``unsqueeze``) onto the NumPy function whose rule-table entry differentiates
it, and passes ``via`` when PyTorch names the node after the method rather
than the function (``a.t()`` is ``TBackward0``, ``a.T`` ``PermuteBackward0``).
No derivative lives here.
"""

import numpy as np

from srcdiff.rules import vjp_rule
from srcdiff.trace.dispatch import apply_inplace, apply_op, check_inplace
from srcdiff.trace.grad_mode import GRAD_STATE


def _dims(args):
    """``f(1, 2)`` and ``f((1, 2))`` both mean the tuple ``(1, 2)``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def _unary(fn, doc):
    def method(self):
        return apply_op(fn, (self,))

    method.__name__ = fn.__name__
    method.__doc__ = doc
    return method


class _Size(int):
    """NumPy's ``a.size`` (an int) that also answers PyTorch's ``t.size()`` / ``t.size(dim)``."""

    def __new__(cls, count, shape):
        self = super().__new__(cls, count)
        self._shape = shape
        return self

    def __call__(self, dim=None):
        return self._shape if dim is None else self._shape[dim]


class TensorMethods:
    """Mixin with Tensor's PyTorch-named methods; every one records through ``apply_op``."""

    __slots__ = ()

    # ---------------------------------------------------------------- sizes
    @property
    def size(self):
        """``t.size()`` is the shape, ``t.size(0)`` a length, and plain ``t.size`` NumPy's count."""
        return _Size(self._data.size, self._data.shape)

    def dim(self):
        """Number of dimensions."""
        return self._data.ndim

    def numel(self):
        """Number of elements."""
        return self._data.size

    # ---------------------------------------------------------------- elementwise
    exp = _unary(np.exp, "Elementwise e**x.")
    log = _unary(np.log, "Elementwise natural logarithm.")
    log1p = _unary(np.log1p, "Elementwise log(1 + x).")
    sin = _unary(np.sin, "Elementwise sine.")
    cos = _unary(np.cos, "Elementwise cosine.")
    tan = _unary(np.tan, "Elementwise tangent.")
    tanh = _unary(np.tanh, "Elementwise hyperbolic tangent.")
    sqrt = _unary(np.sqrt, "Elementwise square root.")
    abs = _unary(np.abs, "Elementwise absolute value.")
    sign = _unary(np.sign, "Elementwise sign (no gradient).")
    square = _unary(np.square, "Elementwise x**2.")
    neg = _unary(np.negative, "Elementwise -x.")

    def reciprocal(self):
        """Elementwise 1/x (``ReciprocalBackward0``)."""
        return apply_op(np.true_divide, (1.0, self), via="reciprocal")

    def relu(self):
        """max(x, 0) with relu'(0) = 0, as PyTorch (``ReluBackward0``)."""
        return apply_op(np.where, (self._data > 0, self, 0.0), via="relu")

    def clamp(self, min=None, max=None):
        """Clip into ``[min, max]``; the gradient passes at both bounds."""
        return apply_op(np.clip, (self, min, max))

    def clip(self, min=None, max=None, *, a_min=None, a_max=None):
        """NumPy's and PyTorch's spelling of ``clamp``."""
        return self.clamp(min if a_min is None else a_min, max if a_max is None else a_max)

    def pow(self, exponent):
        """Elementwise power."""
        return apply_op(np.power, (self, exponent))

    def add(self, other, alpha=1):
        """``self + alpha * other``."""
        return apply_op(np.add, (self, other if alpha == 1 else other * alpha))

    def sub(self, other, alpha=1):
        """``self - alpha * other``."""
        return apply_op(np.subtract, (self, other if alpha == 1 else other * alpha))

    def mul(self, other):
        """Elementwise product."""
        return apply_op(np.multiply, (self, other))

    def div(self, other):
        """Elementwise quotient."""
        return apply_op(np.true_divide, (self, other))

    def maximum(self, other):
        """Elementwise maximum; ties split the gradient."""
        return apply_op(np.maximum, (self, other))

    def minimum(self, other):
        """Elementwise minimum; ties split the gradient."""
        return apply_op(np.minimum, (self, other))

    def masked_fill(self, mask, value):
        """``value`` where ``mask`` is true, else self (``MaskedFillBackward0``)."""
        mask = getattr(mask, "_data", mask)
        return apply_op(np.where, (mask, value, self), via="masked_fill")

    # ---------------------------------------------------------------- products
    def matmul(self, other):
        """Matrix product, as ``@``."""
        return apply_op(np.matmul, (self, other))

    mm = mv = matmul

    def dot(self, other):
        """Inner product of two vectors (``DotBackward0``)."""
        return apply_op(np.dot, (self, other))

    def eq(self, other):
        """Elementwise ``==``."""
        return self == other

    # ---------------------------------------------------------------- shapes
    def reshape(self, *shape):
        """Same data, new shape (``ViewBackward0``)."""
        return apply_op(np.reshape, (self, _dims(shape)))

    def view(self, *shape):
        """``reshape`` that refuses to copy, as PyTorch's ``view``."""
        shape = _dims(shape)
        if not self._data.flags.c_contiguous and self._data.ndim > 1:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least "
                "one dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            )
        return apply_op(np.reshape, (self, shape))

    def flatten(self):
        """All elements in one dimension (``ViewBackward0``)."""
        return apply_op(np.reshape, (self, (-1,)))

    def t(self):
        """Transpose of a matrix (``TBackward0``)."""
        return apply_op(np.transpose, (self,), via="t")

    def transpose(self, *dims):
        """PyTorch's ``transpose(d0, d1)`` swaps two dimensions; NumPy's reorders all of them."""
        if len(dims) == 2 and not GRAD_STATE.flags.strict:
            return apply_op(np.swapaxes, (self, *dims))
        return apply_op(np.transpose, (self, _dims(dims) or None))

    def swapaxes(self, axis1, axis2):
        """Swap two axes (``TransposeBackward0``)."""
        return apply_op(np.swapaxes, (self, axis1, axis2))

    def ravel(self):
        """All elements in one dimension (``ViewBackward0``)."""
        return apply_op(np.reshape, (self, (-1,)))

    def permute(self, *dims):
        """Reorder the dimensions (``PermuteBackward0``)."""
        return apply_op(np.transpose, (self, _dims(dims)))

    def squeeze(self, dim=None, *, axis=None):
        """Drop length-1 dimensions (``dim`` only when it has length 1, as PyTorch)."""
        if axis is not None:
            dim = axis
        elif dim is not None and not isinstance(dim, tuple) and self._data.shape[dim] != 1:
            dim = ()
        if dim is None:
            return apply_op(np.squeeze, (self,))
        return apply_op(np.squeeze, (self, dim))

    def unsqueeze(self, dim):
        """Insert a length-1 dimension at ``dim``."""
        return apply_op(np.expand_dims, (self, dim))

    def expand(self, *sizes):
        """Broadcast to ``sizes`` (-1 keeps a dimension)."""
        sizes = _dims(sizes)
        offset = len(sizes) - self._data.ndim
        shape = tuple(self._data.shape[i - offset] if n == -1 else n for i, n in enumerate(sizes))
        return apply_op(np.broadcast_to, (self, shape))

    def expand_as(self, other):
        """Broadcast to ``other``'s shape."""
        return apply_op(np.broadcast_to, (self, other.shape))

    def repeat(self, *reps, axis=None):
        """PyTorch's ``repeat`` tiles (``RepeatBackward0``); NumPy's repeats each element."""
        if axis is not None or GRAD_STATE.flags.strict:
            return apply_op(np.repeat, (self, *reps), {"axis": axis})
        return apply_op(np.tile, (self, _dims(reps)))

    def flip(self, *dims, axis=None):
        """Reverse the order along ``dims`` / ``axis`` (all axes when none given)."""
        dims = _dims(dims) or axis
        return apply_op(np.flip, (self, dims))

    # ---------------------------------------------------------------- copies and dtypes
    def clone(self):
        """A copy in the graph (``CloneBackward0``)."""
        return apply_op(np.positive, (self,), via="clone")

    def contiguous(self):
        """Self when already C-contiguous, else a copy in the graph."""
        if self._data.flags.c_contiguous:
            return self
        return self.clone()

    def to(self, dtype):
        """Self when ``dtype`` matches, else a converted copy (``ToCopyBackward0``)."""
        dtype = np.dtype(dtype)
        if dtype == self._data.dtype:
            return self
        if dtype.kind not in "fc":
            # An integer or bool result carries no gradient (PyTorch's ``.long()``).
            return self._new_plain(self._data.astype(dtype))
        return apply_op(np.positive, (self,), {"dtype": dtype}, via="to", rule=_convert_rule)

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True):
        """NumPy's ``astype``: ``to(dtype)``, a copy in the graph when the dtype matches.

        ``order`` and ``subok`` change no value; ``casting`` is checked as NumPy does.
        """
        dtype = np.dtype(dtype)
        if not np.can_cast(self._data.dtype, dtype, casting):
            raise TypeError(
                f"Cannot cast array data from {self._data.dtype!r} to {dtype!r} "
                f"according to the rule {casting!r}"
            )
        if dtype == self._data.dtype:
            return self.clone() if copy else self
        return self.to(dtype)

    def copy(self):
        """NumPy's spelling of ``clone()``."""
        return self.clone()

    def float(self):
        """As float32."""
        return self.to(np.float32)

    def double(self):
        """As float64."""
        return self.to(np.float64)

    # ---------------------------------------------------------------- in place
    def add_(self, other, alpha=1):
        """``self += alpha * other`` in place."""
        return apply_inplace(self, np.add, (other if alpha == 1 else other * alpha,))

    def sub_(self, other, alpha=1):
        """``self -= alpha * other`` in place."""
        return apply_inplace(self, np.subtract, (other if alpha == 1 else other * alpha,))

    def mul_(self, other):
        """``self *= other`` in place."""
        return apply_inplace(self, np.multiply, (other,))

    def div_(self, other):
        """``self /= other`` in place."""
        return apply_inplace(self, np.true_divide, (other,))

    def zero_(self):
        """Fill with zeros in place (works on ``.grad``)."""
        return self.fill_(0.0)

    def fill_(self, value):
        """Fill with ``value`` in place."""
        check_inplace(self)
        self[...] = value
        return self


def _convert_rule(g, ans, x, dtype=None):
    """The identity's rule from the table, its cotangent cast back to ``x``'s dtype (as PyTorch)."""
    (dx,) = vjp_rule(np.positive)(g, ans, x)
    return (np.asarray(dx).astype(x.dtype, copy=False),)
