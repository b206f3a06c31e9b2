"""Second derivatives of every rule by double backward in the tracing mode.

Each rule case of ``tests/rules/primitive_cases.py`` is recorded on leaf
Tensors; the Hessian-vector product of its weighted output, taken with
``create_graph=True`` and a second backward pass, must equal central finite
differences of the first derivative along the same vector.  The elementwise
functions and reductions are also compared with PyTorch 2.13's double
backward on the same inputs.  Rules that cannot run on Tensors are refused
with a ``DifferentiationError`` naming the node.
"""

import numpy as np
import pytest
import torch

from srcdiff.errors import DifferentiationError
from tests.rules.primitive_cases import CASES, label
from tests.trace.double_backward import gradient, hessian_vector, leaves_for, moved, weights

STEP = 1e-6
# In-place operators reach Tensors as ``__iadd__`` & co. (test_double_backward.py tests them);
# indexing a Python list is Python's own operation in the tracing mode, not a recorded one,
# and so is reading a dict's values (``dict_values`` stands for it in the static mode only).
NOT_RECORDED = (
    "operator.i",
    "operator.getitem-[",
    "operator.getitem-(",
    "np.dict_values",
    "np.dict_items",
)
# Rules that convert their arguments to ndarrays, or call a function without a rule, on a
# recorded cotangent: a higher-order derivative through them is refused, naming the node.
REFUSED_FUNCTIONS = {
    "np.cross", "np.linalg.cross", "np.cumprod", "np.ndarray.cumprod", "np.cumulative_prod",
    "np.interp", "np.linalg.multi_dot", "np.linalg.vector_norm", "np.median", "np.percentile",
    "np.quantile", "np.ndarray.astype", "np.column_stack",
}  # fmt: skip
MATRIX_ORDS = (1, -1, 2, -2, np.inf, -np.inf)


def _refused(case):
    name = label(case.fn)
    if name in REFUSED_FUNCTIONS:
        return True
    if name == "np.einsum":  # a letter repeated in one operand: its diagonal is written in place
        operands = case.args[0].replace("...", "").split("->")[0].split(",")
        return any(len(set(s)) < len(s) for s in operands)
    if name == "np.linalg.norm":  # the matrix norms of these orders
        axis = case.kwargs.get("axis")
        over_matrix = np.ndim(case.args[0]) == 2 if axis is None else len(np.atleast_1d(axis)) == 2
        return over_matrix and case.kwargs.get("ord") in MATRIX_ORDS
    if name == "np.linalg.matrix_norm":
        return case.kwargs.get("ord") in MATRIX_ORDS
    if name == "np.take":
        return "axis" in case.kwargs
    if name == "np.gradient":
        return any(np.ndim(a) > 0 for a in case.args[1:])  # coordinates, not spacings
    if name == "np.trapezoid":
        return len(case.args) > 1  # sample points or a spacing given
    return False


# The helpers of generated code (``tests/rules/generated_cases.py``) are differentiated
# twice by the static mode (``tests/higher``); the tracing mode records NumPy's functions.
_GENERATED_CODE_HELPERS = tuple(
    c.id for c in CASES if (getattr(c.fn, "__module__", None) or "").startswith("srcdiff.")
)
SUPPORTED = [
    c
    for c in CASES
    if not c.id.startswith(NOT_RECORDED) and not _refused(c) and c.id not in _GENERATED_CODE_HELPERS
]


def _vectors(case, rng):
    _, leaves = leaves_for(case.args, case.wrt)
    return [rng.standard_normal(leaf.shape) for leaf in leaves]


@pytest.mark.parametrize("case", SUPPORTED, ids=[c.id for c in SUPPORTED])
def test_second_derivative_matches_finite_differences_of_the_gradient(case):
    rng = np.random.default_rng(7)
    w = weights(case.fn, case.args, case.kwargs, case.wrt, rng)
    vectors = _vectors(case, rng)
    got = hessian_vector(case.fn, case.args, case.kwargs, case.wrt, w, vectors)
    ahead = gradient(case.fn, moved(case.args, case.wrt, vectors, STEP), case.kwargs, case.wrt, w)
    behind = gradient(case.fn, moved(case.args, case.wrt, vectors, -STEP), case.kwargs, case.wrt, w)
    for h, a, b in zip(got, ahead, behind):
        np.testing.assert_allclose(h, (a - b) / (2 * STEP), rtol=1e-4, atol=1e-5)


REFUSED_CASES = [c for c in CASES if _refused(c)]


@pytest.mark.parametrize("case", REFUSED_CASES, ids=[c.id for c in REFUSED_CASES])
def test_rules_that_cannot_run_on_tensors_are_refused_at_second_order(case):
    rng = np.random.default_rng(7)
    w = weights(case.fn, case.args, case.kwargs, case.wrt, rng)
    with pytest.raises(DifferentiationError, match="cannot be recorded for a higher-order"):
        hessian_vector(case.fn, case.args, case.kwargs, case.wrt, w, _vectors(case, rng))


# ---------------------------------------------------------------- against PyTorch
UNARY = {
    "exp": torch.exp, "expm1": torch.expm1, "square": torch.square, "sin": torch.sin,
    "cos": torch.cos, "tan": torch.tan, "arctan": torch.arctan, "sinh": torch.sinh,
    "cosh": torch.cosh, "tanh": torch.tanh, "abs": torch.abs, "absolute": torch.abs,
    "sign": torch.sign, "reciprocal": torch.reciprocal, "log": torch.log, "log1p": torch.log1p,
    "sqrt": torch.sqrt, "arcsin": torch.arcsin, "arccos": torch.arccos, "negative": torch.neg,
    "positive": torch.positive, "add": torch.add, "subtract": torch.sub,
    "multiply": torch.mul, "true_divide": torch.div, "divide": torch.div, "power": torch.pow,
    "maximum": torch.maximum, "minimum": torch.minimum, "logaddexp": torch.logaddexp,
    "where": torch.where,
}  # fmt: skip


def _all_dims(x, axis):
    return tuple(range(x.ndim)) if axis is None else axis


def _reduction(name):
    def call(x, axis=None, keepdims=False, ddof=0, correction=None):
        if name in ("var", "std"):
            ddof = ddof if correction is None else correction
            return getattr(torch, name)(x, dim=axis, correction=ddof, keepdim=keepdims)
        if name in ("max", "amax", "min", "amin"):
            fn = torch.amax if name in ("max", "amax") else torch.amin
            return fn(x, dim=_all_dims(x, axis), keepdim=keepdims)
        if name == "prod":
            if axis is None and not keepdims:
                return torch.prod(x)
            if not isinstance(axis, int):
                return None  # torch.prod reduces one dimension at a time
            return torch.prod(x, dim=axis, keepdim=keepdims)
        if name == "cumsum":
            return torch.cumsum(x.flatten(), 0) if axis is None else torch.cumsum(x, axis)
        return getattr(torch, name)(x, dim=_all_dims(x, axis), keepdim=keepdims)

    return call


REDUCTIONS = {n: _reduction(n) for n in ("sum", "mean", "prod", "max", "amax", "min", "amin")}
REDUCTIONS.update({n: _reduction(n) for n in ("var", "std", "cumsum")})


def _torch_fn(case):
    name = getattr(case.fn, "__name__", "")
    if not label(case.fn).startswith("np.") or label(case.fn).startswith("np.ndarray"):
        return None
    if name == "clip":
        return lambda x, low=None, high=None, min=None, max=None: torch.clamp(
            x, low if low is not None else min, high if high is not None else max
        )
    if name in REDUCTIONS:
        reduce = REDUCTIONS[name]
        return lambda x, axis=None, **kw: reduce(x, axis, **kw)
    return UNARY.get(name)


TORCH_CASES = [c for c in SUPPORTED if _torch_fn(c) is not None]


def _torch_args(case):
    args, leaves = [], []
    for i, a in enumerate(case.args):
        if isinstance(a, (bool, np.bool_)) or (isinstance(a, np.ndarray) and a.dtype == bool):
            args.append(torch.tensor(a))
        elif i in case.wrt:
            leaf = torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)
            leaves.append(leaf)
            args.append(leaf)
        elif isinstance(a, np.ndarray):
            args.append(torch.tensor(a))
        else:
            args.append(a)
    return args, leaves


def _torch_hessian_vector(case, w, vectors):
    args, leaves = _torch_args(case)
    y = _torch_fn(case)(*args, **case.kwargs)
    if y is None:
        return None
    loss = (y * torch.tensor(w[0])).sum()
    grads = torch.autograd.grad(loss, leaves, create_graph=True, materialize_grads=True)
    total = sum((g * torch.tensor(v)).sum() for g, v in zip(grads, vectors))
    if not total.requires_grad:
        return [np.zeros(tuple(leaf.shape)) for leaf in leaves]
    second = torch.autograd.grad(total, leaves, materialize_grads=True)
    return [_numpy(h) for h in second]


def _numpy(t):
    """A PyTorch gradient as an array (``abs``'s second derivative is a lazy ``ZeroTensor``)."""
    return (t.detach() + torch.zeros(t.shape, dtype=t.dtype)).numpy()


@pytest.mark.parametrize("case", TORCH_CASES, ids=[c.id for c in TORCH_CASES])
def test_second_derivative_matches_pytorch(case):
    rng = np.random.default_rng(11)
    w = weights(case.fn, case.args, case.kwargs, case.wrt, rng)
    vectors = _vectors(case, rng)
    expected = _torch_hessian_vector(case, w, vectors)
    if expected is None:  # a reduction over several axes that torch.prod cannot do at once
        expected = _torch_prod_of_prods(case, w, vectors)
    got = hessian_vector(case.fn, case.args, case.kwargs, case.wrt, w, vectors)
    for h, e in zip(got, expected):
        np.testing.assert_allclose(h, e, rtol=1e-9, atol=1e-9)


def _torch_prod_of_prods(case, w, vectors):
    """``np.prod`` over several axes as PyTorch's one-axis products, one after the other."""
    axis, keepdims = case.kwargs.get("axis"), case.kwargs.get("keepdims", False)
    args, leaves = _torch_args(case)
    y = args[0]
    axis = tuple(range(y.ndim)) if axis is None else axis
    axes = sorted(
        (a % y.ndim for a in (axis if isinstance(axis, tuple) else (axis,))), reverse=True
    )
    for a in axes:
        y = torch.prod(y, dim=a, keepdim=keepdims)
    loss = (y * torch.tensor(w[0])).sum()
    (g,) = torch.autograd.grad(loss, leaves, create_graph=True)
    (h,) = torch.autograd.grad((g * torch.tensor(vectors[0])).sum(), leaves)
    return [h.detach().numpy()]


def test_every_elementwise_and_reduction_rule_is_compared_with_pytorch():
    names = {getattr(c.fn, "__name__", "") for c in TORCH_CASES}
    for name in ("exp", "log", "tanh", "sqrt", "power", "divide", "maximum", "where", "clip"):
        assert name in names or (name == "divide" and "true_divide" in names), name
    for name in ("sum", "mean", "prod", "max", "min", "var", "std", "cumsum"):
        assert name in names, name
