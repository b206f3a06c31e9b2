"""The JVP rules of the helpers generated code calls, against central finite differences.

A linear helper's JVP is the helper applied to the tangent (``LINEAR``);
the others have written rules.  Each is checked along a random tangent of
each differentiable argument, with the cases of the direct rule tests.
"""

import numpy as np
import pytest

from srcdiff.rules import LINEAR, ZERO, jvp_rule, registry
from tests.rules.primitive_cases import CASES

HELPER_CASES = [
    c
    for c in CASES
    if (getattr(c.fn, "__module__", "") or "").startswith(("srcdiff.rules", "srcdiff.static"))
    # a dict argument's views, a list of tangents: checked leaf by leaf in
    # tests/rules/test_jvp_rules.py
    and not any(isinstance(c.args[i], (dict, list)) for i in c.wrt)
]


def test_every_helper_case_has_jvp_rules():
    assert len(HELPER_CASES) >= 30
    for c in HELPER_CASES:
        for i in c.wrt:
            assert jvp_rule(c.fn, i) is not None, f"{c.id}: no JVP for argument {i}"


def _with(args, i, value):
    return tuple(value if j == i else a for j, a in enumerate(args))


@pytest.mark.parametrize("case", HELPER_CASES, ids=[c.id for c in HELPER_CASES])
def test_helper_jvp_matches_finite_differences(case):
    rng = np.random.default_rng(5)
    ans = case.fn(*case.args, **case.kwargs)
    for i in case.wrt:
        x = case.args[i]
        t = rng.standard_normal(np.shape(x)) if np.ndim(x) else float(rng.standard_normal())
        rule = jvp_rule(case.fn, i)
        if rule is LINEAR:
            tangent = case.fn(*_with(case.args, i, t), **case.kwargs)
        else:
            tangent = rule(t, ans, *case.args, **case.kwargs)
        eps = 1e-6
        plus = case.fn(*_with(case.args, i, x + eps * t), **case.kwargs)
        minus = case.fn(*_with(case.args, i, x - eps * t), **case.kwargs)
        expected = (np.asarray(plus) - np.asarray(minus)) / (2 * eps)
        assert np.shape(tangent) == np.shape(ans)
        np.testing.assert_allclose(tangent, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("case", HELPER_CASES, ids=[c.id for c in HELPER_CASES])
def test_shape_only_arguments_have_zero_jvps(case):
    """An argument a helper reads only for its shape: other values of that shape change
    nothing, and its JVP is zeros of the result's shape."""
    positions = [i for i in range(len(case.args)) if jvp_rule(case.fn, i) is ZERO]
    ans = case.fn(*case.args, **case.kwargs)
    for i in positions:
        other = np.random.default_rng(i).standard_normal(np.shape(case.args[i]))
        np.testing.assert_array_equal(case.fn(*_with(case.args, i, other), **case.kwargs), ans)
        tangent = registry.apply_jvp(case.fn, i, other, ans, case.args, case.kwargs)
        assert np.shape(tangent) == np.shape(ans) and not np.any(tangent)


def test_the_helpers_shape_only_arguments():
    shape_only = {
        c.fn.__name__: [i for i in range(len(c.args)) if jvp_rule(c.fn, i) is ZERO]
        for c in HELPER_CASES
    }
    assert {name for name, positions in shape_only.items() if positions} == {
        "unbroadcast", "gradient_of", "writable", "unreduce", "restore_reduced_axes",
        "check_seed", "scatter_add", "diagonal_scatter", "matmul_left", "matmul_right",
        "broadcast_like", "tangent_in", "tangent_out", "cast_like",
    }  # fmt: skip
    assert shape_only["matmul_right"] == [2] and shape_only["unreduce"] == [1]
