"""The tracing mode's forward derivative (the double-VJP construction of ``trace_jvp``) gives
the numbers of the rule table's JVP rules, which the static forward mode uses: every rule case
with one array output whose arguments have JVP rules, on leaves, against
``tests/rules/jvpcheck.rule_jvp``."""

import copy

import numpy as np
import pytest

from srcdiff import autograd
from srcdiff.errors import DifferentiationError
from srcdiff.rules import jvp_rule
from srcdiff.trace.tensor import make_tensor
from tests.rules.jvpcheck import rule_jvp
from tests.rules.primitive_cases import label
from tests.trace.double_backward import leaves_for, outputs
from tests.trace.test_double_backward_rules import SUPPORTED


def _simple(case):
    if any(jvp_rule(case.fn, i) is None for i in case.wrt):
        return False  # (the table's JVP rules are compared where they are written)
    if any(isinstance(case.args[i], (list, tuple, dict)) for i in case.wrt):
        return False
    recorded, _ = leaves_for(case.args, case.wrt)
    results = outputs(case.fn, recorded, case.kwargs)
    return len(results) == 1 and results[0].requires_grad and results[0].dtype.kind == "f"


# Linear rules written for ndarrays only (np.add.at, np.bincount, in-place writes): their VJP
# cannot take a cotangent that requires grad, so the double VJP through them is refused.
NDARRAY_ONLY = {
    "np.convolve", "np.correlate", "np.pad", "np.partition", "np.sort", "np.linalg.qr",
    "np.linalg.svd", "np.linalg.svdvals",
}  # fmt: skip


def _ndarray_only(case):
    if label(case.fn) in ("np.take", "np.ndarray.take"):  # along an axis: np.asarray(a)
        return "axis" in case.kwargs
    if label(case.fn) == "np.cumulative_sum":  # an initial zero is cut off by np.delete
        return case.kwargs.get("include_initial", False)
    return label(case.fn) in NDARRAY_ONLY


SIMPLE = [c for c in SUPPORTED if _simple(c)]
JVP_CASES = [c for c in SIMPLE if not _ndarray_only(c)]
REFUSED_CASES = [c for c in SIMPLE if _ndarray_only(c)]


def double_vjp_jvp(case, tangents):
    """``J t`` as ``d/du <J^T u, t>``, with the backward pass recorded."""
    recorded, leaves = leaves_for(case.args, case.wrt)
    (y,) = outputs(case.fn, recorded, case.kwargs)
    u = make_tensor(np.zeros(y.shape, y.dtype), True, None)
    grads = autograd.grad(y, leaves, grad_outputs=u, create_graph=True, materialize_grads=True)
    total = sum((g * t).sum() for g, t in zip(grads, tangents))
    if not getattr(total, "requires_grad", False):
        return np.zeros(y.shape)
    (jt,) = autograd.grad(total, u, materialize_grads=True)
    return jt.detach().numpy()


@pytest.mark.parametrize("case", JVP_CASES, ids=[c.id for c in JVP_CASES])
def test_double_vjp_equals_the_jvp_rules(case):
    rng = np.random.default_rng(5)
    tangents = [rng.standard_normal(np.shape(case.args[i])) for i in case.wrt]
    args = [
        np.asarray(a, dtype=np.float64) if i in case.wrt else a for i, a in enumerate(case.args)
    ]
    expected = rule_jvp(case.fn, copy.deepcopy(args), case.kwargs, dict(zip(case.wrt, tangents)))
    got = double_vjp_jvp(case, tangents)
    np.testing.assert_allclose(got, np.asarray(expected, dtype=np.float64), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("case", REFUSED_CASES, ids=[c.id for c in REFUSED_CASES])
def test_double_vjp_through_an_ndarray_only_rule_is_refused(case):
    tangents = [np.ones(np.shape(case.args[i])) for i in case.wrt]
    with pytest.raises(DifferentiationError, match="cannot be recorded for a higher-order"):
        double_vjp_jvp(case, tangents)


def test_every_rule_with_a_jvp_is_compared():
    names = {label(c.fn) for c in JVP_CASES}
    assert {"np.sinc", "np.arctan2", "np.hypot", "np.kron", "np.roll", "np.triu"} <= names
    assert len(JVP_CASES) > 200
