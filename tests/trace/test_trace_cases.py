"""Every user-style case of ``tests/rule_cases.py``, differentiated by ``trace_vjp``.

Checked against central finite differences along random directions
(``tests/gradcheck.check_vjp``), so the trace mode and the rule table it
calls are verified together on the same corpus the static mode uses.
"""

import pytest

from srcdiff.trace import trace_vjp
from tests.gradcheck import check_vjp
from tests.rule_cases import CASES


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case_matches_finite_differences(case):
    def vjp(args, seed):
        return trace_vjp(case.fn, args, {}, case.wrt, seed)[1]

    check_vjp(vjp, case.fn, case.args, case.wrt)
