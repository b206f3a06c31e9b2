"""The JVP rules of the helpers generated code calls, against central finite differences.

A linear helper's JVP is the helper applied to the tangent (``LINEAR``);
the others have written rules.  Each is checked along a random tangent of
each differentiable argument, with the cases of the direct rule tests.
"""

import numpy as np
import pytest

from srcdiff.rules import LINEAR, jvp_rule
from tests.rules.primitive_cases import CASES

HELPER_CASES = [
    c
    for c in CASES
    if (getattr(c.fn, "__module__", "") or "").startswith(("srcdiff.rules", "srcdiff.static"))
    # a dict argument's views: checked leaf by leaf in tests/rules/test_jvp_rules.py
    and not any(isinstance(c.args[i], dict) for i in c.wrt)
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
