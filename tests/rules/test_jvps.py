"""JVP rules against finite differences and, by the dot-product test, against the VJP rules.

Runs every direct rule case (``primitive_cases.CASES``) of the rule families
listed in ``JVP_FAMILIES``; each of their functions must have a JVP for each
argument its cases differentiate.
"""

import numpy as np
import pytest

from srcdiff.errors import DifferentiationError
from srcdiff.rules import jvp_rule, vjp_rule
from srcdiff.rules.decompositions import matrix_norm_jvp
from tests.rules.jvpcheck import check_jvp, rule_jvp
from tests.rules.primitive_cases import CASES, label
from tests.values import Values

JVP_FAMILIES = (
    "srcdiff.rules.more_elementwise",
    "srcdiff.rules.more_shapes",
    "srcdiff.rules.windows",
    "srcdiff.rules.sorting",
    "srcdiff.rules.decompositions",
    "srcdiff.rules.statistics",
    "srcdiff.rules.joins",
    "srcdiff.rules.linalg_api",
    "srcdiff.rules.interpolation",
)


def _in_families(case):
    """The case's rule, or its JVP rule (``np.fabs`` reuses ``abs``'s VJP), is in a family."""
    jvp = jvp_rule(case.fn, case.wrt[0])
    return vjp_rule(case.fn).__module__ in JVP_FAMILIES or (
        callable(jvp) and jvp.__module__ in JVP_FAMILIES
    )


JVP_CASES = [c for c in CASES if _in_families(c)]


def test_the_families_have_cases():
    assert {vjp_rule(c.fn).__module__ for c in JVP_CASES} >= set(JVP_FAMILIES)


@pytest.mark.parametrize("case", JVP_CASES, ids=[c.id for c in JVP_CASES])
def test_jvp_matches_finite_differences_and_the_vjp(case):
    missing = [i for i in case.wrt if jvp_rule(case.fn, i) is None]
    assert not missing, f"{label(case.fn)} has no JVP for arguments {missing}"
    check_jvp(case.fn, case.args, case.kwargs, case.wrt)


_values = Values(77)


@pytest.mark.parametrize(
    "ord, axis, keepdims",
    [(2, (0, 1), False), (-2, (1, 0), False), (1, (0, 1), True), (-1, (0, 1), False),
     (np.inf, (1, 2), False), (-np.inf, (2, 0), True), (2, (-1, -2), True)],
)  # fmt: skip
def test_matrix_norm_jvp(ord, axis, keepdims):
    """The tangent helper the norm's forward rule uses for matrix ``ord``s."""
    x = _values.distinct(3, 4) if len(axis) == 2 and max(axis) < 2 else _values.distinct(2, 3, 4)
    if x.ndim == 2:
        axis = tuple(a % 2 for a in axis)
    t = _values.normal(*x.shape)

    def norm(y):
        return np.linalg.norm(y, ord, axis, keepdims)

    numeric = (norm(x + 1e-6 * t) - norm(x - 1e-6 * t)) / 2e-6
    np.testing.assert_allclose(matrix_norm_jvp(t, x, ord, axis, keepdims), numeric, rtol=1e-5)


def test_matrix_norm_of_an_unknown_ord_is_refused():
    with pytest.raises(DifferentiationError, match="ord=3"):
        vjp_rule(np.linalg.norm)(1.0, 1.0, np.eye(2), 3)


def test_linear_rule_jvp_is_the_function_of_the_tangent():
    t = np.arange(4.0)
    np.testing.assert_array_equal(rule_jvp(np.roll, (np.ones(4), 1), {}, {0: t}), np.roll(t, 1))
