"""Every JVP rule against central finite differences and against its VJP.

The cases are the VJP rules' cases (``primitive_cases.py``): those of the
families ``test_jvps.py`` checks run there, every other case runs here with
the same check (``jvpcheck.check_jvp``: the tangent of all differentiated
arguments together against finite differences, and the dot-product test
``<v, J t> == <J^T v, t>`` one argument at a time).  A rule added to the table
with a case is checked, and a differentiated argument without a JVP fails.
"""

import pytest

from srcdiff.rules import jvp_rule, registry
from tests.rules.jvpcheck import check_jvp
from tests.rules.primitive_cases import CASES, label
from tests.rules.test_jvps import JVP_CASES

OTHER_CASES = [c for c in CASES if c.id not in {j.id for j in JVP_CASES}]


@pytest.mark.parametrize("case", OTHER_CASES, ids=[c.id for c in OTHER_CASES])
def test_jvp_matches_finite_differences_and_vjp(case):
    missing = [i for i in case.wrt if jvp_rule(case.fn, i) is None]
    assert not missing, f"{label(case.fn)} has no JVP for arguments {missing}"
    check_jvp(case.fn, case.args, case.kwargs, case.wrt)


def test_every_builtin_vjp_has_a_jvp():
    """A rule in the table with a VJP but no JVP for an argument its cases differentiate fails."""
    missing = sorted(
        {f"{label(c.fn)} argument {i}" for c in CASES for i in c.wrt if jvp_rule(c.fn, i) is None}
    )
    assert not missing, f"VJP rules without a JVP: {missing}"
    builtin = [fn for fn, rule in registry._VJPS.items() if rule.__module__.startswith("srcdiff.")]
    without = [label(fn) for fn in builtin if not registry._JVPS.get(fn)]
    assert not without, f"VJP rules without any JVP: {without}"
