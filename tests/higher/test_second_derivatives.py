"""Second derivatives in the static mode: the gradient of every user-style case, differentiated.

For each case of ``tests/rule_cases.py``, ``s(*args, v) = sum(f(*args) * v)``
is a scalar; the vjp of ``grad(s)`` (srcdiff differentiating its own
generated gradient) is checked against central finite differences of that
gradient along random directions.
"""

import numpy as np
import pytest

import srcdiff
from tests.gradcheck import check_vjp
from tests.rule_cases import CASES


def scalarized(fn, arity):
    """``s(*args, v) = sum(fn(*args) * v)``, a scalar function of ``fn``'s arguments."""
    if arity == 1:

        def s(x, v):
            return np.sum(fn(x) * v)

    elif arity == 2:

        def s(x, y, v):
            return np.sum(fn(x, y) * v)

    else:

        def s(x, y, z, v):
            return np.sum(fn(x, y, z) * v)

    return s


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_second_derivative_matches_finite_differences_of_the_gradient(case):
    args = [np.array(a, dtype=np.float64) if isinstance(a, np.ndarray) else a for a in case.args]
    wrt = tuple(case.wrt)
    v = np.random.default_rng(1).standard_normal(np.shape(case.fn(*args)))
    s = scalarized(case.fn, len(args))
    gradient = srcdiff.grad(s, wrt=wrt)
    second = srcdiff.vjp(gradient, wrt=wrt)

    def vjp(args, seed):
        return second(*args, v, seed=tuple(seed))

    check_vjp(vjp, lambda *args: gradient(*args, v), args, wrt, eps=1e-5)
