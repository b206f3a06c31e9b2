"""PyTorch's ``grad_fn`` names: the one table mapping (function, call pattern) -> name.

A node is named after the call that made it, not after the rule that
differentiates it: ``a.T`` and ``a.t()`` share ``np.transpose``'s rule but are
``PermuteBackward0`` and ``TBackward0``.  Keys are NumPy functions (reached
through operators, ``__array_ufunc__`` and ``__array_function__``) or the
names of Tensor methods whose PyTorch name differs from their function's.  A
value is a name, or a function of the call's arguments for the call patterns
PyTorch tells apart (``a - 2`` vs ``2 - a``, ``a.sum()`` vs ``a.sum(0)``).
Functions missing from the table get ``<Name>Backward0`` from their own name.

``SAVES_NO_TENSORS`` lists the nodes whose backward needs only shapes, the way
PyTorch's ``AddBackward0`` or ``SumBackward0`` save no tensors: in-place
changes to their inputs are harmless and re-running them after the graph was
freed is allowed (TORCH.md sec. 3).
"""

import operator

import numpy as np


def _is_tensor(x):
    return hasattr(x, "_version_box")


def _ndim(x):
    return np.ndim(x._data) if _is_tensor(x) else np.ndim(x)


def _sub(args, kwargs):
    return "SubBackward0" if _is_tensor(args[0]) else "RsubBackward1"


def _pow(args, kwargs):
    if not _is_tensor(args[1]):
        return "PowBackward0"
    return "PowBackward1" if _is_tensor(args[0]) else "PowBackward2"


def _axis_pattern(no_axis, with_axis):
    def name(args, kwargs):
        axis = kwargs.get("axis", args[1] if len(args) > 1 else None)
        return no_axis if axis is None else with_axis

    return name


def _matmul(args, kwargs):
    x, y = _ndim(args[0]), _ndim(args[1])
    if x == 2 and y == 2:
        return "MmBackward0"
    if x == 2 and y == 1:
        return "MvBackward0"
    if x == 1 and y == 1:
        return "DotBackward0"
    if x == 1 and y == 2:
        return "SqueezeBackward4"
    return "UnsafeViewBackward0"


def _getitem(args, kwargs):
    index = args[1]
    if not isinstance(index, tuple):
        index = (index,)
    kinds = set()
    for item in index:
        if item is None:
            kinds.add("new")
        elif item is Ellipsis:
            continue
        elif isinstance(item, slice):
            if item != slice(None):
                kinds.add("slice")
        elif isinstance(item, (int, np.integer)):
            kinds.add("int")
        else:
            kinds.add("advanced")
    if "advanced" in kinds:
        return "IndexBackward0"
    if "new" in kinds:
        return "UnsqueezeBackward0"
    if "slice" in kinds or "int" not in kinds:
        return "SliceBackward0"
    return "SelectBackward0"


def _squeeze(args, kwargs):
    axis = kwargs.get("axis", args[1] if len(args) > 1 else None)
    return "SqueezeBackward0" if axis is None else "SqueezeBackward1"


GRAD_FN_NAMES = {
    # operators
    np.add: "AddBackward0",
    operator.add: "AddBackward0",
    np.subtract: _sub,
    operator.sub: _sub,
    np.multiply: "MulBackward0",
    operator.mul: "MulBackward0",
    np.true_divide: "DivBackward0",
    operator.truediv: "DivBackward0",
    np.power: _pow,
    operator.pow: _pow,
    np.negative: "NegBackward0",
    operator.neg: "NegBackward0",
    np.positive: "PositiveBackward0",
    np.matmul: _matmul,
    operator.matmul: _matmul,
    np.dot: _matmul,
    np.outer: "MulBackward0",
    np.inner: "DotBackward0",
    np.einsum: "ViewBackward0",
    # elementwise
    np.absolute: "AbsBackward0",
    np.square: "PowBackward0",
    np.log1p: "Log1PBackward0",
    np.arcsin: "AsinBackward0",
    np.arccos: "AcosBackward0",
    np.arctan: "AtanBackward0",
    np.maximum: "MaximumBackward0",
    np.minimum: "MinimumBackward0",
    np.clip: "ClampBackward1",
    np.where: "WhereBackward0",
    "reciprocal": "ReciprocalBackward0",
    "relu": "ReluBackward0",
    "masked_fill": "MaskedFillBackward0",
    # reductions
    np.sum: _axis_pattern("SumBackward0", "SumBackward1"),
    np.mean: _axis_pattern("MeanBackward0", "MeanBackward1"),
    np.prod: _axis_pattern("ProdBackward0", "ProdBackward1"),
    np.max: _axis_pattern("MaxBackward1", "AmaxBackward0"),
    np.min: _axis_pattern("MinBackward1", "AminBackward0"),
    np.var: "VarBackward0",
    np.std: "StdBackward0",
    np.linalg.norm: "LinalgVectorNormBackward0",
    "max_dim": "MaxBackward0",
    "min_dim": "MinBackward0",
    # shapes and indexing
    np.reshape: "ViewBackward0",
    np.transpose: "PermuteBackward0",
    "t": "TBackward0",
    np.swapaxes: "TransposeBackward0",
    np.squeeze: _squeeze,
    np.expand_dims: "UnsqueezeBackward0",
    np.broadcast_to: "ExpandBackward0",
    np.tile: "RepeatBackward0",
    np.flip: "FlipBackward0",
    np.concatenate: "CatBackward0",
    np.stack: "StackBackward0",
    operator.getitem: _getitem,
    "clone": "CloneBackward0",
    "to": "ToCopyBackward0",
    "setitem": "CopySlices",
    "copy_grad": "CopyBackwards",
    "alias": "AliasBackward0",
    # linear algebra
    np.linalg.inv: "LinalgInvExBackward0",
    np.linalg.det: "LinalgDetBackward0",
    np.linalg.slogdet: "LinalgSlogdetBackward0",
    np.linalg.solve: "LinalgSolveExBackward0",
}

# Nodes whose output is a view of their first input (they share its version).
VIEW_NAMES = frozenset(
    {
        "ViewBackward0",
        "PermuteBackward0",
        "TBackward0",
        "TransposeBackward0",
        "SqueezeBackward0",
        "SqueezeBackward1",
        "UnsqueezeBackward0",
        "ExpandBackward0",
        "SliceBackward0",
        "SelectBackward0",
    }
)

# Nodes that keep no tensor for their backward (a second backward through them works).
SAVES_NO_TENSORS = VIEW_NAMES | {
    "AddBackward0",
    "SubBackward0",
    "RsubBackward1",
    "NegBackward0",
    "PositiveBackward0",
    "SumBackward0",
    "SumBackward1",
    "MeanBackward0",
    "MeanBackward1",
    "RepeatBackward0",
    "FlipBackward0",
    "CatBackward0",
    "StackBackward0",
    "CloneBackward0",
    "ToCopyBackward0",
    "CopyBackwards",
    "AliasBackward0",
}

_DERIVED = {}


def grad_fn_name(fn, via, args, kwargs):
    """The PyTorch ``grad_fn`` class name for calling ``fn`` (through ``via``) on ``args``."""
    name = GRAD_FN_NAMES.get(via) if via is not None else None
    if name is None:
        try:
            name = GRAD_FN_NAMES.get(fn)
        except TypeError:
            name = None
        if name is None:
            return _derived_name(fn)
    if isinstance(name, str):
        return name
    return name(args, kwargs)


def _derived_name(fn):
    try:
        return _DERIVED[fn]
    except (KeyError, TypeError):
        pass
    base = getattr(fn, "__name__", type(fn).__name__).strip("_")
    name = "".join(part.capitalize() for part in base.split("_")) + "Backward0"
    try:
        _DERIVED[fn] = name
    except TypeError:
        pass
    return name
