"""``Tensor``: a NumPy array plus PyTorch's autograd attributes.

This module owns the class's state: attributes (``grad``, ``requires_grad``,
``is_leaf`` ...), ``backward`` and the conversions out of the graph.  Python
operators, indexing and the NumPy hooks are in ``operators.py``, the named
methods in ``methods.py``, ``reductions.py`` and ``array_methods.py``; recording an operation is
``dispatch.py``'s job and the backward pass ``graph.py``'s.
"""

import warnings
import weakref

import numpy as np

from srcdiff.rules.helpers import values_of
from srcdiff.trace import dispatch, higher, messages
from srcdiff.trace.array_methods import TensorArrayMethods
from srcdiff.trace.dispatch import apply_op
from srcdiff.trace.formatting import tensor_repr
from srcdiff.trace.graph import AccumulateGrad
from srcdiff.trace.methods import TensorMethods
from srcdiff.trace.operators import TensorOperators
from srcdiff.trace.reductions import TensorReductions
from srcdiff.trace.user_code import leaving_graph


def _plain(value):
    return value._data if isinstance(value, Tensor) else value


class Tensor(TensorOperators, TensorMethods, TensorReductions, TensorArrayMethods):
    """An n-dimensional array that records the operations applied to it.

    ``Tensor(data, requires_grad=False)`` makes a leaf, like ``srcdiff.tensor``.
    Operations on Tensors that require grad build a graph of ``grad_fn``
    nodes; ``backward()`` fills ``.grad`` of the leaves, as in PyTorch.
    """

    __slots__ = (
        "_data",
        "_requires_grad",
        "grad_fn",
        "_grad",
        "_retains_grad",
        "_version_box",
        "_accum",
        "_view_of_leaf",
        "_view_link",
        "_views",
        "__weakref__",
    )

    def __init__(self, data, requires_grad=False):
        from srcdiff.trace.factories import as_array

        array = as_array(data, None)
        _init(self, array, False, None)
        if requires_grad:
            self.requires_grad_(True)

    # ------------------------------------------------------------------ attributes
    @property
    def data(self):
        """A Tensor sharing this one's storage, outside the graph (``requires_grad=False``)."""
        return self.detach()

    @data.setter
    def data(self, value):
        self._data = np.asarray(_plain(value))

    @property
    def requires_grad(self):
        """Whether operations on this Tensor are recorded for backward."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if self.grad_fn is not None:
            if not value:
                raise RuntimeError(messages.NON_LEAF_FLAG)
            return
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError(messages.INT_REQUIRES_GRAD_SET)
        self._requires_grad = bool(value)

    @property
    def is_leaf(self):
        """True for Tensors made by the user, and for every Tensor that does not require grad."""
        return self.grad_fn is None

    @property
    def grad(self):
        """The gradient accumulated by ``backward()``: None until one reaches this leaf."""
        if self.grad_fn is not None and not self._retains_grad and self._grad is None:
            warnings.warn(messages.NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(messages.GRAD_TYPE.format(type=type(value).__name__))
            if value.shape != self.shape:
                raise RuntimeError(
                    messages.GRAD_SIZE.format(got=list(value.shape), want=list(self.shape))
                )
            if value.dtype != self.dtype:
                raise RuntimeError(messages.GRAD_DTYPE.format(got=value.dtype, want=self.dtype))
        self._grad = value

    @property
    def retains_grad(self):
        """True for a non-leaf after ``retain_grad()``."""
        return self._retains_grad

    @property
    def shape(self):
        """The shape, a tuple."""
        return self._data.shape

    @property
    def dtype(self):
        """The NumPy dtype of the data."""
        return self._data.dtype

    @property
    def ndim(self):
        """Number of dimensions."""
        return self._data.ndim

    @property
    def _version(self):
        """How many in-place operations have modified this Tensor's storage."""
        return self._version_box[0]

    @property
    def T(self):
        """The reversed-axes transpose (``PermuteBackward0``); warns off 2-D, as PyTorch does."""
        if self._data.ndim != 2:
            warnings.warn(messages.T_DEPRECATED_WARNING, UserWarning, stacklevel=2)
        return apply_op(np.transpose, (self,))

    def _accumulator(self):
        """This leaf's ``AccumulateGrad`` node (one per leaf, made on first use)."""
        node = self._accum
        if node is None:
            node = self._accum = AccumulateGrad(self)
        return node

    def _new_plain(self, array):
        return make_tensor(array, False, None)

    # ------------------------------------------------------------------ autograd
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Add d(self)/d(leaf), contracted with ``gradient``, into every leaf's ``.grad``.

        ``gradient`` may be omitted only for one-element Tensors (implicit 1).
        The graph's saved values are freed unless ``retain_graph`` (default:
        ``create_graph``).  ``create_graph=True`` records the backward pass,
        so the ``.grad`` it leaves can be differentiated again.
        """
        from srcdiff.trace import autograd

        if create_graph:
            warnings.warn(messages.CREATE_GRAPH_WARNING, UserWarning, stacklevel=2)
        autograd.run(self, gradient, retain_graph, create_graph, inputs)

    def retain_grad(self):
        """Keep this non-leaf's gradient in ``.grad`` during backward (no-op on leaves)."""
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        self._retains_grad = True
        self.grad_fn._retained = weakref.ref(self)

    def detach(self):
        """A Tensor sharing this one's data and version, outside the graph."""
        out = make_tensor(self._data, False, None)
        out._version_box = self._version_box
        return out

    def detach_(self):
        """Detach in place: this Tensor becomes a leaf that does not require grad."""
        self.grad_fn = None
        self._requires_grad = False
        return self

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` on a leaf and return self."""
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(messages.NON_LEAF_FLAG)
            return self
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError(messages.INT_REQUIRES_GRAD_)
        self._requires_grad = bool(requires_grad)
        return self

    # ------------------------------------------------------------------ conversions
    def item(self):
        """The single element as a Python number, outside the graph (as in PyTorch).

        Inside a trace-mode gradient that would give a silent zero gradient,
        so a Tensor that requires grad raises there instead.
        """
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        if self._requires_grad:
            leaving_graph("converted to a Python number by .item()", "the Tensor itself")
        return self._data.item()

    def tolist(self):
        """The data as nested Python lists of numbers, outside the graph (as in PyTorch)."""
        if self._requires_grad:
            leaving_graph("converted to Python numbers by .tolist()", "the Tensor itself")
        return self._data.tolist()

    def numpy(self):
        """The data as an ndarray sharing memory; refused when this Tensor requires grad."""
        if self._requires_grad:
            leaving_graph("converted to a NumPy array by .numpy()", "the Tensor itself")
            raise RuntimeError(messages.NUMPY_WITH_GRAD)
        return self._data

    def __array__(self, dtype=None, copy=None):
        if self._requires_grad:
            leaving_graph(
                "converted to a NumPy array (np.asarray, np.array, or storing it into an ndarray)",
                "np.stack / srcdiff operations",
                store=True,
            )
            raise RuntimeError(messages.NUMPY_WITH_GRAD)
        if dtype is not None and dtype != self._data.dtype:
            return self._data.astype(dtype)
        return self._data.copy() if copy else self._data

    def __float__(self):
        if self._data.size != 1:
            raise ValueError(messages.ONE_ELEMENT)
        if self._requires_grad:
            leaving_graph("converted to a Python float", "the NumPy equivalent", store=True)
            warnings.warn(messages.FLOAT_WITH_GRAD_WARNING, UserWarning, stacklevel=2)
        return float(self._data.item())

    def __int__(self):
        if self._data.size != 1:
            raise ValueError(messages.ONE_ELEMENT)
        return int(self._data.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(messages.AMBIGUOUS_BOOL)
        return bool(self._data.item())

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError(messages.LEN_0D)
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __format__(self, spec):
        if self._data.ndim == 0 and spec:
            return format(self._data.item(), spec)
        return format(repr(self), spec)

    def __repr__(self):
        return tensor_repr(self)

    __hash__ = object.__hash__


def _init(t, data, requires_grad, grad_fn):
    t._data = data
    t._requires_grad = requires_grad
    t.grad_fn = grad_fn
    t._grad = None
    t._retains_grad = False
    t._version_box = [0]
    t._accum = None
    t._view_of_leaf = None
    t._view_link = None
    t._views = None


_new = object.__new__


def make_tensor(data, requires_grad, grad_fn):
    """Build a Tensor around an ndarray without any checks (the hot path's constructor)."""
    t = _new(Tensor)
    _init(t, data, requires_grad, grad_fn)
    return t


dispatch.Tensor = Tensor
dispatch.make_tensor = make_tensor
higher.dispatch = dispatch
values_of.register(Tensor, lambda t: t._data)
